package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A module importing Spin interfaces Spindle does not provide (guest {@code unsupported-caller}:
 * SQLite, MySQL, PostgreSQL, LLM and MQTT under their wit-bindgen 0.2, unversioned and 2.0.0
 * names) links; each call returns the interface's own error value, or traps where there is none,
 * with one log line per component and interface. Return areas are decoded here from the WIT by
 * hand: {@code result<T, E>} disc u8 @0, the error variant at T's and E's common alignment.
 */
class UnsupportedInterfacesTest {
    @TempDir
    Path dir;

    record Err(int disc, int errorCase, String message) {}

    static Err err(GuestMemory m, int ret, int payloadAt, int messageAt) {
        int disc = m.readU8(ret);
        int errorCase = m.readU8(ret + payloadAt);
        String message = messageAt < 0 ? null : new String(m.readBytes(m.readI32(ret + messageAt), m.readI32(ret + messageAt + 4)),
                StandardCharsets.UTF_8);
        return new Err(disc, errorCase, message);
    }

    @Test
    void modulesLinkAndCallsFailAsTheInterfacesOwnErrorLoggedOncePerComponentAndInterface() throws Exception {
        Path manifest = TestApps.manifest(dir, "redis://127.0.0.1:1", List.of(), "unsupported-caller");
        TestApps.CapturingLog log = new TestApps.CapturingLog();
        try (SpindleApp app = Spindle.load(manifest, SpindleOptions.builder().environment(Map.of()).log(log).build())) {
            String c = "unsupported-caller";
            // sqlite.open -> result<u32, error>: io (case 4) with its string @8
            Err open = app.invoke(c, g -> err(g.memory(), (int) g.call("call-sqlite-open")[0], 4, 8));
            assertEquals(new Err(1, 4, "sqlite is not supported by this host (Spindle provides no SQLite)"), open);
            app.invoke(c, g -> g.call("call-sqlite-open")); // a second call: no second log line
            // outbound-pg.query -> result<row-set, pg-error>: other-error (case 5)
            assertEquals(new Err(1, 5, "outbound-pg is not supported by this host (Spindle provides no outbound PostgreSQL)"),
                    app.invoke(c, g -> err(g.memory(), (int) g.call("call-pg-query")[0], 4, 8)));
            assertEquals(new Err(1, 5, "outbound-mysql is not supported by this host (Spindle provides no outbound MySQL)"),
                    app.invoke(c, g -> err(g.memory(), (int) g.call("call-mysql-execute")[0], 4, 8)));
            // unversioned fermyon:spin/postgres.execute -> result<u64, pg-error>: the payload is 8-aligned
            assertEquals(new Err(1, 5, "fermyon:spin/postgres is not supported by this host (Spindle provides no outbound PostgreSQL)"),
                    app.invoke(c, g -> err(g.memory(), (int) g.call("call-unversioned-pg-execute")[0], 8, 12)));
            // llm.infer, option<record> flattened into the call: runtime-error (case 1)
            assertEquals(new Err(1, 1, "llm is not supported by this host (Spindle provides no LLM inferencing)"),
                    app.invoke(c, g -> err(g.memory(), (int) g.call("call-llm-infer")[0], 4, 8)));
            // 2.0.0 resources: open says so; a method on a handle never handed out traps
            assertEquals(new Err(1, 4, "fermyon:spin/sqlite@2.0.0 is not supported by this host (Spindle provides no SQLite)"),
                    app.invoke(c, g -> err(g.memory(), (int) g.call("call-sqlite2-open")[0], 4, 8)));
            assertEquals(new Err(1, 3, "fermyon:spin/mqtt@2.0.0 is not supported by this host (Spindle provides no outbound MQTT)"),
                    app.invoke(c, g -> err(g.memory(), (int) g.call("call-mqtt-open")[0], 4, 8)));
            assertEquals(new Err(1, 1, "fermyon:spin/llm@2.0.0 is not supported by this host (Spindle provides no LLM inferencing)"),
                    app.invoke(c, g -> err(g.memory(), (int) g.call("call-embed")[0], 4, 8)));
            InvocationException execute = assertThrows(InvocationException.class, () -> app.invoke(c, g -> g.call("call-sqlite2-execute")));
            assertEquals(InvocationException.Kind.ABI_VIOLATION, execute.kind());
            // close has no error case: it traps
            InvocationException close = assertThrows(InvocationException.class, () -> app.invoke(c, g -> g.call("call-sqlite-close")));
            assertTrue(close.getMessage().contains("sqlite close is not supported by this host"), close.getMessage());
        }
        List<String> lines = log.lines.stream().filter(l -> l.contains("but Spindle does not provide")).toList();
        assertEquals(8, lines.size(), String.join("\n", lines)); // sqlite, outbound-pg, outbound-mysql, fermyon:spin/postgres, llm, sqlite@2, mqtt@2, llm@2
        assertEquals(1, lines.stream().filter(l -> l.contains("does not provide sqlite ")).count(), String.join("\n", lines));
        assertTrue(lines.contains("WARN [unsupported-caller] called sqlite open, but Spindle does not provide sqlite (SQLite); the call"
                + " returned its error value \"not supported by this host\" (logged once per component and interface)"), String.join("\n", lines));
    }
}
