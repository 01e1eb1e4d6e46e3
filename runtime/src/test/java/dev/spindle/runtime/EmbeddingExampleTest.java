package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The embedding snippet in docs/engine.md, compiled and run. The test also checks that the
 * document still contains exactly the lines between the SNIPPET markers below.
 */
@ExtendWith(RedisServerExtension.class)
class EmbeddingExampleTest {

    @Test
    void theDocumentedSnippetRuns(RedisServer redis) throws Exception {
        String redisUri = redis.uri();
        Path manifestPath = Guests.repoRoot().resolve("examples/command-counter/spin.toml");
        String hostPort = "127.0.0.1:" + redis.port();
        int exitCode;
        // SNIPPET START
        SpindleOptions options = SpindleOptions.builder()
                .variable("redis_address", redisUri)          // like --variable redis_address=...
                .variable("redis_host", hostPort)             // fills allowed_outbound_hosts' template
                .invocationTimeout(Duration.ofSeconds(5))
                .build();
        try (SpindleApp app = Spindle.load(manifestPath, options)) {
            exitCode = app.runCommand("counter");             // _start in a fresh instance
            long answer = app.invoke("counter", guest -> guest.memory().raw().pages()); // any code against a fresh instance
            System.out.println("exit " + exitCode + ", memory pages " + answer);
        }
        // SNIPPET END
        assertEquals(0, exitCode);
        assertEquals("1", redis.withJedis(j -> j.get("spindle:command-runs")));
    }

    /** An embedder depends on spindle-runtime alone: the command line and its parser live in spindle-cli. */
    @Test
    void theRuntimeCarriesNoCommandLine() {
        for (String cliClass : new String[] {"picocli.CommandLine", "dev.spindle.cli.SpindleCli"}) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(cliClass), cliClass + " is on the runtime's class path");
        }
    }

    @Test
    void docsShowTheSnippetVerbatim() throws IOException {
        String source = Files.readString(Guests.repoRoot().resolve("runtime/src/test/java/dev/spindle/runtime/EmbeddingExampleTest.java"));
        String snippet = source.substring(source.indexOf("// SNIPPET START\n") + "// SNIPPET START\n".length(), source.indexOf("        // SNIPPET END"));
        String doc = Files.readString(Guests.repoRoot().resolve("docs/engine.md"));
        String unindented = snippet.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).reduce("", (a, b) -> a + b + "\n");
        assertTrue(doc.contains(unindented), "docs/engine.md must contain the snippet:\n" + unindented);
    }
}
