package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.SpindleApp;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming side of the executor seam ({@link HttpGuestExecutor#buffersBody()} false), which a
 * {@code wasi:http} executor will use: the body arrives as a stream capped at the body limit, and
 * response chunks are flow-controlled, so a client that does not read stops the writer instead of
 * filling memory. The executors here are plain Java stand-ins for a guest.
 */
@ExtendWith(RedisServerExtension.class)
class HttpExecutorSeamTest {
    static SpindleApp app;
    static final TestApps.CapturingLog log = new TestApps.CapturingLog();
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpTriggerServer server;

    @BeforeAll
    static void load(RedisServer redis, @TempDir Path dir) {
        app = TestApps.load(dir, HttpSlowClientsTest.MANIFEST.formatted(TestApps.wasm("http-counter")), redis.uri(), log);
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

    static HttpGuestExecutor streaming(Streaming body) {
        return new HttpGuestExecutor() {
            @Override
            public boolean buffersBody() {
                return false;
            }

            @Override
            public void serve(IncomingRequest request, ResponseSink response) throws IOException {
                body.serve(request, response);
            }
        };
    }

    interface Streaming {
        void serve(IncomingRequest request, ResponseSink response) throws IOException;
    }

    HttpServerOptions options() {
        return HttpServerOptions.defaults().withPort(0).withMaxBodyBytes(64 * 1024).withShutdownGrace(Duration.ofSeconds(1));
    }

    @Test
    void aStreamingExecutorReadsTheBodyAsAStreamAndWritesChunks() throws Exception {
        server = HttpTriggerServer.start(app, options(), Map.of("counter", streaming((request, response) -> {
            assertTrue(!request.bodyBuffered());
            byte[] body = request.bodyStream().readAllBytes();
            response.head(201, List.of(Map.entry("Content-Type", "text/plain"), Map.entry("X-Seen-Host",
                    request.headers().stream().filter(h -> h.getKey().equalsIgnoreCase("host")).count() + "")));
            for (int i = 0; i < 3; i++) {
                response.write(ByteBuffer.wrap(body));
                response.write(ByteBuffer.wrap("|".getBytes(StandardCharsets.US_ASCII)));
            }
            response.end(ByteBuffer.allocate(0));
        })));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/count"))
                .POST(HttpRequest.BodyPublishers.ofString("hello")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode());
        assertEquals("hello|hello|hello|", r.body());
        assertEquals("1", r.headers().firstValue("x-seen-host").orElse(""));
        assertTrue(r.headers().firstValue("content-length").isEmpty(), "a streamed body is chunked");
    }

    @Test
    void aStreamedBodyOverTheCapFailsTheReadAndAnswers500() throws Exception {
        AtomicReference<String> failure = new AtomicReference<>("");
        server = HttpTriggerServer.start(app, options(), Map.of("counter", streaming((request, response) -> {
            try {
                request.bodyStream().readAllBytes();
            } catch (IOException e) {
                failure.set(e.getMessage());
                throw e;
            }
            response.end(ByteBuffer.allocate(0));
        })));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/count"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[200 * 1024])).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        // Either the declared length is refused up front (413) or the stream stops at the cap (500).
        assertTrue(r.statusCode() == 413 || r.statusCode() == 500, r.statusCode() + " " + r.body());
        assertTrue(failure.get().isEmpty() || failure.get().contains("larger than 65536"), failure.get());
    }

    @Test
    void aStreamedBodyWithoutLengthStopsAtTheCap() throws Exception {
        AtomicReference<String> failure = new AtomicReference<>("");
        server = HttpTriggerServer.start(app, options(), Map.of("counter", streaming((request, response) -> {
            try {
                request.bodyStream().readAllBytes();
            } catch (IOException e) {
                failure.set(e.getMessage());
                throw e;
            }
            response.end(ByteBuffer.allocate(0));
        })));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(20_000);
            StringBuilder chunked = new StringBuilder("POST /count HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "x".repeat(4096);
            for (int i = 0; i < 20; i++) {
                chunked.append("1000\r\n").append(chunk).append("\r\n");
            }
            chunked.append("0\r\n\r\n");
            s.getOutputStream().write(chunked.toString().getBytes(StandardCharsets.US_ASCII));
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 500", head);
        }
        assertTrue(failure.get().contains("request body larger than 65536 bytes"), failure.get());
    }

    /** A client that reads nothing stops a writer within what the socket buffers hold; then a write fails. */
    @Test
    void responseChunksAreFlowControlledByTheClient() throws Exception {
        int chunkBytes = 1 << 20;
        int maxChunks = 1024; // 1 GiB if nothing stopped the writer
        AtomicInteger written = new AtomicInteger();
        CompletableFuture<String> writerEnd = new CompletableFuture<>();
        server = HttpTriggerServer.start(app, options(), Map.of("counter", streaming((request, response) -> {
            response.head(200, List.of(Map.entry("content-type", "application/octet-stream")));
            ByteBuffer chunk = ByteBuffer.allocate(chunkBytes);
            try {
                for (int i = 0; i < maxChunks; i++) {
                    response.write(chunk.duplicate());
                    written.incrementAndGet();
                }
                writerEnd.complete("wrote everything");
            } catch (IOException e) {
                writerEnd.complete("stopped: " + e.getMessage());
                throw e;
            }
            response.end(ByteBuffer.allocate(0));
        })));
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.getOutputStream().write("GET /count HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            s.setSoTimeout(20_000);
            in.readNBytes(12); // the response has started
            Thread.sleep(1500); // the client reads nothing more
            int stalledAt = written.get();
            Thread.sleep(500);
            assertEquals(stalledAt, written.get(), "the writer waits for the client");
            assertTrue(stalledAt < 64, "at most a few socket buffers are in flight, not " + stalledAt + " MiB");
        }
        String end = writerEnd.get(20, TimeUnit.SECONDS);
        assertTrue(end.startsWith("stopped"), end);
        assertTrue(written.get() < 64, written.get() + " chunks");
    }
}
