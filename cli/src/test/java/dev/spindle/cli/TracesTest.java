package dev.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.spindle.host.Tracing;
import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import dev.spindle.testing.Guests;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spindle run}'s traces: configured as Spin configures them (OTEL_* variables, plus
 * --otel-endpoint), off unless configured, and end to end: a real process sends its spans to a
 * collector (a JDK HttpServer taking POST /v1/traces) as OTLP protobuf; a collector that is down
 * costs one line and never holds up the exit.
 */
@ExtendWith(RedisServerExtension.class)
class TracesTest {
    @TempDir
    Path dir;

    static Map<String, String> env(String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    // ---- configuration ----

    @Test
    void offUnlessAnEndpointIsConfigured_andOtelSdkDisabledWins() {
        assertEquals(Optional.empty(), Traces.settings(Map.of(), null));
        assertEquals(Optional.empty(), Traces.settings(env("OTEL_SERVICE_NAME", "svc", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), null),
                "no endpoint: nothing else is even looked at");
        assertEquals(Optional.empty(), Traces.settings(env("OTEL_EXPORTER_OTLP_ENDPOINT", "  "), null), "blank is unset, as Spin reads it");
        assertEquals(Optional.empty(), Traces.settings(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "OTEL_SDK_DISABLED", "TRUE"), null));
        assertEquals(Optional.empty(), Traces.settings(env("OTEL_SDK_DISABLED", "true"), "http://c:4318"));
        assertTrue(Traces.settings(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "OTEL_SDK_DISABLED", "false"), null).isPresent());
    }

    @Test
    void endpointsAsTheOtlpSpecSpellsThem() {
        assertEquals(URI.create("http://c:4318/v1/traces"), endpoint(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), null));
        assertEquals(URI.create("http://c:4318/v1/traces"), endpoint(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/"), null));
        assertEquals(URI.create("https://c/otlp/v1/traces"), endpoint(env("OTEL_EXPORTER_OTLP_ENDPOINT", "https://c/otlp"), null));
        assertEquals(URI.create("http://t:9/custom"), endpoint(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:9/custom"), null), "the signal's own variable is the whole URL");
        assertEquals(URI.create("http://o:1/v1/traces"), endpoint(env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:9/x"), "http://o:1"),
                "the option wins");
    }

    private static URI endpoint(Map<String, String> env, String option) {
        return Traces.settings(env, option).orElseThrow().endpoint();
    }

    @Test
    void grpcAndOtherProtocolsAreOneLineErrors_headersAndResourceAreParsedWithoutShowingValues() {
        UsageException grpc = assertThrows(UsageException.class,
                () -> Traces.settings(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), null));
        assertEquals("OTEL_EXPORTER_OTLP_PROTOCOL=grpc: Spindle sends traces as http/protobuf only (the collector's OTLP/HTTP port, "
                + "usually 4318); unset it or set http/protobuf", grpc.getMessage());
        UsageException traces = assertThrows(UsageException.class, () -> Traces.settings(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "udp"), null));
        assertTrue(traces.getMessage().startsWith("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=udp is not an OTLP protocol"), traces.getMessage());
        assertTrue(Traces.settings(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"), null).isPresent());

        Traces.Settings s = Traces.settings(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c",
                "OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=abc%3D%3D, x-team = ops",
                "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod,service.name=from-resource",
                "OTEL_SERVICE_NAME", "checkout"), null).orElseThrow();
        assertEquals(Map.of("x-api-key", "abc==", "x-team", "ops"), s.headers());
        assertEquals("prod", s.resource().get("deployment.environment"));
        assertEquals(Optional.of("checkout"), s.serviceName());
        UsageException bad = assertThrows(UsageException.class, () -> Traces.settings(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c",
                "OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer ok,hunter2"), null));
        assertEquals("OTEL_EXPORTER_OTLP_HEADERS: entry 2 is not key=value (values not shown: they may be secrets)", bad.getMessage());
        assertFalse(bad.getMessage().contains("hunter2"));
        UsageException url = assertThrows(UsageException.class, () -> Traces.settings(Map.of(), "collector:4318"));
        assertTrue(url.getMessage().startsWith("--otel-endpoint: \"collector:4318\" is not an http:// or https:// URL"), url.getMessage());
        UsageException userinfo = assertThrows(UsageException.class, () -> Traces.settings(Map.of(), "http://me:pw@c:4318"));
        assertFalse(userinfo.getMessage().contains("pw"), userinfo.getMessage());
    }

    @Test
    void aBadSettingIsAUsageErrorOfRun() {
        // The variable is read from the real environment: use the option, which goes through the same checks.
        CliTest.Result r = CliTest.spindle("run", "--otel-endpoint", "udp://c:1", dir.resolve("spin.toml").toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals("error: --otel-endpoint: \"udp://c:1\" is not an http:// or https:// URL with a host (e.g. http://127.0.0.1:4318) "
                + "(see 'spindle run --help')", r.err().strip());
    }

    @Test
    void withNothingConfiguredNoExporterStarts_withAnEndpointOneDoes(RedisServer redis) throws Exception {
        Path manifest = Files.writeString(dir.resolve("spin.toml"), counterApp());
        try (SpindleApp app = Spindle.load(manifest, SpindleOptions.builder().variable("redis_address", redis.uri()).build())) {
            assertNull(RunCommand.startTraces(Traces.settings(Map.of(), null), app));
            assertFalse(Tracing.get().enabled(), "the runtime's tracing stays off");
            assertFalse(sdkThreadRunning(), "no exporter thread");
            Traces on = RunCommand.startTraces(Traces.settings(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"), null), app);
            try {
                assertTrue(Tracing.get().enabled());
                assertTrue(sdkThreadRunning(), "the check above can fail: a started SDK has its thread");
            } finally {
                on.close();
            }
            assertFalse(Tracing.get().enabled(), "closed: off again");
        }
    }

    private static boolean sdkThreadRunning() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && t.getName().startsWith("BatchSpanProcessor"));
    }

    // ---- end to end ----

    /**
     * {@code spindle run} in a process of its own, its stdout and stderr into one file (not a pipe:
     * the JDK drains a pipe when the process exits, racing a reader for the last lines, which are
     * the ones these tests are about).
     */
    static final class Run implements AutoCloseable {
        final Process process;
        final Path log;

        Run(Path dir, Map<String, String> env, String... args) throws java.io.IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), SpindleCli.class.getName()));
            command.addAll(List.of(args));
            log = dir.resolve("output.txt");
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().putAll(env);
            process = pb.start();
        }

        String output() throws java.io.IOException {
            return Files.exists(log) ? Files.readString(log) : "";
        }

        void awaitOutput(String text, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!output().contains(text)) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new AssertionError("waited for \"" + text + "\"; output:\n" + output());
                }
                Thread.sleep(50);
            }
        }

        /** SIGTERM, then the exit code; fails if the exit takes longer than {@code timeout}. */
        int terminate(Duration timeout) throws Exception {
            process.destroy();
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new AssertionError("did not exit within " + timeout.toMillis() + " ms of SIGTERM; output:\n" + output());
            }
            return process.exitValue();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly().waitFor();
        }
    }

    static String counterApp() {
        return """
                spin_manifest_version = 2
                [application]
                name = "traced-counter"
                version = "2.0.1"
                [variables]
                redis_address = { required = true }
                [[trigger.http]]
                route = "/count"
                component = "counter"
                [component.counter]
                source = "%s"
                allowed_outbound_hosts = ["redis://127.0.0.1:*"]
                [component.counter.variables]
                redis_address = "{{ redis_address }}"
                """.formatted(Guests.path("http-counter.wasm").toString().replace("\\", "/"));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** What the collector received: one entry per POST. */
    record Post(String path, String contentType, byte[] body) {
        boolean has(String text) {
            return contains(body, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void aRealRunSendsItsSpansAsOtlpProtobufToTheCollector(RedisServer redis) throws Exception {
        List<Post> posts = Collections.synchronizedList(new ArrayList<>());
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        collector.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                posts.add(new Post(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("content-type"), body));
                if (System.getProperty("spindle.otlp.sample") != null) { // docs/operations.md's sample: the raw request
                    Files.write(Path.of(System.getProperty("spindle.otlp.sample")), body);
                }
                exchange.sendResponseHeaders(200, -1);
            }
        });
        collector.start();
        Path manifest = Files.writeString(dir.resolve("spin.toml"), counterApp());
        int port = freePort();
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        try (Run p = new Run(dir, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort()),
                "run", "--listen", "127.0.0.1:" + port, "--variable", "redis_address=" + redis.uri(), manifest.toString())) {
            p.awaitOutput("Serving http://127.0.0.1:" + port, Duration.ofSeconds(60));
            assertTrue(p.output().contains("traces to http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces"), p.output());
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/count"))
                    .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            long stopAt = System.nanoTime();
            assertEquals(0, p.terminate(Duration.ofSeconds(20)), p.output());
            assertTrue(Duration.ofNanos(System.nanoTime() - stopAt).toSeconds() < 15, "the exit's flush is bounded");
            assertFalse(p.output().contains("cannot send"), p.output());
        } finally {
            collector.stop(0);
        }
        assertFalse(posts.isEmpty(), "the spans were sent (at the latest by the flush at exit)");
        Post post = posts.get(0);
        assertEquals("POST /v1/traces", post.path());
        assertEquals("application/x-protobuf", post.contentType());
        byte[] all = posts.stream().map(Post::body).reduce(new byte[0], (a, b) -> {
            byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
        });
        Post sent = new Post(post.path(), post.contentType(), all);
        for (String text : List.of("GET /count", "execute_wasm_component counter", "INCRBY", "spin.component_id", "counter",
                "spin.trigger.type", "http.route", "/count", "db.system", "redis", "server.port", "service.name", "traced-counter",
                "service.version", "2.0.1", "dev.spindle")) {
            assertTrue(sent.has(text), "the export holds \"" + text + "\"");
        }
        assertTrue(contains(all, HexFormat.of().parseHex(traceId)), "the caller's trace id, as bytes");
        assertFalse(sent.has("spindle:http-counter"), "never the key the guest INCRs");
    }

    @Test
    void aCollectorThatIsDownIsOneWarningLine_andTheExitIsNotHeldUp(RedisServer redis) throws Exception {
        Path manifest = Files.writeString(dir.resolve("spin.toml"), counterApp());
        int port = freePort();
        int nobody = freePort(); // nothing listens there
        try (Run p = new Run(dir, Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:" + nobody + "/v1/traces"),
                "run", "--listen", "127.0.0.1:" + port, "--variable", "redis_address=" + redis.uri(), manifest.toString())) {
            p.awaitOutput("Serving http://127.0.0.1:" + port, Duration.ofSeconds(60));
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {
                assertEquals(200, client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/count")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            long stopAt = System.nanoTime();
            assertEquals(0, p.terminate(Duration.ofSeconds(20)), p.output());
            assertTrue(Duration.ofNanos(System.nanoTime() - stopAt).toSeconds() < 10, "exit within the bounded flush");
            String out = p.output();
            assertEquals(1, out.split("traces: cannot send", -1).length - 1, out);
            assertTrue(out.contains("to http://127.0.0.1:" + nobody + "/v1/traces: "), out);
            assertFalse(out.contains("Exception\n") || out.contains("\tat ") || out.contains("SEVERE"), "no stack trace, no JUL line:\n" + out);
        }
    }
}
