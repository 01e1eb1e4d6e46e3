package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.SpindleApp;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spin 1.x guests (wit-bindgen 0.2): {@code handle-http-request} and {@code handle-redis-message}
 * serve as the trigger exports, {@code canonical_abi_realloc} as the allocator, and every list
 * read from a result is handed back through {@code canonical_abi_free}.
 */
@ExtendWith(RedisServerExtension.class)
class LegacyExportsTest {
    static final String HTTP_MANIFEST = """
            spin_manifest_version = 2
            [application]
            name = "legacy-http"
            [variables]
            redis_address = { default = "unused" }
            [[trigger.http]]
            route = "/legacy/..."
            component = "legacy"
            [component.legacy]
            source = "%s"
            files = [{ source = "assets", destination = "/" }]
            """;

    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static SpindleApp httpApp(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("assets"));
        Files.writeString(dir.resolve("assets/hello.txt"), "hello, file\n");
        return TestApps.load(dir, HTTP_MANIFEST.formatted(TestApps.wasm("legacy-http")), "unused", new TestApps.CapturingLog());
    }

    @Test
    void legacyHttpGuestServesRequestsThroughTheRealServer(@TempDir Path dir) throws Exception {
        try (SpindleApp app = httpApp(dir);
             HttpTriggerServer server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0)
                     .withShutdownGrace(Duration.ofSeconds(1)))) {
            HttpResponse<String> hello = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/legacy/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, hello.statusCode(), hello.body());
            assertEquals("hello from a legacy guest\n", hello.body());

            HttpResponse<String> echo = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/legacy/echo?q=1"))
                    .header("x-one", "1").POST(HttpRequest.BodyPublishers.ofString("payload")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, echo.statusCode(), echo.body());
            assertEquals("bar", echo.headers().firstValue("foo").orElse(""));
            assertEquals("1", echo.headers().firstValue("x-method").orElse(""), "post is method 1 of the WIT enum");
            assertTrue(echo.body().startsWith("/legacy/echo?q=1|") && echo.body().endsWith("|payload"), echo.body());

            HttpResponse<String> file = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/legacy/files/hello.txt")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, file.statusCode(), file.body());
            assertEquals("hello, file\n", file.body());
            assertEquals("12", file.headers().firstValue("x-file-size").orElse(""));
        }
    }

    /** wit-bindgen 0.2 hosts free each string, then the header list (16-byte elements, align 4), then the body. */
    @Test
    void resultListsAreGivenBackThroughCanonicalAbiFreeOnceRead(@TempDir Path dir) throws Exception {
        try (SpindleApp app = httpApp(dir)) {
            TriggerExport export = TriggerExport.http(app, "legacy");
            assertEquals(new TriggerExport("handle-http-request", true), export);
            HttpRequestData request = new HttpRequestData("GET", "/legacy/echo", "/legacy/echo", "",
                    List.of(Map.entry("spin-path-info", "/echo")), new byte[0], null, "http://x/legacy/echo",
                    "127.0.0.1:1", "x", 80, "/");
            List<List<Long>> frees = app.invoke("legacy", guest -> {
                HttpResponseData response = HttpExecutors.handle(guest, export, 0, request);
                assertEquals(200, response.status());
                int count = (int) guest.call("free-log-count")[0];
                List<List<Long>> log = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    log.add(List.of(guest.call("free-log-entry", i, 1)[0], guest.call("free-log-entry", i, 2)[0]));
                }
                return log;
            });
            // foo: bar, x-method: 0, then the 2-element header list, then the body "/legacy/echo|1|"
            assertEquals(List.of(List.of(3L, 1L), List.of(3L, 1L), List.of(8L, 1L), List.of(1L, 1L),
                    List.of(32L, 4L), List.of(15L, 1L)), frees);
        }
    }

    /** The legacy imports a Spin 1.x guest calls: spin-config and fermyon:spin/config, outbound-redis, key-value. */
    @Test
    void legacyGuestReadsItsConfigAndCountsInRedisAndInTheKeyValueStore(RedisServer redis, @TempDir Path dir) throws Exception {
        redis.flushAll();
        Files.createDirectories(dir.resolve("assets"));
        Files.writeString(dir.resolve("runtime-config.toml"), """
                [key_value_store.default]
                type = "redis"
                url = "%s"
                """.formatted(redis.uri()));
        Files.writeString(dir.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "legacy-http"
                [variables]
                redis_address = { required = true }
                [[trigger.http]]
                route = "/legacy/..."
                component = "legacy"
                [component.legacy]
                source = "%s"
                allowed_outbound_hosts = ["redis://127.0.0.1:*"]
                key_value_stores = ["default"]
                [component.legacy.variables]
                redis_address = "{{ redis_address }}"
                greeting = "hi there"
                """.formatted(TestApps.wasm("legacy-http")));
        try (SpindleApp app = dev.spindle.runtime.Spindle.load(dir.resolve("spin.toml"), dev.spindle.runtime.SpindleOptions.builder()
                        .environment(Map.of()).variable("redis_address", redis.uri()).runtimeConfigFile(dir.resolve("runtime-config.toml"))
                        .log(new TestApps.CapturingLog()).build());
             HttpTriggerServer server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0)
                     .withShutdownGrace(Duration.ofSeconds(1)))) {
            java.util.function.Function<String, String> get = path -> {
                try {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/legacy" + path)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    return r.statusCode() + " " + r.body();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            assertEquals("200 hi there", get.apply("/config/greeting"));
            assertEquals("200 hi there", get.apply("/uconfig/greeting"));
            assertEquals("500 provider: no variable \"missing\" for component \"legacy\"\n", get.apply("/config/missing"));
            assertTrue(get.apply("/uconfig/Not-A-Name").startsWith("500 invalid-key: invalid variable name"));
            assertEquals("200 1", get.apply("/redis/hits"));
            assertEquals("200 2", get.apply("/redis/hits"));
            assertEquals("200 1", get.apply("/kv/visits"));
            assertEquals("200 2", get.apply("/kv/visits"));
        }
        assertEquals("2", redis.withJedis(j -> j.get("hits")));
        assertEquals("2", redis.withJedis(j -> j.get("spindle:kv:legacy-http:default:visits")));
    }

    static final String REDIS_MANIFEST = """
            spin_manifest_version = 2
            [application]
            name = "legacy-redis"
            [application.trigger.redis]
            address = "{{ redis_address }}"
            [variables]
            redis_address = { required = true }
            [[trigger.redis]]
            channel = "legacy"
            component = "legacy"
            [component.legacy]
            source = "%s"
            """;

    @Test
    void legacyRedisGuestHandlesMessagesAndItsResultIsRead(RedisServer redis, @TempDir Path dir) throws Exception {
        TestApps.CapturingLog log = new TestApps.CapturingLog();
        try (SpindleApp app = TestApps.load(dir, REDIS_MANIFEST.formatted(TestApps.wasm("legacy-redis-result")), redis.uri(), log);
             RedisTriggers triggers = RedisTriggers.start(app)) {
            RedisTriggersTest.await("subscription", triggers::allSubscribed);
            redis.withJedis(j -> {
                j.publish("legacy", "ok");
                j.publish("legacy", "not ok");
                j.publish("legacy", "ok");
                return j.publish("legacy", "trap");
            });
            // one lane, in order: when the trap is logged, all four were handled
            RedisTriggersTest.await("the trap", () -> log.lines.stream().anyMatch(l -> l.contains("trapped")));
        }
        List<String> lines = log.lines.stream().filter(l -> l.matches("^[A-Z]+ \\[legacy\\] .*")).toList();
        assertEquals(2, lines.size(), String.valueOf(lines));
        assertTrue(lines.get(0).startsWith("WARN [legacy] handle-message on channel \"legacy\" returned an error"), lines.get(0));
        assertTrue(lines.get(1).contains("trapped"), lines.get(1));
    }
}
