package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import dev.spindle.testing.UpstreamHttpServer;
import dev.spindle.wasi.WasiCapabilityProvider;
import dev.spindle.wasi.WasiOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outbound HTTP's matcher and limits from real guests (guests/wasi-http): the wasi:http 0.2.0
 * handler and the Spin 1.x one ({@code fermyon:spin/http}), both with
 * {@code allowed_outbound_hosts = ["http://127.0.0.1:*"]}: a port wildcard lets them reach the
 * loopback server; the same server under another scheme or host name is denied without a
 * connection; a denied URL's path, query and credentials never reach the log; a response past the
 * size limit fails the guest's read (wasi:http) or the call (legacy); the runtime config's
 * {@code [outbound_http] max_concurrent_requests = 1} bounds each component separately.
 */
class OutboundHttpLimitsTest {
    static final long MAX_RESPONSE = 64 << 10;

    @TempDir
    static Path dir;
    static UpstreamHttpServer upstream;
    static SpindleApp app;
    static HttpTriggerServer server;
    static final TestApps.CapturingLog log = new TestApps.CapturingLog();
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        upstream = UpstreamHttpServer.start();
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "outbound-limits"
                [[trigger.http]]
                route = "/wasi/..."
                component = "wasi"
                [[trigger.http]]
                route = "/legacy"
                component = "legacy"
                [component.wasi]
                source = "%s"
                allowed_outbound_hosts = ["http://127.0.0.1:*"]
                [component.legacy]
                source = "%s"
                allowed_outbound_hosts = ["http://127.0.0.1:*"]
                """.formatted(TestApps.wasm("wasi-http/http-0.2.0"), TestApps.wasm("wasi-http/spin-http-outbound")));
        Path runtimeConfig = dir.resolve("runtime-config.toml");
        Files.writeString(runtimeConfig, "[outbound_http]\nmax_concurrent_requests = 1\n");
        WasiOptions wasi = WasiOptions.defaults().withOutbound(WasiOptions.defaults().outbound().withMaxResponseBytes(MAX_RESPONSE));
        app = Spindle.load(manifest, SpindleOptions.builder().environment(Map.of()).log(log).runtimeConfigFile(runtimeConfig)
                .capability(new WasiCapabilityProvider(wasi)).build());
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
        app.close();
        upstream.close();
    }

    static HttpResponse<String> wasi(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/wasi/outbound?url="
                + URLEncoder.encode(url, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    }

    static CompletableFuture<HttpResponse<String>> wasiAsync(String url) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/wasi/outbound?url="
                + URLEncoder.encode(url, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    }

    static CompletableFuture<HttpResponse<String>> legacyAsync(String url) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/legacy?iface=spin&url="
                + URLEncoder.encode(url, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> legacy(String url) throws Exception {
        return legacyAsync(url).get();
    }

    static String logText() {
        return String.join("\n", log.lines);
    }

    @Test
    void aPortWildcardAllowsTheServerAndAnotherSchemeOrHostNameForItIsDeniedWithoutAConnection() throws Exception {
        HttpResponse<String> ok = wasi(upstream.origin() + "/ok");
        assertEquals("200", ok.headers().firstValue("x-upstream-status").orElse(null), ok.body());
        assertEquals("upstream ok", ok.body());
        assertEquals("upstream ok", legacy(upstream.origin() + "/ok").body());

        int before = upstream.accepts();
        HttpResponse<String> https = wasi("https://127.0.0.1:" + upstream.port() + "/ok");
        assertEquals(502, https.statusCode());
        assertTrue(https.body().contains("HTTP-request-denied"), https.body());
        assertEquals("error 1", legacy("https://127.0.0.1:" + upstream.port() + "/ok").body(), "destination-not-allowed");
        // The same server by another name: the matcher compares names, and the request goes to
        // exactly the host that was checked.
        HttpResponse<String> byName = wasi("http://localhost:" + upstream.port() + "/ok");
        assertTrue(byName.body().contains("HTTP-request-denied"), byName.body());
        assertEquals("error 1", legacy("http://localhost:" + upstream.port() + "/ok").body());
        assertEquals(before, upstream.accepts(), "a denied request must not open a connection");
        assertTrue(logText().contains("outbound HTTP request to https://127.0.0.1:" + upstream.port()
                + " denied: not in allowed_outbound_hosts (add \"https://127.0.0.1:" + upstream.port() + "\" to allow it)"), logText());
    }

    @Test
    void aDeniedRequestsPathQueryAndCredentialsStayOutOfTheLog() throws Exception {
        int before = upstream.accepts();
        wasi("http://localhost:" + upstream.port() + "/private/path?token=s3cret-query");
        legacy("http://localhost:" + upstream.port() + "/private/path?token=s3cret-query");
        HttpResponse<String> userinfo = wasi("http://alice:s3cret-password@127.0.0.1:" + upstream.port() + "/ok");
        assertEquals(502, userinfo.statusCode());
        assertTrue(userinfo.body().contains("HTTP-request-URI-invalid"), userinfo.body());
        assertEquals(before, upstream.accepts());
        assertTrue(logText().contains("outbound HTTP request to http://localhost:" + upstream.port() + " denied"), logText());
        assertFalse(logText().contains("s3cret") || logText().contains("/private/path"), logText());
    }

    @Test
    void aResponsePastTheSizeLimitFailsTheGuestsReadOrTheLegacyCall() throws Exception {
        HttpResponse<String> small = wasi(upstream.origin() + "/bytes?n=" + MAX_RESPONSE);
        assertEquals("complete", small.headers().firstValue("x-upstream-body").orElse(null));
        assertEquals(MAX_RESPONSE, small.body().length());

        HttpResponse<String> big = wasi(upstream.origin() + "/bytes?n=" + (MAX_RESPONSE * 4));
        assertEquals("200", big.headers().firstValue("x-upstream-status").orElse(null), big.body());
        assertEquals("failed", big.headers().firstValue("x-upstream-body").orElse(null), "the guest's read past the limit fails");
        assertTrue(big.body().length() <= MAX_RESPONSE, "the guest got " + big.body().length() + " bytes");

        assertEquals(MAX_RESPONSE, legacy(upstream.origin() + "/bytes?n=" + MAX_RESPONSE).body().length());
        assertEquals("error 4", legacy(upstream.origin() + "/bytes?n=" + (MAX_RESPONSE * 4)).body(), "runtime-error");
        assertTrue(logText().contains("[wasi] outbound HTTP response from " + upstream.origin() + " exceeds the limit of 65536 bytes"), logText());
        assertTrue(logText().contains("[legacy] outbound HTTP response from " + upstream.origin() + " exceeds the limit of 65536 bytes"), logText());
    }

    @Test
    void maxConcurrentRequestsBoundsEachComponentSeparately() throws Exception {
        int received = upstream.received().size();
        CompletableFuture<HttpResponse<String>> slowWasi = wasiAsync(upstream.origin() + "/slow-headers?ms=3000");
        CompletableFuture<HttpResponse<String>> slowLegacy = legacyAsync(upstream.origin() + "/slow-headers?ms=3000");
        RedisTriggersTest.await("both slow requests at the upstream", () -> upstream.received().size() >= received + 2);

        // Each component's one slot is taken: one more request of either is refused at once...
        HttpResponse<String> refused = wasi(upstream.origin() + "/ok");
        assertEquals(502, refused.statusCode());
        assertTrue(refused.body().contains("connection-limit-reached"), refused.body());
        assertEquals("error 5", legacy(upstream.origin() + "/ok").body(), "too-many-requests");
        assertTrue(logText().contains("[wasi] outbound HTTP request refused: the component's limit of 1 requests in flight is reached"
                + " ([outbound_http] max_concurrent_requests)"), logText());
        assertEquals(received + 2, upstream.received().size(), "a refused request never reached the network");

        // ...and the slots come back when the requests end.
        assertEquals("slow", slowWasi.get().body());
        assertEquals("slow", slowLegacy.get().body());
        assertEquals("upstream ok", wasi(upstream.origin() + "/ok").body());
        assertEquals("upstream ok", legacy(upstream.origin() + "/ok").body());
    }
}
