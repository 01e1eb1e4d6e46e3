package dev.spindle.cli;

import dev.spindle.host.HostLog;
import dev.spindle.host.Tracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code spindle run}'s traces: an OpenTelemetry SDK with a batching OTLP/HTTP exporter (the JDK's
 * HttpClient sends it), installed into {@link Tracing} when an endpoint is configured and only
 * then. Configured as Spin configures it, from the OpenTelemetry environment variables
 * (docs/operations.md, "Traces"), plus {@code --otel-endpoint}; a small explicit setup rather than
 * the SDK's autoconfigure module, which would read dozens of variables Spindle does not document.
 *
 * <p>Never in the way: a collector that is down or refuses costs one warning line (again only
 * after it has worked in between, and at most once a minute), never a stack trace; at exit the
 * spans still queued get {@link #FLUSH_AT_EXIT} to go, then the process exits anyway.
 */
final class Traces implements AutoCloseable {
    /** The longest exit waits for queued spans to be sent. */
    static final Duration FLUSH_AT_EXIT = Duration.ofSeconds(3);
    /** One export's time limit (OTEL's default of 10 s would outlast the exit's flush). */
    static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(5);
    /** At most one "cannot send spans" line per this. */
    static final Duration WARN_INTERVAL = Duration.ofMinutes(1);

    /** The OpenTelemetry SDK logs through java.util.logging, with stack traces: silenced (held here: JUL keeps loggers weakly). */
    private static final Logger SDK_LOGS = Logger.getLogger("io.opentelemetry");

    /**
     * What the environment and the options ask for.
     *
     * @param endpoint the URL spans are POSTed to ({@code .../v1/traces})
     * @param headers extra request headers (a collector's API key): never logged
     * @param resource {@code OTEL_RESOURCE_ATTRIBUTES}
     * @param serviceName {@code OTEL_SERVICE_NAME}, else the app's name
     */
    record Settings(URI endpoint, Map<String, String> headers, Map<String, String> resource, Optional<String> serviceName) {}

    private final SdkTracerProvider provider;
    private final URI endpoint;

    private Traces(SdkTracerProvider provider, URI endpoint) {
        this.provider = provider;
        this.endpoint = endpoint;
    }

    /**
     * Reads the configuration, without starting anything: empty (traces off) unless
     * {@code --otel-endpoint}, {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} or
     * {@code OTEL_EXPORTER_OTLP_ENDPOINT} names a collector, and always empty when
     * {@code OTEL_SDK_DISABLED=true}.
     *
     * @throws UsageException for a bad URL, protocol or header list (one line, no header value shown)
     */
    static Optional<Settings> settings(Map<String, String> env, String endpointOption) {
        if ("true".equalsIgnoreCase(value(env, "OTEL_SDK_DISABLED").orElse(""))) {
            return Optional.empty();
        }
        URI endpoint;
        if (endpointOption != null) {
            endpoint = signalUrl("--otel-endpoint", endpointOption);
        } else if (value(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").isPresent()) {
            endpoint = url("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", value(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").get());
        } else if (value(env, "OTEL_EXPORTER_OTLP_ENDPOINT").isPresent()) {
            endpoint = signalUrl("OTEL_EXPORTER_OTLP_ENDPOINT", value(env, "OTEL_EXPORTER_OTLP_ENDPOINT").get());
        } else {
            return Optional.empty();
        }
        String protocolVariable = value(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL").isPresent()
                ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL" : "OTEL_EXPORTER_OTLP_PROTOCOL";
        String protocol = value(env, protocolVariable).orElse("http/protobuf");
        switch (protocol) {
            case "http/protobuf" -> { }
            case "grpc", "http/json" -> throw new UsageException(protocolVariable + "=" + protocol + ": Spindle sends traces as "
                    + "http/protobuf only (the collector's OTLP/HTTP port, usually 4318); unset it or set http/protobuf");
            default -> throw new UsageException(protocolVariable + "=" + protocol + " is not an OTLP protocol (grpc, "
                    + "http/protobuf, http/json; Spindle sends http/protobuf)");
        }
        String headersVariable = value(env, "OTEL_EXPORTER_OTLP_TRACES_HEADERS").isPresent()
                ? "OTEL_EXPORTER_OTLP_TRACES_HEADERS" : "OTEL_EXPORTER_OTLP_HEADERS";
        Map<String, String> headers = pairs(headersVariable, value(env, headersVariable).orElse(""));
        Map<String, String> resource = pairs("OTEL_RESOURCE_ATTRIBUTES", value(env, "OTEL_RESOURCE_ATTRIBUTES").orElse(""));
        return Optional.of(new Settings(endpoint, headers, resource, value(env, "OTEL_SERVICE_NAME")));
    }

    /** A variable's value, empty when unset or blank (as Spin reads them). */
    private static Optional<String> value(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    /** A base URL ({@code http://collector:4318}) with the traces path appended, as the OTLP spec says. */
    private static URI signalUrl(String what, String base) {
        URI u = url(what, base);
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        return u.resolve((path.endsWith("/") ? path : path + "/") + "v1/traces");
    }

    private static URI url(String what, String text) {
        URI u;
        try {
            u = new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw new UsageException(what + ": \"" + text + "\" is not a URL");
        }
        if (!"http".equalsIgnoreCase(u.getScheme()) && !"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
            throw new UsageException(what + ": \"" + text + "\" is not an http:// or https:// URL with a host (e.g. http://127.0.0.1:4318)");
        }
        if (u.getRawUserInfo() != null) {
            throw new UsageException(what + ": the URL must not carry a user or password (send credentials with OTEL_EXPORTER_OTLP_HEADERS)");
        }
        return u;
    }

    /** {@code key1=value1,key2=value2}, values percent-decoded (W3C Baggage style, as the spec says); a bad entry is named by position only. */
    static Map<String, String> pairs(String variable, String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text.isBlank()) {
            return out;
        }
        String[] entries = text.split(",");
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i];
            int eq = entry.indexOf('=');
            String key = eq < 0 ? "" : entry.substring(0, eq).strip();
            if (key.isEmpty()) {
                throw new UsageException(variable + ": entry " + (i + 1) + " is not key=value (values not shown: they may be secrets)");
            }
            try {
                out.put(key, URLDecoder.decode(entry.substring(eq + 1).strip().replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new UsageException(variable + ": the value of " + key + " is not percent-encoded correctly");
            }
        }
        return out;
    }

    /**
     * Starts the SDK and installs it into {@link Tracing}; no connection is made until the first
     * batch of spans is sent.
     *
     * @param appName the service name unless {@code OTEL_SERVICE_NAME} (or {@code service.name} in
     *     {@code OTEL_RESOURCE_ATTRIBUTES}) names one
     */
    static Traces start(Settings settings, String appName, Optional<String> appVersion, HostLog log) {
        SDK_LOGS.setLevel(Level.OFF);
        AttributesBuilder attributes = Attributes.builder();
        settings.resource().forEach(attributes::put);
        String serviceName = settings.serviceName().orElseGet(() -> settings.resource().getOrDefault("service.name", appName));
        attributes.put("service.name", serviceName);
        appVersion.ifPresent(v -> {
            if (!settings.resource().containsKey("service.version")) {
                attributes.put("service.version", v);
            }
        });
        Resource resource = Resource.getDefault().merge(Resource.create(attributes.build()));
        OtlpHttpSpanExporterBuilder exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(settings.endpoint().toString())
                .setTimeout(EXPORT_TIMEOUT)
                .setRetryPolicy(null) // a batch the collector did not take is dropped: retries would outlast the exit's flush
                .setMeterProvider(MeterProvider.noop()); // no self-metrics: nothing reaches for GlobalOpenTelemetry
        settings.headers().forEach(exporter::addHeader);
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(resource)
                .addSpanProcessor(BatchSpanProcessor.builder(new Reporting(exporter.build(), settings.endpoint(), log))
                        .setMeterProvider(MeterProvider.noop()).build())
                .build();
        Tracing.install(OpenTelemetrySdk.builder()
                .setTracerProvider(provider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build());
        log.info("spindle", "traces to " + settings.endpoint() + " (OTLP http/protobuf), service.name " + serviceName);
        return new Traces(provider, settings.endpoint());
    }

    /** Where spans go. */
    URI endpoint() {
        return endpoint;
    }

    /** Stops tracing, sends what is queued within {@link #FLUSH_AT_EXIT}, and stops the SDK's thread; never waits longer. */
    @Override
    public void close() {
        Tracing.uninstall();
        provider.shutdown().join(FLUSH_AT_EXIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The exporter, with its failures told in one line: the first failure after a success (or at
     * start) is logged, at most once per {@link #WARN_INTERVAL}; the rest are counted silently.
     */
    static final class Reporting implements SpanExporter {
        private final SpanExporter delegate;
        private final URI endpoint;
        private final HostLog log;
        private boolean failing; // guarded by this
        private long warnedAt = Long.MIN_VALUE; // guarded by this; nanoTime of the last line

        Reporting(SpanExporter delegate, URI endpoint, HostLog log) {
            this.delegate = delegate;
            this.endpoint = endpoint;
            this.log = log;
        }

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            CompletableResultCode result = delegate.export(spans);
            int count = spans.size();
            result.whenComplete(() -> outcome(result, count));
            return result;
        }

        private void outcome(CompletableResultCode result, int count) {
            String line = null;
            synchronized (this) {
                if (result.isSuccess()) {
                    failing = false;
                    return;
                }
                long now = System.nanoTime();
                if (!failing && (warnedAt == Long.MIN_VALUE || now - warnedAt >= WARN_INTERVAL.toNanos())) {
                    warnedAt = now;
                    line = "traces: cannot send " + count + " span(s) to " + endpoint + ": " + reason(result.getFailureThrowable())
                            + "; spans are dropped until it answers (this is said again at most once a minute)";
                }
                failing = true;
            }
            if (line != null) {
                log.warn("spindle", line);
            }
        }

        /** What went wrong, in a few words ("ConnectException", "HttpTimeoutException: request timed out"), or the HTTP status the collector answered. */
        static String reason(Throwable t) {
            if (t == null) {
                return "the export failed";
            }
            // The exporter's failure for an answer other than 2xx carries the response (its class is
            // internal to the SDK, so it is only looked at through the public HttpResponse).
            try {
                if (t.getClass().getMethod("getResponse").invoke(t) instanceof io.opentelemetry.sdk.common.export.HttpResponse response) {
                    return "the collector answered HTTP " + response.getStatusCode();
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // not that failure: describe the cause below
            }
            // The exporter wraps what went wrong (ConnectException, HttpTimeoutException, ...): name that, with the
            // first message down its causes (a JDK ConnectException often has none of its own).
            Throwable what = t.getCause() != null && t.getClass().getName().startsWith("io.opentelemetry.") ? t.getCause() : t;
            String message = null;
            Throwable c = what;
            for (int depth = 0; c != null && depth < 8 && message == null; depth++, c = c.getCause() == c ? null : c.getCause()) {
                if (c.getMessage() != null && !c.getMessage().isBlank()) {
                    message = c.getMessage().lines().findFirst().orElse("");
                }
            }
            return what.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }
    }
}
