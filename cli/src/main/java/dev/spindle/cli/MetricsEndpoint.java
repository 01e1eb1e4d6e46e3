package dev.spindle.cli;

import com.sun.net.httpserver.HttpServer;
import dev.spindle.runtime.trigger.HttpServerOptions;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code --metrics-listen HOST:PORT}: a Prometheus registry added to Micrometer's global registry
 * (which the runtime records into), with the JVM's own meters, served as the Prometheus text
 * format at {@code GET /metrics} on a listener of its own, apart from the app's routes.
 */
final class MetricsEndpoint implements AutoCloseable {
    /** The Prometheus text exposition format, version 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final HttpServer server;

    private MetricsEndpoint(PrometheusMeterRegistry registry, JvmGcMetrics gc, HttpServer server) {
        this.registry = registry;
        this.gc = gc;
        this.server = server;
    }

    /**
     * @throws IllegalArgumentException for an unparsable address
     * @throws UncheckedIOException when it cannot be bound (one line)
     */
    static MetricsEndpoint start(String listen) {
        HttpServerOptions address = HttpServerOptions.defaults().withListen(listen);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 16);
        } catch (IOException e) {
            gc.close();
            registry.close();
            throw new UncheckedIOException("--metrics-listen: cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(200, head ? -1 : body.length);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        });
        server.setExecutor(null); // the server's own thread: a scrape is small and rare
        server.start();
        Metrics.addRegistry(registry);
        return new MetricsEndpoint(registry, gc, server);
    }

    /** {@code http://host:port/metrics} as bound. */
    String url() {
        InetSocketAddress a = server.getAddress();
        String host = a.getHostString().contains(":") ? "[" + a.getHostString() + "]" : a.getHostString();
        return "http://" + host + ":" + a.getPort() + "/metrics";
    }

    @Override
    public void close() {
        server.stop(0);
        Metrics.removeRegistry(registry);
        gc.close();
        registry.close();
    }
}
