package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.HostLog;
import dev.spindle.host.SafeLog;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** One access entry per request, whatever its fate, and rejections logged through the app's rate-limited log. */
@ExtendWith(RedisServerExtension.class)
class AccessLogTest {
    static final class Recording implements HostLog {
        final List<HostLog.Access> entries = new CopyOnWriteArrayList<>();
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void log(Level level, String componentId, String message) {
            lines.add(level + " [" + componentId + "] " + message);
        }

        String all() {
            return String.join("\n", lines);
        }

        @Override
        public void access(Access entry) {
            entries.add(entry);
        }
    }

    @Test
    void everyRequestGetsOneEntryAndOversizedBodiesAWarning(RedisServer redis, @TempDir Path dir) throws Exception {
        Recording log = new Recording();
        HttpClient client = HttpClient.newHttpClient();
        try (SpindleApp app = TestApps.load(dir, HttpServerLimitsTest.MANIFEST.formatted(TestApps.wasm("http-counter")), redis.uri(), log);
             HttpTriggerServer server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0).withMaxBodyBytes(10))) {
            String base = server.baseUrl();
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(base + "/count?secret=1")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(base + "/static")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(404, client.send(HttpRequest.newBuilder(URI.create(base + "/missing")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            int rejected = 3;
            for (int i = 0; i < rejected; i++) {
                assertEquals(413, client.send(HttpRequest.newBuilder(URI.create(base + "/count"))
                        .POST(HttpRequest.BodyPublishers.ofString("far more than ten bytes")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (log.entries.size() < 3 + rejected && System.nanoTime() < deadline) {
                Thread.sleep(10); // an entry is written once the response is out
            }
            List<HostLog.Access> entries = log.entries;
            assertEquals(3 + rejected, entries.size());
            assertEquals("GET /count 200 counter", describe(entries.get(0)), "the query is not logged");
            assertEquals("GET /static 200 -", describe(entries.get(1)));
            assertEquals("GET /missing 404 -", describe(entries.get(2)));
            assertEquals("POST /count 413 counter", describe(entries.get(3)));
            assertTrue(entries.stream().allMatch(e -> !e.duration().isNegative() && e.duration().compareTo(Duration.ofSeconds(20)) < 0));
            long warnings = log.lines.stream().filter(l -> l.startsWith("WARN [http] 413 for POST /count: request body larger than 10 bytes"))
                    .count();
            assertEquals(rejected, warnings, log.all());
            // They reach the operator through the app's SafeLog, whose rate limit (SafeLogTest) keeps a flood to a few lines.
            assertTrue(app.log() instanceof SafeLog);
        }
    }

    private static String describe(HostLog.Access a) {
        return a.method() + " " + a.path() + " " + a.status() + " " + a.componentId();
    }
}
