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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP trigger end to end: real server on a free port, real HTTP client, real redis-server. */
@ExtendWith(RedisServerExtension.class)
class HttpTriggerServerTest {
    static final String MANIFEST = """
            spin_manifest_version = 2
            [application]
            name = "http-test"
            [variables]
            redis_address = { required = true }

            [[trigger.http]]
            route = "/count"
            component = "counter"
            [[trigger.http]]
            route = "/wagi/..."
            component = "wagi"
            executor = { type = "wagi" }
            [[trigger.http]]
            route = "/trap"
            component = "trap"
            [[trigger.http]]
            route = "/hostile"
            component = "hostile"
            [[trigger.http]]
            route = "/static/..."
            static_response = { status_code = 418, body = "teapot" }
            [[trigger.http]]
            route = "/static/exact"
            component = "counter-exact"
            [[trigger.http]]
            route = { private = true }
            component = "hidden"

            [component.counter]
            source = "%1$s"
            allowed_outbound_hosts = ["redis://127.0.0.1:*"]
            [component.counter.variables]
            redis_address = "{{ redis_address }}"
            [component.counter-exact]
            source = "%1$s"
            allowed_outbound_hosts = ["redis://127.0.0.1:*"]
            [component.counter-exact.variables]
            redis_address = "{{ redis_address }}"
            [component.hidden]
            source = "%1$s"
            [component.wagi]
            source = "%2$s"
            [component.trap]
            source = "%3$s"
            [component.hostile]
            source = "%4$s"
            """;

    static SpindleApp app;
    static HttpTriggerServer server;
    static final TestApps.CapturingLog log = new TestApps.CapturingLog();
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start(RedisServer redis, @TempDir Path dir) {
        String toml = MANIFEST.formatted(TestApps.wasm("http-counter"), TestApps.wasm("wagi-hello"), TestApps.wasm("http-trap"), TestApps.wasm("http-hostile"));
        app = TestApps.load(dir, toml, redis.uri(), log);
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0).withMaxBodyBytes(1024)
                .withShutdownGrace(Duration.ofSeconds(1)));
    }

    @AfterAll
    static void stop() {
        server.close();
        app.close();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void counterHasNoLostIncrementsUnder8ConcurrentClients(RedisServer redis) throws Exception {
        redis.withJedis(j -> j.del("spindle:http-counter"));
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<List<String>>> futures = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            futures.add(clients.submit(() -> {
                List<String> bodies = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    HttpResponse<String> r = get("/count");
                    assertEquals(200, r.statusCode(), r.body());
                    assertEquals("text/plain", r.headers().firstValue("content-type").orElse(""));
                    bodies.add(r.body());
                }
                return bodies;
            }));
        }
        Set<Integer> seen = new TreeSet<>();
        for (Future<List<String>> f : futures) {
            for (String b : f.get()) {
                seen.add(Integer.parseInt(b));
            }
        }
        clients.shutdown();
        Set<Integer> expected = new TreeSet<>();
        for (int i = 1; i <= 200; i++) {
            expected.add(i);
        }
        assertEquals(expected, seen);
        assertEquals("200", redis.withJedis(j -> j.get("spindle:http-counter")));
    }

    @Test
    void wagiServesCustomStatusHeadersAndPathInfo() throws Exception {
        HttpResponse<String> r = get("/wagi/some/path?x=1");
        assertEquals(201, r.statusCode());
        assertEquals("yes", r.headers().firstValue("x-custom").orElse(""));
        assertEquals("text/plain", r.headers().firstValue("content-type").orElse(""));
        assertEquals("hello from wagi, path=/some/path\n", r.body());
    }

    @Test
    void routingExactBeatsWildcardAndUnknownIs404AndPrivateIsNotServed() throws Exception {
        assertEquals(200, get("/static/exact").statusCode());
        HttpResponse<String> wildcard = get("/static/other");
        assertEquals(418, wildcard.statusCode());
        assertEquals("teapot", wildcard.body());
        assertEquals(404, get("/nowhere").statusCode());
        assertEquals(404, get("/count/extra").statusCode());
        assertTrue(server.banner().lines().noneMatch(l -> l.contains("hidden")), server.banner());
    }

    @Test
    void trapIs500AndTheNextRequestWorks() throws Exception {
        HttpResponse<String> r = get("/trap");
        assertEquals(500, r.statusCode());
        assertTrue(log.lines.stream().anyMatch(l -> l.contains("[trap]") && l.contains("500")), String.valueOf(log.lines));
        assertEquals(500, get("/trap").statusCode());
        assertEquals(200, get("/count").statusCode());
    }

    @Test
    void aResponseThatBreaksTheAbiIs500AndTheServerKeepsServing() throws Exception {
        for (String method : new String[] {"GET", "POST", "PUT", "DELETE"}) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/hostile"))
                            .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(500, r.statusCode(), method + " -> " + r.body());
            assertEquals(200, get("/count").statusCode(), "still serving after " + method);
        }
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/count"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(2048))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode());
        HttpResponse<String> small = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/count"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, small.statusCode());
    }

    @Test
    void methodOutsideTheWitEnumIs405() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/count"))
                .method("TRACE", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, r.statusCode());
    }

    @Test
    void bannerListsRoutesAsSpinDoes() {
        String banner = server.banner();
        assertTrue(banner.startsWith("Serving " + server.baseUrl() + "\nAvailable Routes:\n"), banner);
        assertTrue(banner.contains("  counter: " + server.baseUrl() + "/count\n"), banner);
        assertTrue(banner.contains("  wagi: " + server.baseUrl() + "/wagi (wildcard)\n"), banner);
    }
}
