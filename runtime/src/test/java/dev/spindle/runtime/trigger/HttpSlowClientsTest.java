package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.SpindleApp;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for issue 9 items 5 and 10 and for keep-alive: slow clients must cost a
 * connection, never a worker; read deadlines must not leave a timer per request behind; pipelined
 * requests are answered in order; header names keep their case. Bounds are liveness bounds far from
 * both the expected time and the failure mode, not performance targets (those are in
 * {@code bench/slow-clients.sh}).
 */
@ExtendWith(RedisServerExtension.class)
class HttpSlowClientsTest {
    static final String MANIFEST = """
            spin_manifest_version = 2
            [application]
            name = "slow-clients-test"
            [variables]
            redis_address = { required = true }
            [[trigger.http]]
            route = "/count"
            component = "counter"
            [[trigger.http]]
            route = "/static"
            static_response = { status_code = 200, body = "ok", headers = { "X-Mixed-Case" = "Kept" } }
            [component.counter]
            source = "%1$s"
            allowed_outbound_hosts = ["redis://127.0.0.1:*"]
            [component.counter.variables]
            redis_address = "{{ redis_address }}"
            """;
    /** A probe that takes this long means the server is stuck (the expected time is milliseconds). */
    static final Duration PROBE_BOUND = Duration.ofSeconds(5);

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
        return client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(PROBE_BOUND).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Issue 9 item 5: on the JDK server, more header-trickling connections than workers + queue
     * stopped every route (the dispatcher itself read the overflow's headers) until the read
     * deadline. Here 24 such connections against 2 workers and a queue of 2 are held for as long as
     * the probes take, and every probe of a guest route and a static route is answered.
     */
    @Test
    void slowHeaderClientsBeyondWorkersAndQueueDoNotStopOtherRoutes() throws Exception {
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0).withWorkers(2).withQueue(2)
                .withRequestReadTimeout(Duration.ofSeconds(30)).withShutdownGrace(Duration.ofSeconds(1)));
        int slowCount = 24;
        AtomicBoolean stop = new AtomicBoolean();
        List<Socket> slow = new ArrayList<>();
        ExecutorService tricklers = Executors.newFixedThreadPool(slowCount);
        try {
            for (int i = 0; i < slowCount; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                slow.add(s);
                tricklers.submit(() -> trickleHeaders(s, stop));
            }
            Thread.sleep(300); // every slow connection has sent its request line and started its headers
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> counted = get("/count");
                assertEquals(200, counted.statusCode(), counted.body());
                HttpResponse<String> fixed = get("/static");
                assertEquals(200, fixed.statusCode());
                assertEquals("ok", fixed.body());
            }
            for (Socket s : slow) {
                assertTrue(!s.isClosed() && s.isConnected(), "the slow connections are still held");
            }
        } finally {
            stop.set(true);
            tricklers.shutdownNow();
            for (Socket s : slow) {
                s.close();
            }
            tricklers.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Sends a request line, then one header line every 200 ms, never the blank line that ends them. */
    static Void trickleHeaders(Socket socket, AtomicBoolean stop) throws IOException, InterruptedException {
        OutputStream out = socket.getOutputStream();
        out.write("GET /count HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        for (int i = 0; !stop.get() && i < 500; i++) {
            Thread.sleep(200);
            out.write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        return null;
    }

    /**
     * A header trickle is still cut off by the read deadline, though it never goes idle long enough
     * for a connection idle timeout: the deadline counts from the request's first byte.
     */
    @Test
    void headerTrickleIsCutOffAtTheReadDeadline() throws Exception {
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0)
                .withRequestReadTimeout(Duration.ofMillis(800)).withShutdownGrace(Duration.ofSeconds(1)));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write("GET /static HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            s.setSoTimeout(100); // one header line per 100 ms: well inside any idle timeout
            boolean cut = false;
            for (int i = 0; i < 100 && !cut; i++) {
                try {
                    out.write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    cut = s.getInputStream().read() < 0;
                } catch (java.net.SocketTimeoutException e) {
                    // still open: send the next line
                } catch (IOException e) {
                    cut = true; // reset
                }
            }
            assertTrue(cut, "the trickling connection was closed");
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10, "cut off near the 0.8 s deadline");
        }
        assertTrue(log.lines.stream().anyMatch(l -> l.contains("did not send its request headers within 800 ms")),
                String.valueOf(log.lines));
        assertEquals(200, get("/static").statusCode());
    }

    /**
     * Issue 9 item 10: every request armed a read-deadline timer and cancelled timers stayed queued
     * until their expiry, so with a 3600 s timeout the heap grew with the request count. Now the one
     * sweep task is the only timer, however many requests were served.
     */
    @Test
    void readDeadlineTimersDoNotPileUpWithALongTimeout() throws Exception {
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0)
                .withRequestReadTimeout(Duration.ofSeconds(3600)).withShutdownGrace(Duration.ofSeconds(1)));
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            done.add(CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 400; i++) {
                        assertEquals(200, get(i % 4 == 0 ? "/count" : "/static").statusCode());
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }, clients));
        }
        for (CompletableFuture<Void> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        clients.shutdown();
        assertEquals(1, server.scheduledTimers(), "timers queued after 1,600 requests");
    }

    /** Three requests in one write on a keep-alive connection: three answers, in order, none mixed up. */
    @Test
    void pipelinedRequestsAreAnsweredInOrder(RedisServer redis) throws Exception {
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0).withShutdownGrace(Duration.ofSeconds(1)));
        redis.withJedis(j -> j.del("spindle:http-counter"));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("GET /count HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /static HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /count HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            List<String> statuses = new ArrayList<>();
            List<String> bodies = new ArrayList<>();
            int at = 0;
            while (at < all.length()) {
                int headEnd = all.indexOf("\r\n\r\n", at);
                String head = all.substring(at, headEnd);
                statuses.add(head.substring(9, 12));
                int length = Integer.parseInt(head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                        .findFirst().orElseThrow().substring(15).trim());
                bodies.add(all.substring(headEnd + 4, headEnd + 4 + length).strip());
                at = headEnd + 4 + length;
            }
            assertEquals(List.of("200", "200", "404", "200"), statuses, all);
            assertEquals(List.of("1", "ok", "not found", "2"), bodies, all);
        }
    }

    /** The JDK server sent "X-mixed-case"; names go out as the manifest (or the guest) wrote them. */
    @Test
    void responseHeaderNamesKeepTheirCase() throws Exception {
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0).withShutdownGrace(Duration.ofSeconds(1)));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET /static HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(response.contains("\r\nX-Mixed-Case: Kept\r\n"), response);
        }
    }
}
