package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.abi.AbiDocs;
import dev.spindle.host.abi.WitInterface;
import dev.spindle.redis.KeyValueCapability;
import dev.spindle.redis.RedisCapability;
import dev.spindle.runtime.internal.VariablesCapability;
import dev.spindle.runtime.trigger.TriggerAbi;
import dev.spindle.testing.Guests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/guest-abi.md's interface tables are generated from the declarations the host runs
 * ({@link AbiDocs}): every block between {@code <!-- generated: NAME -->} and
 * {@code <!-- end generated -->} must equal what the declaration renders today. After changing a
 * declaration, rewrite the blocks with
 * {@code mvn -pl runtime -am verify -Dtest=GuestAbiDocTest -Dsurefire.failIfNoSpecifiedTests=false -Dspindle.writeDocs=true}.
 * A new interface gets a block here and a marked section in the page.
 */
class GuestAbiDocTest {
    static final Path DOC = Guests.repoRoot().resolve("docs/guest-abi.md");
    static final String END = "<!-- end generated -->";

    /** Section name to generated Markdown, in page order. */
    static Map<String, String> generated() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(VariablesCapability.MODULE, AbiDocs.imports(VariablesCapability.INTERFACE));
        for (WitInterface<?> redis : RedisCapability.interfaces()) {
            out.put(redis.module(), AbiDocs.imports(redis));
        }
        out.put("trigger exports", AbiDocs.exports(List.of(TriggerAbi.HANDLE_REQUEST, TriggerAbi.HANDLE_MESSAGE)));
        for (WitInterface<?> kv : KeyValueCapability.interfaces()) {
            out.put(kv.module(), AbiDocs.imports(kv));
        }
        for (WitInterface<?> legacy : RedisCapability.legacyInterfaces()) {
            out.put(legacy.module(), AbiDocs.imports(legacy));
        }
        out.put(VariablesCapability.CONFIG_MODULE, AbiDocs.imports(VariablesCapability.CONFIG));
        out.put(VariablesCapability.LEGACY_CONFIG_MODULE, AbiDocs.imports(VariablesCapability.LEGACY_CONFIG));
        return out;
    }

    static String begin(String name) {
        return "<!-- generated: " + name + " -->\n";
    }

    @Test
    void interfaceTablesAreTheDeclarationsRendered() throws IOException {
        String doc = Files.readString(DOC);
        String rewritten = doc;
        for (Map.Entry<String, String> section : generated().entrySet()) {
            String begin = begin(section.getKey());
            int start = rewritten.indexOf(begin);
            assertTrue(start >= 0, "docs/guest-abi.md has no section marked " + begin.strip());
            int end = rewritten.indexOf(END, start);
            assertTrue(end > start, "section " + section.getKey() + " is not closed with " + END);
            rewritten = rewritten.substring(0, start + begin.length()) + section.getValue() + rewritten.substring(end);
        }
        if (Boolean.getBoolean("spindle.writeDocs")) {
            Files.writeString(DOC, rewritten);
            return;
        }
        assertEquals(rewritten, doc, "docs/guest-abi.md is out of date with the declarations; regenerate it (see this test's comment)");
    }
}
