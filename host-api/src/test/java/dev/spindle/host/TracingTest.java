package dev.spindle.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one place spans are made: off by default (nothing allocated), and each span's shape once installed. */
class TracingTest {
    static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    final InMemorySpanExporter exported = InMemorySpanExporter.create();
    SdkTracerProvider provider;

    void install() {
        provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
        Tracing.install(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
    }

    @AfterEach
    void uninstall() {
        Tracing.uninstall();
        if (provider != null) {
            provider.shutdown();
        }
    }

    @Test
    void offUntilInstalled_everyMethodReturnsTheSharedNoneAndWrapsNothing() throws Exception {
        Tracing off = Tracing.get();
        assertFalse(off.enabled());
        assertSame(Tracing.Traced.NONE, off.httpServer("GET", "/", "http", Map.of("traceparent", "x"), MAP));
        assertSame(Tracing.Traced.NONE, off.invocation("c"));
        assertSame(Tracing.Traced.NONE, off.redisCommand("GET", "127.0.0.1", 6379, 0));
        assertSame(Tracing.Traced.NONE, off.redisPipeline(true, 3, "127.0.0.1", 6379, 0));
        assertSame(Scope.noop(), off.trigger("http"));
        Callable<String> work = () -> "done";
        assertSame(work, Tracing.Traced.NONE.wrap(work), "no wrapper while off");
        assertSame(Scope.noop(), Tracing.Traced.NONE.makeCurrent());
        assertFalse(Tracing.Traced.NONE.recording());
        Tracing.Traced.NONE.routed("/x", "c");
        Tracing.Traced.NONE.endHttp(500);
        Tracing.Traced.NONE.endInvocation("trap");
        Tracing.Traced.NONE.endRedis("ERR");

        install();
        assertTrue(Tracing.get().enabled());
        Tracing.uninstall();
        assertFalse(Tracing.get().enabled());
        assertSame(Tracing.Traced.NONE, Tracing.get().invocation("c"), "off again");
    }

    @Test
    void spansNestServerInvocationRedis_acrossThreads_withTheCallersTraceparent() throws Exception {
        install();
        Tracing tracing = Tracing.get();
        Tracing.Traced request = tracing.httpServer("post", "/orders/42", "https",
                Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), MAP);
        request.routed("/orders/...", "orders");
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try (Scope s = request.makeCurrent()) {
            Tracing.Traced invocation = tracing.invocation("orders");
            // The guest runs on another thread: the Redis span still finds its invocation.
            worker.submit(invocation.wrap(() -> {
                Tracing.get().redisCommand("HSET", "redis.internal", 6380, 2).endRedis(null);
                Tracing.get().redisCommand("INCRBY", "redis.internal", 6380, 2).endRedis("WRONGTYPE");
                Tracing.get().redisPipeline(true, 3, "redis.internal", 6380, 2).endRedis(null);
                return null;
            })).get();
            invocation.endInvocation("trap");
        } finally {
            worker.shutdown();
        }
        request.endHttp(500);

        List<SpanData> spans = exported.getFinishedSpanItems();
        assertEquals(List.of("HSET", "INCRBY", "MULTI", "execute_wasm_component orders", "POST /orders/..."),
                spans.stream().map(SpanData::getName).toList());
        SpanData server = spans.get(4);
        SpanData invocation = spans.get(3);
        assertEquals(SpanKind.SERVER, server.getKind());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", server.getTraceId());
        assertEquals("00f067aa0ba902b7", server.getParentSpanId());
        assertEquals("POST", server.getAttributes().get(AttributeKey.stringKey("http.request.method")));
        assertEquals("/orders/42", server.getAttributes().get(AttributeKey.stringKey("url.path")));
        assertEquals("https", server.getAttributes().get(AttributeKey.stringKey("url.scheme")));
        assertEquals("/orders/...", server.getAttributes().get(AttributeKey.stringKey("http.route")));
        assertEquals(500L, server.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals(StatusCode.ERROR, server.getStatus().getStatusCode());
        assertEquals("500", server.getAttributes().get(AttributeKey.stringKey("error.type")));

        assertEquals(server.getSpanId(), invocation.getParentSpanId());
        assertEquals("http", invocation.getAttributes().get(AttributeKey.stringKey("spin.trigger.type")), "the server span's trigger");
        assertEquals("orders", invocation.getAttributes().get(AttributeKey.stringKey("spin.component_id")));
        assertEquals(StatusCode.ERROR, invocation.getStatus().getStatusCode());
        assertEquals("trap", invocation.getStatus().getDescription());

        for (SpanData redis : spans.subList(0, 3)) {
            assertEquals(invocation.getSpanId(), redis.getParentSpanId(), redis.getName());
            assertEquals(SpanKind.CLIENT, redis.getKind());
            assertEquals("redis", redis.getAttributes().get(AttributeKey.stringKey("db.system")));
            assertEquals("redis.internal", redis.getAttributes().get(AttributeKey.stringKey("server.address")));
            assertEquals(6380L, redis.getAttributes().get(AttributeKey.longKey("server.port")));
            assertEquals("2", redis.getAttributes().get(AttributeKey.stringKey("db.namespace")));
        }
        assertEquals(StatusCode.UNSET, spans.get(0).getStatus().getStatusCode());
        assertEquals("WRONGTYPE", spans.get(1).getAttributes().get(AttributeKey.stringKey("error.type")));
        assertEquals(StatusCode.ERROR, spans.get(1).getStatus().getStatusCode());
        assertEquals(3L, spans.get(2).getAttributes().get(AttributeKey.longKey("db.operation.batch.size")));
    }

    @Test
    void triggersMarkTheirInvocations_andABadTraceparentStartsANewTrace() {
        install();
        Tracing tracing = Tracing.get();
        try (Scope s = tracing.trigger("cron")) {
            tracing.invocation("tick").endInvocation(null);
        }
        tracing.invocation("direct").endInvocation(null);
        Tracing.Traced odd = tracing.httpServer("BREW", "/pot", "http", Map.of("traceparent", "00-not-a-trace-01"), MAP);
        odd.routed("/pot", null);
        odd.endHttp(0);
        List<SpanData> spans = exported.getFinishedSpanItems();
        assertEquals("cron", spans.get(0).getAttributes().get(AttributeKey.stringKey("spin.trigger.type")));
        assertEquals(Tracing.DIRECT, spans.get(1).getAttributes().get(AttributeKey.stringKey("spin.trigger.type")));
        SpanData brew = spans.get(2);
        assertEquals("HTTP /pot", brew.getName(), "a method outside the known set does not name spans");
        assertEquals("_OTHER", brew.getAttributes().get(AttributeKey.stringKey("http.request.method")));
        assertEquals("BREW", brew.getAttributes().get(AttributeKey.stringKey("http.request.method_original")));
        assertFalse(brew.getParentSpanContext().isValid());
        assertNotEquals("00000000000000000000000000000000", brew.getTraceId());
        assertEquals("aborted", brew.getAttributes().get(AttributeKey.stringKey("error.type")));
        assertEquals(null, brew.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    }
}
