package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.manifest.ManifestException;
import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import dev.spindle.testing.TestCertificates;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outbound HTTPS from real guests to a TLS server with a private CA (Spindle's own HTTP trigger
 * with a throwaway certificate for 127.0.0.1), trusted through Spin's {@code [[client_tls]]}
 * runtime config for some components only; and every kind of bad {@code [[client_tls]]} entry as
 * one line naming the file and line.
 */
class HttpsOutboundTest {
    @TempDir
    static Path dir;
    static SpindleApp tlsApp;
    static HttpTriggerServer tlsServer;
    static SpindleApp app;
    static HttpTriggerServer server;
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static String manifest(int tlsPort) {
        return """
                spin_manifest_version = 2
                [application]
                name = "https-outbound"
                [[trigger.http]]
                route = "/trusted/..."
                component = "trusted"
                [[trigger.http]]
                route = "/untrusted/..."
                component = "untrusted"
                [[trigger.http]]
                route = "/legacy"
                component = "legacy"
                [component.trusted]
                source = "%1$s"
                allowed_outbound_hosts = ["https://127.0.0.1:%3$d"]
                [component.untrusted]
                source = "%1$s"
                allowed_outbound_hosts = ["https://127.0.0.1:%3$d"]
                [component.legacy]
                source = "%2$s"
                allowed_outbound_hosts = ["https://127.0.0.1:%3$d"]
                """.formatted(TestApps.wasm("wasi-http/http-0.2.0"), TestApps.wasm("wasi-http/spin-http-outbound"), tlsPort);
    }

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certs = TestCertificates.generate(dir.resolve("certs"));
        Path upstream = dir.resolve("upstream");
        Files.createDirectories(upstream);
        Files.writeString(upstream.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "tls-upstream"
                [[trigger.http]]
                route = "/..."
                component = "hello"
                [component.hello]
                source = "%s"
                """.formatted(TestApps.wasm("wasi-http/http-0.2.0")));
        tlsApp = Spindle.load(upstream.resolve("spin.toml"), SpindleOptions.builder().environment(Map.of()).build());
        tlsServer = HttpTriggerServer.start(tlsApp, HttpServerOptions.defaults().withPort(0)
                .withTls(certs.serverCertificate(), certs.serverKey()));

        Files.writeString(dir.resolve("spin.toml"), manifest(tlsServer.port()));
        Files.writeString(dir.resolve("runtime-config.toml"), """
                [[client_tls]]
                component_ids = ["trusted", "legacy"]
                hosts = ["127.0.0.1"]
                ca_roots_file = "certs/ca.crt"
                """);
        app = Spindle.load(dir.resolve("spin.toml"), SpindleOptions.builder().environment(Map.of())
                .runtimeConfigFile(dir.resolve("runtime-config.toml")).build());
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
        app.close();
        tlsServer.close();
        tlsApp.close();
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String url(String path) {
        return URLEncoder.encode("https://127.0.0.1:" + tlsServer.port() + path, StandardCharsets.UTF_8);
    }

    @Test
    void aComponentTrustingThePrivateCaReachesTheServerOverHttpsAndAnotherDoesNot() throws Exception {
        HttpResponse<String> trusted = get("/trusted/outbound?url=" + url("/hello"));
        assertEquals(200, trusted.statusCode(), trusted.body());
        assertEquals("200", trusted.headers().firstValue("x-upstream-status").orElse(null));
        assertEquals("hello from wasi:http 0.2.0\n", trusted.body());

        HttpResponse<String> legacy = get("/legacy?iface=spin&url=" + url("/hello"));
        assertEquals("hello from wasi:http 0.2.0\n", legacy.body());

        // The same guest as another component: no [[client_tls]] entry, the JVM's roots, which do not know the CA.
        HttpResponse<String> untrusted = get("/untrusted/outbound?url=" + url("/hello"));
        assertEquals(502, untrusted.statusCode());
        assertEquals("outbound error: TLS-certificate-error\n", untrusted.body());
    }

    static String loadError(String runtimeConfig) throws Exception {
        Path d = Files.createTempDirectory(dir, "bad");
        Files.writeString(d.resolve("spin.toml"), manifest(1));
        Path rc = d.resolve("runtime-config.toml");
        Files.writeString(rc, runtimeConfig);
        ManifestException e = assertThrows(ManifestException.class, () -> Spindle.load(d.resolve("spin.toml"),
                SpindleOptions.builder().environment(Map.of()).runtimeConfigFile(rc).build()));
        assertTrue(e.getMessage().startsWith(rc.toString() + ":"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage().substring(rc.toString().length() + 1);
    }

    @Test
    void aBadClientTlsEntryIsOneLineNamingTheFileAndLine() throws Exception {
        assertEquals("3:1: invalid TLS host \"127.0.0.1:443\" in [[client_tls]]: a host name or IP address without a port"
                + " (ports are not supported, as in Spin)",
                loadError("[[client_tls]]\ncomponent_ids = [\"trusted\"]\nhosts = [\"127.0.0.1:443\"]\n"));
        assertEquals("3:1: [[client_tls]] hosts must be a non-empty list of strings",
                loadError("[[client_tls]]\ncomponent_ids = [\"trusted\"]\nhosts = []\n"));
        assertEquals("2:1: [[client_tls]] component_ids must be a non-empty list of strings",
                loadError("[[client_tls]]\nhosts = [\"example.com\"]\n"));
        assertEquals("4:1: [[client_tls]] ca_roots_file " + dir.resolve("nope.pem") + " cannot be read: NoSuchFileException",
                loadError("[[client_tls]]\ncomponent_ids = [\"trusted\"]\nhosts = [\"example.com\"]\nca_roots_file = \""
                        + dir.resolve("nope.pem") + "\"\n"));
        assertEquals("4:1: [[client_tls]] client_cert_file is not supported by Spindle (outbound HTTP sends no client certificate)",
                loadError("[[client_tls]]\ncomponent_ids = [\"trusted\"]\nhosts = [\"example.com\"]\nclient_cert_file = \"c.pem\"\n"));
        assertEquals("4:1: unknown key `ca_root_file` in [[client_tls]] (known: ca_roots_file, ca_use_platform_roots,"
                        + " ca_use_webpki_roots, client_cert_file, client_private_key_file, component_ids, hosts)",
                loadError("[[client_tls]]\ncomponent_ids = [\"trusted\"]\nhosts = [\"example.com\"]\nca_root_file = \"c.pem\"\n"));
        assertEquals("4:1: [[client_tls]] trusts nothing: set ca_roots_file, or leave ca_use_platform_roots true",
                loadError("[[client_tls]]\ncomponent_ids = [\"trusted\"]\nhosts = [\"example.com\"]\nca_use_platform_roots = false\n"));
        assertEquals("1:1: `client_tls` must be an array of tables, e.g. [[client_tls]]",
                loadError("[client_tls]\nhosts = [\"example.com\"]\n"));
    }
}
