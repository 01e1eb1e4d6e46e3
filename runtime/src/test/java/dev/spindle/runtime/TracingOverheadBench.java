package dev.spindle.runtime;

import dev.spindle.host.Tracing;
import dev.spindle.runtime.trigger.HttpEntry;
import dev.spindle.testing.Guests;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What traces cost per request: the http-counter guest (one invocation, one {@code INCRBY})
 * through {@code app.http().handle}, with the server span made as the HTTP trigger makes it,
 * alternately with tracing off and on (the SDK with its batching processor, spans handed to an
 * exporter that only counts them: the cost in the process, not the network's), in process CPU time.
 *
 * <p>Usage: {@code TracingOverheadBench redis://127.0.0.1:PORT [requests-per-round] [rounds]}
 */
public final class TracingOverheadBench {
    public static void main(String[] args) throws Exception {
        String redis = args[0];
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        Path dir = Files.createTempDirectory("tracing-bench");
        Path manifest = Files.writeString(dir.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "bench"
                [[trigger.http]]
                route = "/count"
                component = "counter"
                [component.counter]
                source = "%s"
                allowed_outbound_hosts = ["redis://127.0.0.1:*"]
                [component.counter.variables]
                redis_address = "%s"
                """.formatted(Guests.path("http-counter.wasm").toString().replace("\\", "/"), redis));
        AtomicLong exported = new AtomicLong();
        SpanExporter counting = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                exported.addAndGet(spans.size());
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(counting).build()).build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
        List<Double> off = new ArrayList<>();
        List<Double> on = new ArrayList<>();
        try (SpindleApp app = Spindle.load(manifest, SpindleOptions.builder().environment(Map.of()).log((l, c, m) -> { }).build())) {
            HttpEntry.Request request = HttpEntry.Request.get("/count");
            for (int round = -2; round < rounds; round++) { // two warm-up rounds of each
                Tracing.uninstall();
                double a = round(app, request, perRound);
                Tracing.install(sdk);
                double b = round(app, request, perRound);
                if (round >= 0) {
                    off.add(a);
                    on.add(b);
                }
            }
        } finally {
            Tracing.uninstall();
            provider.forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS);
            provider.shutdown();
        }
        Collections.sort(off);
        Collections.sort(on);
        double mOff = off.get(off.size() / 2);
        double mOn = on.get(on.size() / 2);
        System.out.printf("requests per round %d, rounds %d; median CPU us/request: off %.1f, on %.1f, delta %.1f (%.1f%%); spans exported %d%n",
                perRound, rounds, mOff, mOn, mOn - mOff, 100 * (mOn - mOff) / mOff, exported.get());
        System.out.println("off rounds: " + off + "\non rounds:  " + on);
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /**
     * Mean microseconds of process CPU time per request over {@code n} requests, each under a
     * server span as the trigger makes it (CPU time, not wall time: the machine is shared, and the
     * SDK's export thread is counted too).
     */
    private static double round(SpindleApp app, HttpEntry.Request request, int n) {
        long t0 = OS.getProcessCpuTime();
        for (int i = 0; i < n; i++) {
            Tracing.Traced span = Tracing.get().httpServer("GET", "/count", "http", Map.<String, String>of(), MAP);
            span.routed("/count", "counter");
            int status;
            try (Scope s = span.makeCurrent()) {
                status = app.http().handle(request).status();
            }
            span.endHttp(status);
            if (status != 200) {
                throw new IllegalStateException("status " + status);
            }
        }
        return (OS.getProcessCpuTime() - t0) / 1000.0 / n;
    }

    private static final io.opentelemetry.context.propagation.TextMapGetter<Map<String, String>> MAP =
            new io.opentelemetry.context.propagation.TextMapGetter<>() {
                @Override
                public Iterable<String> keys(Map<String, String> carrier) {
                    return carrier.keySet();
                }

                @Override
                public String get(Map<String, String> carrier, String key) {
                    return carrier == null ? null : carrier.get(key);
                }
            };
}
