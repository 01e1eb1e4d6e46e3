package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import dev.spindle.testing.Guests;
import dev.spindle.testing.UpstreamHttpServer;
import dev.spindle.wasi.WasiCapabilityProvider;
import dev.spindle.wasi.WasiOptions;
import dev.spindle.wasi.WasiVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTP trigger serving wasi:http components end to end (Jetty, a real client), with our own
 * guests for 0.2.0, rc-2023-11-10 and rc-2023-10-18 (guests/wasi-http): headers, query and
 * status; 10 MB bodies streamed both ways through a guest whose memory is capped at 3 MiB;
 * trailers both ways; a trap mid-body (the response is cut, the next request served); no
 * response and an error response (500); a response cut off at the body limit; outbound HTTP
 * allowed, denied (no connection to the denied server), a redirect not followed, a timeout.
 */
class WasiHttpTriggerTest {
    static final long MEMORY_LIMIT = 3L << 20;
    static final int TEN_MB = 10 << 20;

    @TempDir
    static Path dir;
    static UpstreamHttpServer allowed;
    static UpstreamHttpServer denied;
    static SpindleApp app;
    static HttpTriggerServer server;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final TestApps.CapturingLog log = new TestApps.CapturingLog();

    static String prefix(WasiVersion v) {
        return switch (v) {
            case V0_2_0 -> "v020";
            case RC_2023_11_10 -> "rc1110";
            case RC_2023_10_18 -> "rc1018";
        };
    }

    static String guest(WasiVersion v) {
        return TestApps.wasm("wasi-http/http-" + v.label().replace("0.2.0-", ""));
    }

    static String manifest(String allowedHosts) {
        StringBuilder m = new StringBuilder("""
                spin_manifest_version = 2
                [application]
                name = "wasi-http-test"
                """);
        for (WasiVersion v : WasiVersion.values()) {
            m.append("""
                    [[trigger.http]]
                    route = "/%1$s/..."
                    component = "%1$s"
                    [component.%1$s]
                    source = "%2$s"
                    allowed_outbound_hosts = %3$s
                    """.formatted(prefix(v), guest(v), allowedHosts));
        }
        return m.toString();
    }

    static SpindleApp load(Path into, String manifest, WasiOptions wasi) throws IOException {
        Files.createDirectories(into);
        Path file = into.resolve("spin.toml");
        Files.writeString(file, manifest);
        return Spindle.load(file, SpindleOptions.builder().environment(Map.of()).memoryLimitBytes(MEMORY_LIMIT)
                .invocationTimeout(Duration.ofSeconds(20)).log(log).capability(new WasiCapabilityProvider(wasi)).build());
    }

    @BeforeAll
    static void start() throws Exception {
        allowed = UpstreamHttpServer.start();
        denied = UpstreamHttpServer.start();
        app = load(dir.resolve("main"), manifest("[\"http://127.0.0.1:" + allowed.port() + "\", \"http://self\"]"),
                WasiOptions.defaults());
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0).withMaxBodyBytes(64L << 20));
    }

    @AfterAll
    static void stop() {
        server.close();
        app.close();
        allowed.close();
        denied.close();
    }

    static URI uri(HttpTriggerServer s, WasiVersion v, String pathAndQuery) {
        return URI.create(s.baseUrl() + "/" + prefix(v) + pathAndQuery);
    }

    static HttpResponse<String> get(WasiVersion v, String pathAndQuery) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(server, v, pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @EnumSource(WasiVersion.class)
    void headersQueryAndStatusReachTheGuestAndItsResponseTheClient(WasiVersion v) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri(server, v, "/echo?status=203&a=b%20c"))
                .header("X-One", "1").header("X-Multi", "first").header("X-Multi", "second").header("spin-full-url", "forged")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(203, r.statusCode());
        assertEquals("GET", r.headers().firstValue("x-method").orElse(null));
        assertEquals("/" + prefix(v) + "/echo?status=203&a=b%20c", r.headers().firstValue("x-path-with-query").orElse(null));
        assertEquals("127.0.0.1:" + server.port(), r.headers().firstValue("x-authority").orElse(null));
        assertEquals("http", r.headers().firstValue("x-scheme").orElse(null));
        assertEquals(v.label(), r.headers().firstValue("x-version").orElse(null));
        assertEquals("1", r.headers().firstValue("x-echo-x-one").orElse(null));
        assertEquals(java.util.List.of("first", "second"), r.headers().allValues("x-echo-x-multi"));
        // The client's forged spin-full-url is dropped; the host's own spin-* headers are there, as
        // the Spin executor gives them (one list, IncomingRequest.spinHeaders).
        String count = r.headers().firstValue("x-header-count").orElseThrow();
        assertTrue(Integer.parseInt(count) >= 4 + 7, count);
        String p = "/" + prefix(v);
        assertEquals(java.util.List.of(server.baseUrl() + p + "/echo?status=203&a=b%20c"), r.headers().allValues("x-echo-spin-full-url"));
        assertEquals("/echo", r.headers().firstValue("x-echo-spin-path-info").orElse(null));
        assertEquals(p + "/...", r.headers().firstValue("x-echo-spin-matched-route").orElse(null));
        assertEquals(p, r.headers().firstValue("x-echo-spin-component-route").orElse(null));
        assertEquals(p + "/...", r.headers().firstValue("x-echo-spin-raw-component-route").orElse(null));
        assertEquals("/", r.headers().firstValue("x-echo-spin-base-path").orElse(null));
        assertTrue(r.headers().firstValue("x-echo-spin-client-addr").orElse("").startsWith("127.0.0.1:"), r.headers().toString());
        assertEquals("", r.body());

        HttpResponse<String> hello = get(v, "/hello");
        assertEquals(200, hello.statusCode());
        assertEquals("hello from wasi:http " + v.label() + "\n", hello.body());
        assertEquals("text/plain", hello.headers().firstValue("content-type").orElse(null));
        assertEquals(404, get(v, "/nowhere").statusCode());
    }

    @Test
    void aHeadRequestGetsTheHeadersWithoutTheBody() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri(server, WasiVersion.V0_2_0, "/hello"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("", r.body());
    }

    static long fnv1a(byte[] b) {
        int h = 0x811c9dc5;
        for (byte x : b) {
            h ^= x & 0xff;
            h *= 16777619;
        }
        return Integer.toUnsignedLong(h);
    }

    @ParameterizedTest
    @EnumSource(WasiVersion.class)
    void tenMegabyteBodiesStreamInAndOutOfAGuestCappedAtThreeMebibytes(WasiVersion v) throws Exception {
        byte[] payload = new byte[TEN_MB];
        new Random(42).nextBytes(payload);

        HttpResponse<String> sum = client.send(HttpRequest.newBuilder(uri(server, v, "/sum"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, sum.statusCode(), sum.body());
        assertEquals(String.format("bytes=%d fnv1a=%08x\n", TEN_MB, fnv1a(payload)), sum.body());

        HttpResponse<InputStream> big = client.send(HttpRequest.newBuilder(uri(server, v, "/big?bytes=" + TEN_MB)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, big.statusCode());
        byte[] got;
        try (InputStream in = big.body()) {
            got = in.readAllBytes();
        }
        assertEquals(TEN_MB, got.length);
        for (int i = 0; i < got.length; i += 4099) {
            assertEquals('a' + i % 26, got[i], "byte " + i);
        }

        // In and out at once: the guest copies chunk by chunk while the client still sends.
        assertArrayEquals(payload, echoConcurrently(v, payload));
    }

    /** Sends a chunked request with trailers over a raw socket and returns the raw response. */
    static String rawChunkedWithTrailers(WasiVersion v) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            // A persistent connection: a response that ends with the connection cannot carry trailers.
            out.write(("POST /" + prefix(v) + "/trailers HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                    + "TE: trailers\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc123\r\nX-Second: two\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return readChunkedResponse(s.getInputStream());
        }
    }

    /** Reads one response with a chunked body, up to the empty line after its trailers. */
    static String readChunkedResponse(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            all.write(c);
            String sofar = all.toString(StandardCharsets.ISO_8859_1);
            int last = sofar.indexOf("\r\n0\r\n");
            if (last >= 0 && sofar.indexOf("\r\n\r\n", last + 2) >= 0) {
                return sofar;
            }
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * POSTs {@code body} and reads the (chunked) response at the same time, as an echo needs: a
     * client that sends everything before reading would deadlock against any streaming server once
     * the socket buffers fill. Returns the decoded response body.
     */
    static byte[] echoConcurrently(WasiVersion v, byte[] body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(30_000);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(("POST /" + prefix(v) + "/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                } catch (IOException e) {
                    // the reader reports what went wrong
                }
            });
            writer.start();
            InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            String status = line(in);
            assertTrue(status.startsWith("HTTP/1.1 200"), status);
            boolean chunked = false;
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                chunked |= h.equalsIgnoreCase("transfer-encoding: chunked");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!chunked) {
                in.transferTo(out);
            } else {
                for (int n = Integer.parseInt(line(in).trim(), 16); n > 0; n = Integer.parseInt(line(in).trim(), 16)) {
                    out.write(in.readNBytes(n));
                    line(in);
                }
            }
            writer.join();
            return out.toByteArray();
        }
    }

    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @EnumSource(WasiVersion.class)
    void trailersReachTheGuestAndTheGuestsTrailersReachTheClient(WasiVersion v) throws Exception {
        String raw = rawChunkedWithTrailers(v);
        assertTrue(raw.startsWith("HTTP/1.1 200"), raw);
        assertTrue(raw.contains("bytes=11\n"), raw);
        assertTrue(raw.toLowerCase().contains("trailer x-checksum: abc123\n"), raw);
        assertTrue(raw.toLowerCase().contains("trailer x-second: two\n"), raw);
        // The guest's own trailers follow the last chunk.
        String afterBody = raw.substring(raw.indexOf("\r\n0\r\n") + 5).toLowerCase();
        assertTrue(afterBody.contains("x-body-bytes: 11\r\n"), raw);
        assertTrue(afterBody.contains(String.format("x-fnv1a: %08x\r\n", fnv1a("hello world".getBytes(StandardCharsets.US_ASCII)))), raw);
    }

    @ParameterizedTest
    @EnumSource(WasiVersion.class)
    void aGuestTrappingMidBodyCutsItsResponseOffAndTheNextRequestIsServed(WasiVersion v) throws Exception {
        HttpRequest trap = HttpRequest.newBuilder(uri(server, v, "/trap-mid-body")).build();
        IOException cut = assertThrows(IOException.class, () -> client.send(trap, HttpResponse.BodyHandlers.ofByteArray()));
        assertTrue(cut.getMessage() != null, String.valueOf(cut));
        // The connection is cut before the executor logs why: wait for the line.
        RedisTriggersTest.await("the trap's log line", () -> log.lines.stream()
                .anyMatch(l -> l.contains("GET /" + prefix(v) + "/trap-mid-body: the response was cut off") && l.contains("trapped")));
        HttpResponse<String> next = get(v, "/hello");
        assertEquals(200, next.statusCode());
        assertEquals("hello from wasi:http " + v.label() + "\n", next.body());
    }

    @ParameterizedTest
    @EnumSource(WasiVersion.class)
    void aGuestThatSetsNoResponseOrAnErrorGets500(WasiVersion v) throws Exception {
        HttpResponse<String> none = get(v, "/no-response");
        assertEquals(500, none.statusCode());
        assertEquals("component did not produce a response\n", none.body());
        HttpResponse<String> error = get(v, "/error");
        assertEquals(500, error.statusCode());
        assertTrue(error.body().startsWith("component returned an error: ") && error.body().contains("guest says no"), error.body());
    }

    @Test
    void aResponseBodyPastTheLimitIsCutOffAndTheServerGoesOn() throws Exception {
        TestApps.CapturingLog quiet = new TestApps.CapturingLog();
        Path d = dir.resolve("limited");
        Files.createDirectories(d);
        Files.writeString(d.resolve("spin.toml"), manifest("[]"));
        try (SpindleApp limited = Spindle.load(d.resolve("spin.toml"), SpindleOptions.builder().environment(Map.of())
                     .memoryLimitBytes(MEMORY_LIMIT).log(quiet)
                     .capability(new WasiCapabilityProvider(WasiOptions.defaults().withMaxResponseBodyBytes(1 << 20))).build());
             HttpTriggerServer s = HttpTriggerServer.start(limited, HttpServerOptions.defaults().withPort(0))) {
            long started = System.nanoTime();
            HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri(s, WasiVersion.V0_2_0, "/big?bytes=" + (1L << 30))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            long received = 0;
            byte[] buf = new byte[65536];
            try (InputStream in = r.body()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    received += n;
                }
                throw new AssertionError("a body cut off at the limit must not end cleanly (" + received + " bytes)");
            } catch (IOException expected) {
                // the connection was cut: the client knows the body is incomplete
            }
            assertTrue(received <= 1 << 20, "received " + received);
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos(), "the guest stopped at the limit");
            assertTrue(String.join("\n", quiet.lines).contains("response body exceeds the limit of 1048576 bytes"), String.join("\n", quiet.lines));
            assertEquals(200, client.send(HttpRequest.newBuilder(uri(s, WasiVersion.V0_2_0, "/hello")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void aRequestBodyPastTheServersLimitIs413OrFailsTheGuestsRead() throws Exception {
        TestApps.CapturingLog quiet = new TestApps.CapturingLog();
        Path d = dir.resolve("request-limited");
        Files.createDirectories(d);
        Files.writeString(d.resolve("spin.toml"), manifest("[]"));
        try (SpindleApp limited = Spindle.load(d.resolve("spin.toml"), SpindleOptions.builder().environment(Map.of())
                     .memoryLimitBytes(MEMORY_LIMIT).log(quiet).build());
             HttpTriggerServer s = HttpTriggerServer.start(limited, HttpServerOptions.defaults().withPort(0).withMaxBodyBytes(1 << 20))) {
            byte[] big = new byte[2 << 20];
            // A declared length over the limit: 413 before the guest runs.
            HttpResponse<String> declared = client.send(HttpRequest.newBuilder(uri(s, WasiVersion.V0_2_0, "/sum"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, declared.statusCode(), declared.body());
            // A chunked body that grows past it: the guest's read fails (and this guest answers 500), the log says why.
            HttpResponse<String> chunked = client.send(HttpRequest.newBuilder(uri(s, WasiVersion.V0_2_0, "/sum"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(500, chunked.statusCode(), chunked.body());
            assertEquals("reading the request body failed\n", chunked.body());
            assertTrue(String.join("\n", quiet.lines).contains("WARN [v020] POST /v020/sum: reading the request body failed"
                    + " (request body larger than 1048576 bytes); the guest's read fails"), String.join("\n", quiet.lines));
            assertEquals(200, client.send(HttpRequest.newBuilder(uri(s, WasiVersion.V0_2_0, "/hello")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @ParameterizedTest
    @EnumSource(WasiVersion.class)
    void outboundAllowedDeniedRedirectedAndTimedOut(WasiVersion v) throws Exception {
        HttpResponse<String> ok = get(v, "/outbound?url=" + allowed.origin() + "/ok");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("200", ok.headers().firstValue("x-upstream-status").orElse(null));
        assertEquals("upstream ok", ok.body());

        int before = denied.accepts();
        HttpResponse<String> no = get(v, "/outbound?url=" + denied.origin() + "/ok");
        assertEquals(502, no.statusCode());
        assertTrue(no.body().contains("HTTP-request-denied"), no.body());
        assertEquals(before, denied.accepts(), "a denied request must not open a connection");
        assertTrue(String.join("\n", log.lines).contains("outbound HTTP request to http://127.0.0.1:" + denied.port() + " denied"), String.join("\n", log.lines));

        // wasi:http hands the guest the 3xx; the allowed server is reached, the redirect target is not.
        HttpResponse<String> redirect = get(v, "/outbound?url=" + allowed.origin() + "/redirect?to=" + denied.origin() + "/ok");
        assertEquals("302", redirect.headers().firstValue("x-upstream-status").orElse(null));
        assertEquals(before, denied.accepts());

        HttpResponse<String> slow = get(v, "/outbound?timeout=300&url=" + allowed.origin() + "/slow-headers?ms=5000");
        assertEquals(502, slow.statusCode());
        assertTrue(slow.body().contains("timeout"), slow.body());

        HttpResponse<String> self = get(v, "/outbound?url=http://self.alt/" + prefix(v) + "/hello");
        assertEquals(200, self.statusCode(), self.body());
        assertEquals("hello from wasi:http " + v.label() + "\n", self.body());
    }

    @Test
    void outboundRequestBodiesReachTheServer() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri(server, WasiVersion.V0_2_0, "/outbound?url=" + allowed.origin() + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("sent by the guest")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("sent by the guest", r.body());
        UpstreamHttpServer.Received last = allowed.received().get(allowed.received().size() - 1);
        assertEquals("POST", last.method());
        assertEquals("17", last.headers().get("content-length"));
    }

}
