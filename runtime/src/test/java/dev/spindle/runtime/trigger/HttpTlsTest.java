package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.SpindleApp;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import dev.spindle.testing.TestCertificates;
import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS from PEM files (as {@code spin up --tls-cert --tls-key}), HTTP/2 over TLS (ALPN) and h2c. */
@ExtendWith(RedisServerExtension.class)
class HttpTlsTest {
    static SpindleApp app;
    static TestCertificates certs;
    static final TestApps.CapturingLog log = new TestApps.CapturingLog();
    HttpTriggerServer server;

    @BeforeAll
    static void load(RedisServer redis, @TempDir Path dir) {
        app = TestApps.load(dir, HttpSlowClientsTest.MANIFEST.formatted(TestApps.wasm("http-counter")), redis.uri(), log);
        certs = TestCertificates.generate(dir.resolve("certs"));
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

    static HttpClient client(HttpClient.Version version) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certs.caCertificate())) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).version(version).connectTimeout(Duration.ofSeconds(5)).build();
    }

    HttpResponse<String> get(HttpClient client, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpServerOptions options() {
        return HttpServerOptions.defaults().withPort(0).withShutdownGrace(Duration.ofSeconds(1));
    }

    @Test
    void httpsServesWithTheGivenPemCertificateAndKey() throws Exception {
        server = HttpTriggerServer.start(app, options().withTls(certs.serverCertificate(), certs.serverKey()));
        assertTrue(server.baseUrl().startsWith("https://127.0.0.1:"), server.baseUrl());
        assertTrue(server.banner().startsWith("Serving https://"), server.banner());
        HttpResponse<String> r = get(client(HttpClient.Version.HTTP_2), "/count");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(HttpClient.Version.HTTP_1_1, r.version(), "HTTP/2 is off unless asked for");
        assertEquals("ok", get(client(HttpClient.Version.HTTP_1_1), "/static").body());
    }

    @Test
    void http2OverTlsIsNegotiatedWithAlpn() throws Exception {
        server = HttpTriggerServer.start(app, options().withTls(certs.serverCertificate(), certs.serverKey()).withHttp2(true));
        HttpClient h2 = client(HttpClient.Version.HTTP_2);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get(h2, "/count");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
        }
        HttpResponse<String> fixed = get(h2, "/static");
        assertEquals("ok", fixed.body());
        assertEquals("Kept", fixed.headers().firstValue("x-mixed-case").orElse(""));
        assertEquals(HttpClient.Version.HTTP_1_1, get(client(HttpClient.Version.HTTP_1_1), "/count").version(),
                "HTTP/1.1 clients are still served");
    }

    @Test
    void h2cUpgradesACleartextConnection() throws Exception {
        server = HttpTriggerServer.start(app, options().withHttp2(true));
        HttpClient h2c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> first = get(h2c, "/static");
        assertEquals(200, first.statusCode());
        HttpResponse<String> r = get(h2c, "/count");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
    }

    @Test
    void h2cWithPriorKnowledgeWorksWithCurl() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(new File("/usr/bin/curl").canExecute(), "curl not installed");
        server = HttpTriggerServer.start(app, options().withHttp2(true));
        Process curl = new ProcessBuilder("/usr/bin/curl", "-sS", "--http2-prior-knowledge", "-o", "/dev/null",
                "-w", "%{http_version} %{http_code}", server.baseUrl() + "/static").redirectErrorStream(true).start();
        assertTrue(curl.waitFor(20, TimeUnit.SECONDS));
        assertEquals("2 200", new String(curl.getInputStream().readAllBytes()).trim());
    }

    @Test
    void badPemFilesAreOneLineErrorsNamingTheFile(@TempDir Path dir) throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a pem\n");
        IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class, () -> HttpTriggerServer.start(app,
                options().withTls(certs.serverCertificate(), garbage)));
        assertEquals("--tls-key " + garbage + " holds no PEM private key (BEGIN PRIVATE KEY)", noKey.getMessage());
        IllegalArgumentException noCert = assertThrows(IllegalArgumentException.class, () -> HttpTriggerServer.start(app,
                options().withTls(garbage, certs.serverKey())));
        assertTrue(noCert.getMessage().startsWith("--tls-cert " + garbage), noCert.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> HttpTriggerServer.start(app,
                options().withTls(dir.resolve("nope.pem"), certs.serverKey())));
        assertEquals("--tls-cert " + dir.resolve("nope.pem") + " is not a readable file", missing.getMessage());
        // The CA's key does not belong to the server certificate.
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class, () -> HttpTriggerServer.start(app,
                options().withTls(certs.serverCertificate(), certs.caCertificate().resolveSibling("ca.key"))));
        assertTrue(mismatch.getMessage().contains("does not match"), mismatch.getMessage());
    }

    @Test
    void aPkcs1RsaKeyIsAcceptedAsSpinAcceptsIt(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("rsa.key");
        Path cert = dir.resolve("rsa.crt");
        run(dir, "/usr/bin/openssl", "genrsa", "-traditional", "-out", key.toString(), "2048");
        assertTrue(Files.readString(key).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        run(dir, "/usr/bin/openssl", "req", "-x509", "-key", key.toString(), "-subj", "/CN=localhost", "-days", "1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-out", cert.toString());
        KeyStore store = PemKeyStore.load(cert, key);
        assertEquals("RSA", store.getKey("spindle", PemKeyStore.PASSWORD.toCharArray()).getAlgorithm());
    }

    static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }
}
