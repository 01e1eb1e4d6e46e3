package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import dev.spindle.testing.BuiltGuests;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * JS components built here with the Spin JS SDK's j2w (componentize-js + StarlingMonkey, from npm;
 * guests/js/build.sh) run end to end: guests/js/http served by the HTTP trigger through its
 * {@code wasi:http/incoming-handler@0.2.3} export (plain routes, and routes that reach Redis
 * through {@code fermyon:spin/redis@2.0.0}), and guests/js/redis-trigger under the Redis trigger
 * through {@code fermyon:spin/inbound-redis@2.0.0}. One app holds both, loaded once: each 12 MB
 * component costs tens of seconds of CPU to compile, so the compile cache in target/ is shared
 * with every later load in this build.
 */
@ExtendWith(RedisServerExtension.class)
class JsComponentsTest {
    static final String MANIFEST = """
            spin_manifest_version = 2
            [application]
            name = "js-components"
            [application.trigger.redis]
            address = "{{ redis_address }}"
            [variables]
            redis_address = { required = true }

            [[trigger.http]]
            route = "/..."
            component = "web"
            [component.web]
            source = "%1$s/js-http.wasm"
            allowed_outbound_hosts = ["redis://127.0.0.1:*"]
            [component.web.variables]
            redis_address = "{{ redis_address }}"

            [[trigger.redis]]
            channel = "js-events"
            component = "listener"
            [component.listener]
            source = "%1$s/js-redis-trigger.wasm"
            allowed_outbound_hosts = ["redis://127.0.0.1:*"]
            [component.listener.variables]
            redis_address = "{{ redis_address }}"
            """;

    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final TestApps.CapturingLog log = new TestApps.CapturingLog();
    static RedisServer redis;
    static SpindleApp app;
    static HttpTriggerServer server;
    static RedisTriggers triggers;

    @BeforeAll
    static void start(RedisServer server, @TempDir Path dir) throws Exception {
        redis = server;
        Path built = BuiltGuests.build("js/build.sh", dir.resolve("guests"));
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, MANIFEST.formatted(built.toString().replace("\\", "/")));
        app = Spindle.load(manifest, SpindleOptions.builder()
                .environment(Map.of())
                .variable("redis_address", redis.uri())
                .compileCache(BuiltGuests.compileCache())
                // generous: the first instance of a 12 MB component on a loaded 2-core machine
                .invocationTimeout(Duration.ofSeconds(60))
                .log(log)
                .capability(dev.spindle.redis.RedisCapability.provider(dev.spindle.redis.RedisOptions.defaults()))
                .build());
        JsComponentsTest.server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0));
        triggers = RedisTriggers.start(app);
    }

    @AfterAll
    static void stop() {
        if (triggers != null) {
            triggers.close();
        }
        if (server != null) {
            server.close();
        }
        if (app != null) {
            app.close();
        }
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(server.baseUrl() + pathAndQuery));
    }

    @Test
    void plainHttpRoutesSeeMethodPathQueryAndHeaders() throws Exception {
        HttpResponse<String> hello = send(request("/hello?name=spindle").header("x-test", "from-junit"));
        assertEquals(200, hello.statusCode());
        assertEquals("hello from js: GET /hello name=spindle\n", hello.body());
        assertEquals("from-junit", hello.headers().firstValue("x-echo").orElse(null));
        assertEquals("text/plain", hello.headers().firstValue("content-type").orElse(null));

        assertEquals(418, send(request("/status?code=418")).statusCode());
        HttpResponse<String> missing = send(request("/nowhere"));
        assertEquals(404, missing.statusCode());
        assertEquals("no such route\n", missing.body());
    }

    @Test
    void aRequestBodyTravelsInAndBackOut() throws Exception {
        byte[] body = new byte[1 << 20];
        new Random(13).nextBytes(body);
        HttpResponse<byte[]> echo = client.send(request("/echo").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, echo.statusCode());
        assertArrayEquals(body, echo.body());
    }

    @Test
    void httpRoutesReachRedis() throws Exception {
        String key = "js:count:" + System.nanoTime();
        for (int i = 1; i <= 5; i++) {
            HttpResponse<String> count = send(request("/count?key=" + key));
            assertEquals(200, count.statusCode(), count.body());
            assertEquals(i + "\n", count.body(), "each request a fresh instance, the count in Redis");
        }
        assertEquals("5", redis.withJedis(j -> j.get(key)));

        assertEquals(201, send(request("/set?key=js:greeting").POST(HttpRequest.BodyPublishers.ofString("grüß dich"))).statusCode());
        assertEquals("grüß dich", redis.withJedis(j -> j.get("js:greeting")));
        HttpResponse<String> got = send(request("/get?key=js:greeting"));
        assertEquals(200, got.statusCode());
        assertEquals("grüß dich", got.body());
        assertEquals(404, send(request("/get?key=js:absent:" + System.nanoTime())).statusCode());
    }

    @Test
    void aHandlerThatThrowsGets500AndTheNextRequestIsServed() throws Exception {
        // StarlingMonkey answers a rejected respondWith promise with a 500 itself (and logs the error).
        HttpResponse<String> failed = send(request("/throw"));
        assertEquals(500, failed.statusCode());
        assertEquals(200, send(request("/hello")).statusCode());
    }

    @Test
    void sequentialRequestsReuseOnePreInitializedInstance() throws Exception {
        assertEquals(200, send(request("/hello")).statusCode());
        int built = app.instancesBuilt("web");
        assertTrue(built > 0, "the JS component runs in the instance pool, not a fresh 12 MB instance per request");
        for (int i = 0; i < 10; i++) {
            assertEquals(200, send(request("/hello?name=" + i)).statusCode());
        }
        assertEquals(built, app.instancesBuilt("web"), "sequential requests reuse the reset instance");
    }

    @Test
    void theRedisTriggerComponentHandlesWhatTheHttpComponentPublishes() throws Exception {
        redis.withJedis(j -> j.del("js:messages", "js:last"));
        RedisTriggersTest.await("subscription", triggers::allSubscribed);
        String message = "published by js at " + System.nanoTime();
        HttpResponse<String> published = send(request("/publish?channel=js-events")
                .POST(HttpRequest.BodyPublishers.ofString(message)));
        assertEquals(202, published.statusCode(), published.body());
        RedisTriggersTest.awaitFor("the listener stored the message", Duration.ofSeconds(60),
                () -> message.equals(redis.withJedis(j -> j.get("js:last"))));
        assertEquals("1", redis.withJedis(j -> j.get("js:messages")));
    }

    @Test
    void aRedisHandlerErrorIsAnErrorResultNotACrash() {
        assertFalse(RedisTriggers.handleMessage(app, "listener", "fail".getBytes(StandardCharsets.UTF_8)));
        assertTrue(RedisTriggers.handleMessage(app, "listener", "fine".getBytes(StandardCharsets.UTF_8)));
        assertEquals("fine", redis.withJedis(j -> j.get("js:last")));
    }
}
