package dev.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spindle run --metrics-listen}: a Prometheus scrape of a real process, and Spin's health and info paths. */
class MetricsRunTest {
    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void theMetricsEndpointServesPrometheusTextWithTheRequestsHealthAndInfoAnswered() throws Exception {
        Path m = dir.resolve("spin.toml");
        Files.writeString(m, """
                spin_manifest_version = 2
                [application]
                name = "scraped"
                version = "0.3.0"
                [[trigger.http]]
                route = "/..."
                component = "web"
                executor = { type = "wagi" }
                [component.web]
                source = "%s"
                """.formatted(Guests.path("wagi-hello.wasm").toString().replace("\\", "/")));
        int port = freePort();
        int metricsPort = freePort();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SpindleCli.class.getName(), "run", m.toString(), "--listen", "127.0.0.1:" + port,
                "--metrics-listen", "127.0.0.1:" + metricsPort)
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("Serving http://127.0.0.1:" + port, out.readLine());
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            assertEquals("hello from wagi, path=/hi\n", body(http, base + "/hi"));
            assertEquals("OK", body(http, base + "/.well-known/spin/health"));
            assertEquals("{\n  \"name\": \"scraped\",\n  \"version\": \"0.3.0\"\n}", body(http, base + "/.well-known/spin/info"));
            String webLine = "spindle_http_requests_seconds_count{component=\"web\",method=\"GET\",route=\"/...\",status=\"201\"} 1"; // wagi-hello answers 201
            String healthLine = "spindle_http_requests_seconds_count{component=\"-\",method=\"GET\",route=\"/.well-known/spin/health\","
                    + "status=\"200\"} 1";
            String invocationLine = "spindle_invocations_total{component=\"web\",outcome=\"ok\"} 1";
            String queuedLine = "spindle_http_queued{listener=\"127.0.0.1:" + port + "\"} 0";
            // A request's meter is recorded once its response is out, so the client may see the
            // response first: scrape until every line is there, or the deadline passes.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            HttpResponse<String> scrape;
            String text;
            do {
                scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                text = scrape.body();
            } while (!(text.contains(webLine) && text.contains(healthLine) && text.contains(invocationLine) && text.contains(queuedLine))
                    && System.nanoTime() < deadline && sleep(20));
            assertEquals(200, scrape.statusCode());
            assertEquals(MetricsEndpoint.CONTENT_TYPE, scrape.headers().firstValue("content-type").orElse(""));
            assertTrue(text.contains(webLine), text);
            assertTrue(text.contains(healthLine), text);
            assertTrue(text.contains(invocationLine), text);
            assertTrue(text.contains(queuedLine), text);
            assertTrue(text.contains("jvm_memory_used_bytes"), "the JVM's own meters too");
            assertTrue(Files.readString(dir.resolve("stderr.txt")).contains("INFO [spindle] metrics at http://127.0.0.1:" + metricsPort + "/metrics"));
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aMetricsAddressInUseIsOneLineAndExit1() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CliTest.Result r = CliTest.spindle("run", "--metrics-listen", "127.0.0.1:" + taken.getLocalPort(), dir.resolve("spin.toml").toString());
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().startsWith("error: --metrics-listen: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": "), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    private static String body(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static boolean sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return true;
    }
}
