package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spin's reserved {@code /.well-known/spin/} paths, and the meters a real app's requests leave in
 * Micrometer's global registry: requests by route and status, invocations by outcome, the HTTP
 * gauges, Redis pool gauges and key-value operations.
 */
@ExtendWith(RedisServerExtension.class)
class HealthAndMetricsTest {
    static final String MANIFEST = """
            spin_manifest_version = 2
            [application]
            name = "metered"
            version = "1.2.3"
            [variables]
            redis_address = { required = true }
            [[trigger.http]]
            route = "/count"
            component = "counter"
            [[trigger.http]]
            route = "/trap"
            component = "trapper"
            [[trigger.http]]
            route = "/kv/..."
            component = "kv"
            [[trigger.http]]
            route = "/.well-known/spin/health"
            component = "counter"
            [component.counter]
            source = "%1$s"
            allowed_outbound_hosts = ["redis://127.0.0.1:*"]
            [component.counter.variables]
            redis_address = "{{ redis_address }}"
            [component.trapper]
            source = "%2$s"
            [component.kv]
            source = "%3$s"
            key_value_stores = ["default"]
            """;

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void addRegistry() {
        Metrics.addRegistry(registry);
    }

    @AfterEach
    void removeRegistry() {
        Metrics.removeRegistry(registry);
        registry.close();
    }

    HttpResponse<String> get(HttpTriggerServer server, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAndInfoAreAnsweredByTheRuntime_andRequestsInvocationsPoolsAndStoresAreMetered(RedisServer redis, @TempDir Path dir)
            throws Exception {
        redis.flushAll();
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, MANIFEST.formatted(TestApps.wasm("http-counter"), TestApps.wasm("http-trap"), TestApps.wasm("kv-counter")));
        Path rc = dir.resolve("runtime-config.toml");
        Files.writeString(rc, "[key_value_store.default]\ntype = \"redis\"\nurl = \"" + redis.uri() + "\"\n");
        TestApps.CapturingLog log = new TestApps.CapturingLog();
        try (SpindleApp app = Spindle.load(manifest, SpindleOptions.builder().environment(Map.of()).variable("redis_address", redis.uri())
                     .runtimeConfigFile(rc).invocationTimeout(Duration.ofSeconds(10)).log(log).build());
             HttpTriggerServer server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0))) {
            HttpResponse<String> health = get(server, "/.well-known/spin/health");
            assertEquals(200, health.statusCode());
            assertEquals("OK", health.body(), "the runtime answers, not the route the manifest put there");
            HttpResponse<String> info = get(server, "/.well-known/spin/info");
            assertEquals("application/json", info.headers().firstValue("content-type").orElse(""));
            assertEquals("{\n  \"name\": \"metered\",\n  \"version\": \"1.2.3\"\n}", info.body());
            assertEquals(404, get(server, "/.well-known/spin/metrics").statusCode());
            assertTrue(String.join("\n", log.lines).contains("WARN [http] route /.well-known/spin/health of counter is never reached"), String.join("\n", log.lines));

            assertEquals(200, get(server, "/count").statusCode());
            assertEquals(200, get(server, "/count").statusCode());
            assertEquals(500, get(server, "/trap").statusCode());
            assertEquals(200, get(server, "/kv/default/visits").statusCode());
            assertEquals(404, get(server, "/nothing/here").statusCode());
            // Entries are recorded once the response is out, so the client may see a response a moment
            // before its entry lands: wait for every series this test asserts, not only the first.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while ((count("/count", "200") < 2 || count("/trap", "500") < 1 || count("none", "404") < 2
                    || count("/.well-known/spin/health", "200") < 1) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(2, count("/count", "200"));
            assertEquals(1, count("/trap", "500"));
            assertEquals(2, count("none", "404"), "an unmatched path is one series, whatever the path (/nothing/here, /.well-known/spin/metrics)");
            assertEquals(1, count("/.well-known/spin/health", "200"));
            assertEquals(2.0, registry.get("spindle.invocations").tags("component", "counter", "outcome", "ok").counter().count());
            assertEquals(1.0, registry.get("spindle.invocations").tags("component", "trapper", "outcome", "trap").counter().count());
            // Gauges: another test's app in this JVM may hold the same names and tags (its values are not ours to pin).
            assertTrue(registry.find("spindle.http.queued").gauges().stream().allMatch(g -> g.value() == 0.0));
            assertTrue(registry.find("spindle.redis.connections").tags("pool", "redis", "state", "idle").gauge() != null);
            assertTrue(registry.find("spindle.redis.connections").tags("pool", "redis", "state", "in_use").gauge() != null);
            assertTrue(registry.find("spindle.redis.waiting").tags("pool", "redis").gauge() != null);
            assertTrue(registry.get("spindle.kv.operations").tags("store", "default", "operation", "get").counter().count() >= 1);
            assertTrue(registry.get("spindle.kv.operations").tags("store", "default", "operation", "set").counter().count() >= 1);
        }
    }

    /**
     * This test's requests of a route and status: summed over every matching timer, because the
     * registry also holds (at count 0) the timers earlier tests in this JVM made for other methods.
     */
    private long count(String route, String status) {
        return registry.find("spindle.http.requests").tags("route", route, "status", status).timers().stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count).sum();
    }
}
