package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.SpindleApp;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * The HTTP trigger's protections with real sockets and small limits: the per-request read
 * deadline against a stalled client, 503 beyond workers + queue, and graceful shutdown. A guest
 * is made slow by keeping the test redis-server busy with a Lua loop, so its INCR waits.
 * Waits are bounded polls; nothing asserts how fast anything is.
 */
@ExtendWith(RedisServerExtension.class)
class HttpServerLimitsTest {
    static final String MANIFEST = """
            spin_manifest_version = 2
            [application]
            name = "limits-test"
            [variables]
            redis_address = { required = true }
            [[trigger.http]]
            route = "/count"
            component = "counter"
            [[trigger.http]]
            route = "/static"
            static_response = { status_code = 200, body = "ok" }
            [component.counter]
            source = "%1$s"
            allowed_outbound_hosts = ["redis://127.0.0.1:*"]
            [component.counter.variables]
            redis_address = "{{ redis_address }}"
            """;
    /** Upper bound for every wait in this test; far above what any step needs. */
    static final Duration BOUND = Duration.ofSeconds(20);

    static SpindleApp app;
    static final TestApps.CapturingLog log = new TestApps.CapturingLog();
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpTriggerServer server;

    @BeforeAll
    static void load(RedisServer redis, @TempDir Path dir) {
        app = TestApps.load(dir, MANIFEST.formatted(TestApps.wasm("http-counter")), redis.uri(), log);
    }

    @AfterAll
    static void unload() {
        app.close();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(BOUND).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(BOUND).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Keeps redis-server busy in a Lua loop for {@code millis} (every other client waits meanwhile). */
    static CompletableFuture<Object> busyRedis(RedisServer redis, long millis) throws InterruptedException {
        CompletableFuture<Object> done = CompletableFuture.supplyAsync(() -> {
            try (Jedis j = new Jedis(new HostAndPort(redis.host(), redis.port()),
                    DefaultJedisClientConfig.builder().socketTimeoutMillis(30_000).build())) {
                return j.eval("""
                        local t = redis.call('TIME')
                        local start = t[1] * 1000000 + t[2]
                        while true do
                          local n = redis.call('TIME')
                          if n[1] * 1000000 + n[2] - start > tonumber(ARGV[1]) * 1000 then return 1 end
                        end
                        """, 0, Long.toString(millis));
            }
        });
        // The script has started when another client's PING stops answering at once.
        await("redis to be busy", () -> done.isDone() || !answersWithin(redis, 100));
        return done;
    }

    static boolean answersWithin(RedisServer redis, int millis) {
        try (Jedis j = new Jedis(new HostAndPort(redis.host(), redis.port()),
                DefaultJedisClientConfig.builder().socketTimeoutMillis(millis).build())) {
            j.ping();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Reads until EOF, a reset, or a status line; returns what the server said ("" for a close). */
    static String awaitCloseOr408(Socket socket) throws IOException {
        socket.setSoTimeout((int) BOUND.toMillis());
        InputStream in = socket.getInputStream();
        StringBuilder got = new StringBuilder();
        byte[] buf = new byte[1024];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept a stalled connection open for " + BOUND.toSeconds() + " s");
        } catch (SocketException e) {
            // reset: closed
        }
        return got.toString();
    }

    @Test
    void clientStallingInTheBodyIsCutOffAfterTheReadDeadlineWhileOthersAreServed() throws Exception {
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0).withWorkers(2).withQueue(2)
                .withRequestReadTimeout(Duration.ofMillis(500)));
        try (Socket slow = new Socket()) {
            slow.connect(new InetSocketAddress("127.0.0.1", server.port()));
            OutputStream out = slow.getOutputStream();
            out.write(("POST /static HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n0123456789")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await("the stalled request to reach the handler", () -> server.inFlight() == 1);
            // Meanwhile another client is served normally.
            HttpResponse<String> other = get("/static");
            assertEquals(200, other.statusCode());
            assertEquals("ok", other.body());
            String answer = awaitCloseOr408(slow);
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 408"), answer);
        }
        await("the log line", () -> log.lines.stream().anyMatch(l -> l.contains("POST /static aborted: client did not send")));
        await("the worker to be free again", () -> server.inFlight() == 0);
        assertEquals(200, get("/static").statusCode());
    }

    @Test
    void clientStallingInTheHeadersIsCutOffToo() throws Exception {
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0).withWorkers(1).withQueue(1)
                .withRequestReadTimeout(Duration.ofMillis(500)));
        try (Socket slow = new Socket()) {
            slow.connect(new InetSocketAddress("127.0.0.1", server.port()));
            slow.getOutputStream().write("GET /static HTTP/1.1\r\nHost: 12".getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            String answer = awaitCloseOr408(slow);
            assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 408"), answer);
        }
        // The only worker is free again.
        assertEquals(200, get("/static").statusCode());
    }

    @Test
    void requestsBeyondWorkersAndQueueGet503AndTheServerRecovers(RedisServer redis) throws Exception {
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0).withWorkers(1).withQueue(1));
        CompletableFuture<Object> busy = busyRedis(redis, 3000);
        CompletableFuture<HttpResponse<String>> first = getAsync("/count");
        await("the first request to occupy the only worker", () -> server.inFlight() == 1);
        CompletableFuture<HttpResponse<String>> second = getAsync("/count");
        await("the second request to wait in the queue", () -> server.queued() == 1);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> rejected = get("/count");
            assertEquals(503, rejected.statusCode());
            assertEquals("server busy, try again", rejected.body().strip());
        }
        busy.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(200, first.get(BOUND.toMillis(), TimeUnit.MILLISECONDS).statusCode());
        assertEquals(200, second.get(BOUND.toMillis(), TimeUnit.MILLISECONDS).statusCode());
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get("/count").statusCode());
        }
    }

    @Test
    void shutdownLetsTheRequestInFlightFinishThenRefusesConnections(RedisServer redis) throws Exception {
        Duration grace = Duration.ofSeconds(10);
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0).withWorkers(4).withShutdownGrace(grace));
        int port = server.port();
        CompletableFuture<Object> busy = busyRedis(redis, 1500);
        CompletableFuture<HttpResponse<String>> inFlight = getAsync("/count");
        await("the request to be in flight", () -> server.inFlight() == 1);

        long start = System.nanoTime();
        server.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(grace.plusSeconds(2)) < 0, "close took " + took.toMillis() + " ms");

        HttpResponse<String> r = inFlight.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(200, r.statusCode(), r.body());
        busy.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            }
        });
    }
}
