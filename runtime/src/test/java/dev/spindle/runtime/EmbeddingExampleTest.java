package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.trigger.HttpServerOptions;
import dev.spindle.runtime.trigger.HttpTriggerServer;
import dev.spindle.runtime.trigger.ServeOptions;
import dev.spindle.testing.Guests;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The embedding snippets in docs/engine.md, compiled and run. The test also checks that the
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

    @Test
    void theDocumentedServeSnippetServes(RedisServer redis) throws Exception {
        Path manifestPath = Guests.repoRoot().resolve("examples/hello-redis/spin.toml");
        SpindleOptions options = SpindleOptions.builder().variable("redis_address", redis.uri()).build();
        HttpClient client = HttpClient.newHttpClient();
        String body;
        // SERVE SNIPPET START
        try (SpindleApp app = Spindle.load(manifestPath, options);
             Serving serving = app.serve(ServeOptions.builder()                 // runs commands, then serves HTTP, Redis, cron
                     .with(HttpServerOptions.defaults().withPort(0))         // like --listen 127.0.0.1:0
                     .shutdownGrace(Duration.ofSeconds(2))                  // close(): in-flight work may finish
                     .build())) {
            System.out.print(serving.banner());                             // "Serving http://127.0.0.1:<port>" and the routes
            String url = serving.trigger(HttpTriggerServer.class).orElseThrow().baseUrl();
            body = client.send(HttpRequest.newBuilder(URI.create(url + "/")).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        // SERVE SNIPPET END
        assertEquals("1\n", body);
        assertEquals("1", redis.withJedis(j -> j.get("hello-redis:count")));
    }

    @Test
    void docsShowTheSnippetsVerbatim() throws IOException {
        String source = Files.readString(Guests.repoRoot().resolve("runtime/src/test/java/dev/spindle/runtime/EmbeddingExampleTest.java"));
        String doc = Files.readString(Guests.repoRoot().resolve("docs/engine.md"));
        for (String marker : new String[] {"// SNIPPET", "// SERVE SNIPPET"}) {
            String start = marker + " START\n";
            String snippet = source.substring(source.indexOf(start) + start.length(), source.indexOf("        " + marker + " END"));
            String unindented = snippet.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).reduce("", (a, b) -> a + b + "\n");
            assertTrue(doc.contains(unindented), "docs/engine.md must contain the snippet:\n" + unindented);
        }
    }
}
