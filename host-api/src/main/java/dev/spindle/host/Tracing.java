package dev.spindle.host;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Every span Spindle makes, in one place (docs/operations.md, "Traces"): the HTTP trigger's server
 * span per request, one span per guest invocation, one client span per Redis call a guest makes.
 * The engine, the triggers and the Redis host call these methods; none of them builds a span by
 * hand, so names and attributes stay the same everywhere.
 *
 * <p><b>Off unless installed.</b> The libraries depend on the OpenTelemetry API alone. Until an
 * application {@link #install}s an {@link OpenTelemetry} (the CLI does when an OTLP endpoint is
 * configured; an embedder may pass its own, e.g. {@code GlobalOpenTelemetry.get()}), every method
 * here returns {@link Traced#NONE} or a no-op scope after one volatile read: no span, no context,
 * no allocation, not even the OpenTelemetry no-op API's.
 *
 * <p><b>Spans.</b> Named and tagged after Spin's where Spin has one ({@code GET /route} for a
 * request, {@code execute_wasm_component <id>} for an invocation, the command name for a Redis
 * call) and after OpenTelemetry's semantic conventions otherwise. A Redis span carries the
 * command's name only, never its arguments or values (they may be secrets); an invocation's error
 * status carries its failure kind only, never the failure's message.
 */
public final class Tracing {
    /** The instrumentation scope of every span. */
    public static final String SCOPE = "dev.spindle";

    // Attribute keys: OpenTelemetry semantic conventions, and Spin's names for Spin's concepts.
    static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> HTTP_REQUEST_METHOD_ORIGINAL = AttributeKey.stringKey("http.request.method_original");
    static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> COMPONENT_ID = AttributeKey.stringKey("spin.component_id");
    static final AttributeKey<String> TRIGGER_TYPE = AttributeKey.stringKey("spin.trigger.type");
    static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
    static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");
    static final AttributeKey<String> DB_OPERATION_NAME = AttributeKey.stringKey("db.operation.name");
    static final AttributeKey<Long> DB_OPERATION_BATCH_SIZE = AttributeKey.longKey("db.operation.batch.size");
    static final AttributeKey<String> DB_NAMESPACE = AttributeKey.stringKey("db.namespace");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");

    /** The methods a span is named with; any other is {@code _OTHER}, as the conventions say (a client cannot mint names). */
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    /** What started the work on this thread: {@code http}, {@code redis}, {@code cron}, {@code command}. */
    private static final ContextKey<String> TRIGGER = ContextKey.named("spindle.trigger");

    /** The trigger type of an invocation no trigger started (an embedder's {@code app.invoke}). */
    public static final String DIRECT = "invoke";

    private static final Tracing OFF = new Tracing(null);
    private static volatile Tracing current = OFF;

    private final Tracer tracer; // null: off

    private Tracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** The tracing in force: off until {@link #install}. */
    public static Tracing get() {
        return current;
    }

    /**
     * Sends Spindle's spans to {@code openTelemetry}'s tracer provider from now on (for apps
     * loaded before or after). {@code null} turns tracing off again. The caller owns the SDK: it
     * flushes and shuts it down.
     */
    public static void install(OpenTelemetry openTelemetry) {
        if (openTelemetry == null) {
            current = OFF;
            return;
        }
        var builder = openTelemetry.getTracerProvider().tracerBuilder(SCOPE);
        String version = Tracing.class.getPackage().getImplementationVersion();
        if (version != null) {
            builder.setInstrumentationVersion(version);
        }
        current = new Tracing(builder.build());
    }

    /** {@link #install install(null)}: no spans from now on. */
    public static void uninstall() {
        install(null);
    }

    /** True once an OpenTelemetry was installed. */
    public boolean enabled() {
        return tracer != null;
    }

    // ---- triggers ----

    /**
     * Marks the work that follows on this thread, until the scope is closed, as started by a
     * trigger of {@code type}: the invocation spans made meanwhile carry it. Off: a no-op scope.
     */
    public Scope trigger(String type) {
        if (tracer == null) {
            return Scope.noop();
        }
        return Context.current().with(TRIGGER, type).makeCurrent();
    }

    // ---- HTTP ----

    /**
     * The server span of one HTTP request, started now: named by its method until
     * {@link Traced#routed} names its route; its parent is the W3C {@code traceparent} (and
     * {@code tracestate}) the request carries, read through {@code headers}, else none.
     * {@link Traced#makeCurrent} marks the work it covers as the {@code http} trigger's.
     */
    public <C> Traced httpServer(String method, String path, String scheme, C request, TextMapGetter<C> headers) {
        if (tracer == null) {
            return Traced.NONE;
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), request, headers);
        String m = method.toUpperCase(java.util.Locale.ROOT);
        String known = METHODS.contains(m) ? m : "_OTHER";
        SpanBuilder b = tracer.spanBuilder(known.equals("_OTHER") ? "HTTP" : known).setSpanKind(SpanKind.SERVER).setParent(parent)
                .setAttribute(HTTP_REQUEST_METHOD, known)
                .setAttribute(URL_PATH, path)
                .setAttribute(URL_SCHEME, scheme);
        if (!known.equals(m)) {
            b.setAttribute(HTTP_REQUEST_METHOD_ORIGINAL, method);
        }
        Span span = b.startSpan();
        return new Traced(span, parent.with(span).with(TRIGGER, "http"), known);
    }

    // ---- invocations ----

    /**
     * The span of one guest invocation of {@code componentId}, started now as a child of the
     * current span (the request's, or none for a Redis message or a cron tick). Run the guest
     * inside {@link Traced#wrap}, so the Redis calls it makes are children of it, on whichever
     * thread it runs; end it with {@link Traced#endInvocation}.
     */
    public Traced invocation(String componentId) {
        if (tracer == null) {
            return Traced.NONE;
        }
        Context parent = Context.current();
        String trigger = parent.get(TRIGGER);
        Span span = tracer.spanBuilder("execute_wasm_component " + componentId).setParent(parent)
                .setAttribute(COMPONENT_ID, componentId)
                .setAttribute(TRIGGER_TYPE, trigger != null ? trigger : DIRECT)
                .startSpan();
        return new Traced(span, parent.with(span), null);
    }

    // ---- Redis ----

    /**
     * The client span of one Redis command a guest sent, started now as a child of the current
     * span (the invocation's). {@code command} is the command's name alone ({@code INCRBY}): the
     * caller never passes its arguments. End it with {@link Traced#endRedis}.
     */
    public Traced redisCommand(String command, String host, int port, long database) {
        if (tracer == null) {
            return Traced.NONE;
        }
        return new Traced(redis(command, host, port, database).startSpan(), null, null);
    }

    /** A pipeline of {@code size} commands in one round trip: named {@code PIPELINE}, or {@code MULTI} for a transaction. */
    public Traced redisPipeline(boolean transaction, int size, String host, int port, long database) {
        if (tracer == null) {
            return Traced.NONE;
        }
        return new Traced(redis(transaction ? "MULTI" : "PIPELINE", host, port, database)
                .setAttribute(DB_OPERATION_BATCH_SIZE, (long) size).startSpan(), null, null);
    }

    private SpanBuilder redis(String command, String host, int port, long database) {
        return tracer.spanBuilder(command).setSpanKind(SpanKind.CLIENT)
                .setAttribute(DB_SYSTEM, "redis")
                .setAttribute(DB_SYSTEM_NAME, "redis")
                .setAttribute(DB_OPERATION_NAME, command)
                .setAttribute(DB_NAMESPACE, Long.toString(database))
                .setAttribute(SERVER_ADDRESS, host)
                .setAttribute(SERVER_PORT, (long) port);
    }

    /**
     * One started span, or {@link #NONE} when tracing is off (every method then does nothing and
     * allocates nothing). End it exactly once, with the {@code end} method of its kind.
     */
    public static final class Traced {
        /** No span: what every method of {@link Tracing} returns while tracing is off. */
        public static final Traced NONE = new Traced(null, null, null);

        private final Span span;
        private final Context context; // the span's, for work under it (null for Redis spans: nothing runs under them)
        private final String method; // HTTP: the method the name starts with

        private Traced(Span span, Context context, String method) {
            this.span = span;
            this.context = context;
            this.method = method;
        }

        /** True for a real span (tracing on). */
        public boolean recording() {
            return span != null;
        }

        /** Makes the span current on this thread until the scope is closed. */
        public Scope makeCurrent() {
            return context == null ? Scope.noop() : context.makeCurrent();
        }

        /** {@code work}, run with the span current on whichever thread calls it ({@code work} itself when off). */
        public <T> Callable<T> wrap(Callable<T> work) {
            return context == null ? work : context.wrap(work);
        }

        /** HTTP: the request matched {@code route} of {@code componentId} (null: a static route); the span is named {@code METHOD route}. */
        public void routed(String route, String componentId) {
            if (span == null) {
                return;
            }
            span.updateName(method.equals("_OTHER") ? "HTTP " + route : method + " " + route);
            span.setAttribute(HTTP_ROUTE, route);
            if (componentId != null) {
                span.setAttribute(COMPONENT_ID, componentId);
            }
        }

        /** HTTP: ends the server span with the response's status (0: the exchange was aborted); 5xx and aborts are errors. */
        public void endHttp(int status) {
            if (span == null) {
                return;
            }
            if (status > 0) {
                span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) status);
            }
            if (status >= 500 || status == 0) {
                String type = status == 0 ? "aborted" : Integer.toString(status);
                span.setAttribute(ERROR_TYPE, type);
                span.setStatus(StatusCode.ERROR, type);
            }
            span.end();
        }

        /**
         * Invocation: ends the span; {@code failure} is null when the guest returned, else its
         * failure kind ({@code trap}, {@code timeout}, ...), which becomes the error status and
         * {@code error.type} (never the failure's message: it may quote guest data).
         */
        public void endInvocation(String failure) {
            endWith(failure);
        }

        /**
         * Redis: ends the span; {@code errorType} is null on success, else the error reply's
         * prefix ({@code WRONGTYPE}, {@code ERR}) or the host's failure kind: never the reply's
         * text, which can quote the command's arguments.
         */
        public void endRedis(String errorType) {
            endWith(errorType);
        }

        private void endWith(String errorType) {
            if (span == null) {
                return;
            }
            if (errorType != null) {
                span.setAttribute(ERROR_TYPE, errorType);
                span.setStatus(StatusCode.ERROR, errorType);
            }
            span.end();
        }
    }
}
