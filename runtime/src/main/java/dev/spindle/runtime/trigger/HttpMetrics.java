package dev.spindle.runtime.trigger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The HTTP trigger's meters in Micrometer's global registry (docs/operations.md, "Metrics"):
 * {@code spindle.http.requests}, a timer by route, component, method and status; and the gauges
 * {@code spindle.http.queued} (requests waiting for a worker) and {@code spindle.http.in_flight}.
 * Tags come from the route table, never from the request alone, so a client cannot grow the
 * number of series.
 */
final class HttpMetrics implements AutoCloseable {
    /** Methods kept as they are in the {@code method} tag; any other is {@code other}. */
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

    private final MeterRegistry registry;
    private final List<Gauge> gauges;
    /**
     * Each series' timer, registered on its first request and reused: registering builds and
     * sorts the tags and looks the meter up on every call, several hundred bytes a request.
     * Bounded like the series themselves (routes x methods x statuses).
     */
    private final ConcurrentHashMap<Series, Timer> timers = new ConcurrentHashMap<>();

    private record Series(String route, String componentId, String method, int status) {}

    private HttpMetrics(MeterRegistry registry, List<Gauge> gauges) {
        this.registry = registry;
        this.gauges = gauges;
    }

    /** @param listener the listen address, a tag telling two servers in one process apart */
    static HttpMetrics register(String listener, IntSupplier queued, IntSupplier inFlight) {
        MeterRegistry registry = Metrics.globalRegistry;
        List<Gauge> gauges = List.of(
                Gauge.builder("spindle.http.queued", queued, s -> s.getAsInt())
                        .description("HTTP requests waiting for a worker").tag("listener", listener).strongReference(true)
                        .register(registry),
                Gauge.builder("spindle.http.in_flight", inFlight, s -> s.getAsInt())
                        .description("HTTP requests being read, run or written").tag("listener", listener).strongReference(true)
                        .register(registry));
        return new HttpMetrics(registry, gauges);
    }

    void request(String route, String componentId, String method, int status, long nanos) {
        String m = method.toUpperCase(Locale.ROOT);
        Series series = new Series(route, componentId, METHODS.contains(m) ? m : "other", status);
        Timer timer = timers.get(series);
        if (timer == null) {
            timer = timers.computeIfAbsent(series, k -> Timer.builder("spindle.http.requests")
                    .description("HTTP requests by route, component, method and status (0: aborted)")
                    .tag("route", k.route())
                    .tag("component", k.componentId())
                    .tag("method", k.method())
                    .tag("status", Integer.toString(k.status()))
                    .register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Removes the gauges: a stopped server reports nothing. */
    @Override
    public void close() {
        gauges.forEach(registry::remove);
    }
}
