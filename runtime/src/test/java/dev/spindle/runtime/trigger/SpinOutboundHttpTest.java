package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spin's outbound HTTP interfaces from before wasi:http, unversioned {@code fermyon:spin/http} and
 * the wit-bindgen 0.2 {@code wasi-outbound-http}, from a real guest (guests/wasi-http/
 * spin-http-outbound.c): allowed, denied without a connection, redirects followed with every hop
 * checked (a hop to a denied host is refused before connecting), a request to the app itself, a
 * first-byte timeout.
 */
class SpinOutboundHttpTest {
    @TempDir
    static Path dir;
    static UpstreamHttpServer allowed;
    static UpstreamHttpServer denied;
    static SpindleApp app;
    static HttpTriggerServer server;
    static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        allowed = UpstreamHttpServer.start();
        denied = UpstreamHttpServer.start();
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "spin-outbound"
                [[trigger.http]]
                route = "/out"
                component = "out"
                [[trigger.http]]
                route = "/static"
                static_response = { status_code = 200, body = "static ok" }
                [component.out]
                source = "%s"
                allowed_outbound_hosts = ["http://127.0.0.1:%d", "http://self"]
                """.formatted(TestApps.wasm("wasi-http/spin-http-outbound"), allowed.port()));
        app = Spindle.load(manifest, SpindleOptions.builder().environment(Map.of()).capability(new WasiCapabilityProvider(
                WasiOptions.defaults().withOutbound(WasiOptions.defaults().outbound().withFirstByteTimeout(Duration.ofMillis(700)))))
                .build());
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
        app.close();
        allowed.close();
        denied.close();
    }

    static HttpResponse<String> send(String iface, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/out?iface=" + iface + "&url="
                + URLEncoder.encode(url, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"spin", "legacy"})
    void allowedDeniedRedirectsSelfAndTimeout(String iface) throws Exception {
        HttpResponse<String> ok = send(iface, allowed.origin() + "/ok");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("200", ok.headers().firstValue("x-upstream-status").orElse(null));
        assertEquals("upstream ok", ok.body());

        int before = denied.accepts();
        HttpResponse<String> no = send(iface, denied.origin() + "/ok");
        assertEquals("error 1", no.body(), "destination-not-allowed");
        assertEquals(before, denied.accepts(), "a denied request must not open a connection");

        // Redirects are followed, as Spin's client does, and every hop is checked.
        HttpResponse<String> followed = send(iface, allowed.origin() + "/redirect?to=" + allowed.origin() + "/ok");
        assertEquals("upstream ok", followed.body());
        assertEquals("200", followed.headers().firstValue("x-upstream-status").orElse(null));
        HttpResponse<String> refused = send(iface, allowed.origin() + "/redirect?to=" + denied.origin() + "/ok");
        assertEquals("error 1", refused.body(), "a redirect to a host the component may not reach is refused");
        assertEquals(before, denied.accepts(), "the redirect target was never connected to");

        HttpResponse<String> self = send(iface, "/static");
        assertEquals("static ok", self.body());

        HttpResponse<String> invalid = send(iface, "not a url");
        assertEquals("error 2", invalid.body(), "invalid-url");

        HttpResponse<String> slow = send(iface, allowed.origin() + "/slow-headers?ms=5000");
        assertEquals("error 3", slow.body(), "request-error after the first-byte timeout");
        assertTrue(slow.statusCode() == 502);
    }
}
