package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.Tracing;
import dev.spindle.runtime.trigger.HttpServerOptions;
import dev.spindle.runtime.trigger.HttpTriggerServer;
import dev.spindle.testing.Guests;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spans a real app makes (issue 15 item 3, traces), read from an in-memory exporter: one
 * trace per HTTP request under the caller's {@code traceparent}, request -> invocation -> Redis
 * call, the attributes each carries and never a key or value, error status on a trap and a
 * timeout, and invocation spans for the Redis and cron triggers.
 */
@ExtendWith(RedisServerExtension.class)
class TracesTest {
    static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    static final String CALLER_SPAN = "b7ad6b7169203331";

    @TempDir
    Path dir;

    final InMemorySpanExporter spans = InMemorySpanExporter.create();
    SdkTracerProvider provider;

    @BeforeEach
    void install(RedisServer redis) {
        redis.flushAll();
        provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
        Tracing.install(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
    }

    @AfterEach
    void uninstall() {
        Tracing.uninstall();
        provider.shutdown();
    }

    private SpindleOptions options(RedisServer redis, Duration timeout) {
        return SpindleOptions.builder().environment(Map.of()).variable("redis_address", redis.uri())
                .invocationTimeout(timeout).log((level, component, message) -> { }).build();
    }

    /** The first finished span that matches, waiting for it (a server span ends just after its response is out). */
    private SpanData await(Predicate<SpanData> match) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (SpanData s : spans.getFinishedSpanItems()) {
                if (match.test(s)) {
                    return s;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no such span among " + spans.getFinishedSpanItems().stream().map(SpanData::getName).toList());
    }

    private static Predicate<SpanData> named(String name) {
        return s -> s.getName().equals(name);
    }

    private static String attr(SpanData s, String key) {
        Object v = s.getAttributes().get(AttributeKey.stringKey(key));
        return v == null ? null : v.toString();
    }

    private static Long longAttr(SpanData s, String key) {
        return s.getAttributes().get(AttributeKey.longKey(key));
    }

    /** No attribute value of any span mentions {@code text} (a Redis key or value). */
    private void assertNowhere(String text) {
        for (SpanData s : spans.getFinishedSpanItems()) {
            assertFalse(s.getName().contains(text), s.getName());
            s.getAttributes().forEach((k, v) -> assertFalse(String.valueOf(v).contains(text), s.getName() + " " + k + "=" + v));
            assertFalse(String.valueOf(s.getStatus().getDescription()).contains(text), s.getName());
        }
    }

    @Test
    void aRequestIsOneTraceUnderItsTraceparent_requestThenInvocationThenRedis(RedisServer redis) throws Exception {
        Path manifest = Files.writeString(dir.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "traced"
                [variables]
                redis_address = { required = true }
                [[trigger.http]]
                route = "/count"
                component = "counter"
                [[trigger.http]]
                route = "/trap/..."
                component = "trapper"
                [component.counter]
                source = "%1$s"
                allowed_outbound_hosts = ["redis://127.0.0.1:*"]
                [component.counter.variables]
                redis_address = "{{ redis_address }}"
                [component.trapper]
                source = "%2$s"
                """.formatted(Guests.path("http-counter.wasm").toString().replace("\\", "/"),
                Guests.path("http-trap.wasm").toString().replace("\\", "/")));
        HttpClient client = HttpClient.newHttpClient();
        try (SpindleApp app = Spindle.load(manifest, options(redis, Duration.ofSeconds(10)));
             HttpTriggerServer server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0))) {
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/count"))
                    .header("traceparent", "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            SpanData request = await(named("GET /count"));
            SpanData invocation = await(named("execute_wasm_component counter"));
            SpanData incr = await(named("INCRBY"));

            assertEquals(SpanKind.SERVER, request.getKind());
            assertEquals(TRACE_ID, request.getTraceId(), "the caller's trace");
            assertEquals(CALLER_SPAN, request.getParentSpanId(), "the caller's span is the parent");
            assertTrue(request.getParentSpanContext().isRemote());
            assertEquals("GET", attr(request, "http.request.method"));
            assertEquals("/count", attr(request, "http.route"));
            assertEquals("/count", attr(request, "url.path"));
            assertEquals("http", attr(request, "url.scheme"));
            assertEquals("counter", attr(request, "spin.component_id"));
            assertEquals(200L, longAttr(request, "http.response.status_code"));
            assertEquals(StatusCode.UNSET, request.getStatus().getStatusCode());

            assertEquals(TRACE_ID, invocation.getTraceId());
            assertEquals(request.getSpanId(), invocation.getParentSpanId());
            assertEquals(SpanKind.INTERNAL, invocation.getKind());
            assertEquals("counter", attr(invocation, "spin.component_id"));
            assertEquals("http", attr(invocation, "spin.trigger.type"));
            assertEquals(StatusCode.UNSET, invocation.getStatus().getStatusCode());

            assertEquals(TRACE_ID, incr.getTraceId());
            assertEquals(invocation.getSpanId(), incr.getParentSpanId(), "the guest's Redis call is a child of its invocation");
            assertEquals(SpanKind.CLIENT, incr.getKind());
            assertEquals("redis", attr(incr, "db.system"));
            assertEquals("redis", attr(incr, "db.system.name"));
            assertEquals("INCRBY", attr(incr, "db.operation.name"));
            assertEquals("127.0.0.1", attr(incr, "server.address"));
            assertEquals((long) redis.port(), longAttr(incr, "server.port"));
            assertEquals("0", attr(incr, "db.namespace"));
            assertTrue(request.getStartEpochNanos() <= invocation.getStartEpochNanos()
                    && invocation.getStartEpochNanos() <= incr.getStartEpochNanos()
                    && incr.getEndEpochNanos() <= invocation.getEndEpochNanos()
                    && invocation.getEndEpochNanos() <= request.getEndEpochNanos(), "nested in time");
            assertNowhere("spindle:http-counter"); // the key the guest INCRs
            assertEquals("1", redis.withJedis(j -> j.get("spindle:http-counter")));

            // A trap: the invocation's span is an error of kind "trap", the request's a 500.
            spans.reset();
            assertEquals(500, client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/trap/x")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            SpanData failed = await(named("GET /trap/..."));
            SpanData trapped = await(named("execute_wasm_component trapper"));
            assertEquals(failed.getSpanId(), trapped.getParentSpanId());
            assertFalse(failed.getParentSpanContext().isValid(), "no traceparent: a new trace");
            assertEquals(StatusCode.ERROR, trapped.getStatus().getStatusCode());
            assertEquals("trap", trapped.getStatus().getDescription(), "the kind, never the trap's message");
            assertEquals("trap", attr(trapped, "error.type"));
            assertEquals(StatusCode.ERROR, failed.getStatus().getStatusCode());
            assertEquals(500L, longAttr(failed, "http.response.status_code"));
            assertEquals("/trap/...", attr(failed, "http.route"));
            assertEquals("/trap/x", attr(failed, "url.path"));

            // Unmatched: named by the method alone; health probes are not traced.
            spans.reset();
            assertEquals(404, client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/nowhere?token=secret")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(200, client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/.well-known/spin/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            SpanData unmatched = await(named("GET"));
            assertEquals(404L, longAttr(unmatched, "http.response.status_code"));
            assertEquals(null, attr(unmatched, "http.route"));
            Thread.sleep(100);
            assertEquals(1, spans.getFinishedSpanItems().size(), spans.getFinishedSpanItems().toString());
            assertNowhere("secret"); // the query is not recorded
        }
    }

    @Test
    void redisTriggerAndCronInvocationsAreTracedWithTheirRedisCalls(RedisServer redis) throws Exception {
        Path pubsub = Guests.repoRoot().resolve("examples/pubsub/spin.toml");
        try (SpindleApp app = Spindle.load(pubsub, options(redis, Duration.ofSeconds(10)))) {
            assertTrue(app.redis().deliver("pubsub-demo", "a private message".getBytes(StandardCharsets.UTF_8)).get(0).ok());
        }
        SpanData recorder = await(named("execute_wasm_component recorder"));
        assertEquals("redis", attr(recorder, "spin.trigger.type"));
        assertFalse(recorder.getParentSpanContext().isValid(), "a message starts its own trace");
        List<SpanData> calls = spans.getFinishedSpanItems().stream().filter(s -> s.getParentSpanId().equals(recorder.getSpanId())).toList();
        assertFalse(calls.isEmpty(), "the recorder's Redis calls");
        assertTrue(calls.stream().allMatch(s -> s.getKind() == SpanKind.CLIENT && "redis".equals(attr(s, "db.system"))), calls.toString());
        assertNowhere("a private message");

        spans.reset();
        Path queue = Guests.repoRoot().resolve("examples/queue/spin.toml");
        try (SpindleApp app = Spindle.load(queue, options(redis, Duration.ofSeconds(10)))) {
            assertEquals(0, app.cron().fire("worker"));
        }
        SpanData worker = await(named("execute_wasm_component worker"));
        assertEquals("cron", attr(worker, "spin.trigger.type"));
        assertEquals(StatusCode.UNSET, worker.getStatus().getStatusCode());
        assertTrue(spans.getFinishedSpanItems().stream().anyMatch(s -> s.getParentSpanId().equals(worker.getSpanId())
                && s.getKind() == SpanKind.CLIENT), "the worker's Redis calls: " + spans.getFinishedSpanItems());
    }

    @Test
    void aTimedOutInvocationEndsItsSpanAsATimeout(RedisServer redis) throws Exception {
        Path manifest = dev.spindle.testing.TestManifests.commandApp(dir, redis.uri(), List.of(), "loop");
        try (SpindleApp app = Spindle.load(manifest, options(redis, Duration.ofMillis(300)))) {
            PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true);
            InvocationException e = assertThrows(InvocationException.class,
                    () -> app.runCommand("loop", new ByteArrayInputStream(new byte[0]), sink, sink));
            assertEquals(InvocationException.Kind.TIMEOUT, e.kind());
        }
        SpanData loop = await(named("execute_wasm_component loop"));
        assertEquals(StatusCode.ERROR, loop.getStatus().getStatusCode());
        assertEquals("timeout", attr(loop, "error.type"));
        assertEquals(Tracing.DIRECT, attr(loop, "spin.trigger.type"), "run directly, not by a trigger");
        assertTrue(Duration.ofNanos(loop.getEndEpochNanos() - loop.getStartEpochNanos()).toMillis() >= 250, "spans the whole wait");
    }
}
