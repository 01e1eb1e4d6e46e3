package dev.spindle.runtime.trigger;

import dev.spindle.host.HostLog;
import dev.spindle.host.Tracing;
import dev.spindle.manifest.HttpTrigger;
import dev.spindle.manifest.StaticResponse;
import dev.spindle.manifest.TriggerConfig;
import dev.spindle.runtime.InvocationException;
import dev.spindle.runtime.SpindleApp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Serves an app's {@code [[trigger.http]]} routes on Jetty 12 (chosen by measurement:
 * docs/benchmarks.md, "HTTP server library"): one fresh guest instance per request, a bound on
 * concurrent guest work (503 beyond it), a request body cap (413) and a read deadline. HTTP/1.1
 * with keep-alive by default; HTTP/2 (h2c, or h2 over TLS) and TLS from PEM files as options.
 *
 * <pre>{@code
 * try (HttpTriggerServer server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0))) {
 *     int port = server.port();
 * }
 * }</pre>
 *
 * <p><b>Slow clients cost a connection, never a worker.</b> Jetty parses request lines and headers
 * without a thread per connection, and this handler reads bodies with Jetty's asynchronous
 * {@code read}/{@code demand}, so a request takes one of the {@link HttpServerOptions#workers()}
 * slots ({@link InvocationSlots}) only once it is complete (buffering executors) and gives it back
 * before its response is written out (which is asynchronous too). Static routes and 404s never take
 * a slot. {@link ReadDeadlines} cuts off clients that trickle their request, or do not take their
 * response, for longer than the read timeout.
 *
 * <p><b>No thread hop.</b> The guest runs on the Jetty thread that finished reading the request; a
 * separate worker pool measured slower (docs/benchmarks.md). Jetty's pool has
 * {@link #IO_THREADS} threads beyond the workers, so I/O always has threads while every slot runs
 * a guest.
 *
 * <p><b>The seam.</b> What runs the guest is an {@link HttpGuestExecutor}, chosen per route at
 * start ({@link HttpExecutors#select}); requests reach it as {@link IncomingRequest} and answer
 * through a {@link ResponseSink}, either buffered (Spin, WAGI) or streamed with flow control
 * ({@code wasi:http}); see {@link HttpGuestExecutor}.
 */
public final class HttpTriggerServer implements RunningTrigger {
    private static final String LOG_ID = "http";
    /** Paths the runtime answers itself, as Spin does: {@code health} and {@code info}; no route below it is reached. */
    public static final String WELL_KNOWN_PREFIX = "/.well-known/spin/";
    /**
     * Jetty threads beyond the worker slots: the acceptor, the selector and the threads that parse
     * headers, read bodies and write responses while every slot runs a guest.
     */
    static final int IO_THREADS = 24;
    /** How long a keep-alive connection may sit idle between requests (the JDK server's 30 s, as before). */
    static final long KEEP_ALIVE_IDLE_MS = 30_000;
    /** At most one "503: workers and queue full" line per this many ms, with the count of the rest. */
    static final long OVERLOAD_LOG_INTERVAL_MS = 1_000;

    private final SpindleApp app;
    private final HttpServerOptions options;
    private final Router router;
    private final Map<Router.Route, HttpGuestExecutor> executors;
    private final HostLog log;
    private final InvocationSlots slots;
    private final ReadDeadlines deadlines;
    private final Server server;
    private final ServerConnector connector;
    /** Requests inside the handler right now (reading, waiting, running or writing); shutdown waits for them. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong overloadLoggedAt = new AtomicLong();
    private final AtomicLong overloadSuppressed = new AtomicLong();
    private final HttpMetrics metrics;
    private volatile boolean closed;

    private HttpTriggerServer(SpindleApp app, HttpServerOptions options, Router router, Map<String, HttpGuestExecutor> overrides) {
        this.app = app;
        this.options = options;
        this.router = router;
        this.log = app.log();
        this.executors = new HashMap<>();
        for (Router.Route route : router.routes()) {
            route.trigger().componentId().ifPresent(id -> executors.put(route,
                    overrides.containsKey(id) ? overrides.get(id) : HttpExecutors.select(app, id, route.trigger().executor())));
        }
        // The key store first: a bad PEM file is a one-line error before any thread is started.
        java.security.KeyStore identity = options.tls() ? PemKeyStore.load(options.tlsCert().get(), options.tlsKey().get()) : null;
        this.slots = new InvocationSlots(options.workers(), options.queue());
        this.metrics = HttpMetrics.register(options.host() + ":" + options.port(), slots::waiting, inFlight::get);
        this.deadlines = new ReadDeadlines(options.requestReadTimeout(), log);
        // Invocation threads: a request's guest runs on the thread that read the request, with no
        // hand-off to a worker (docs/benchmarks.md, P4).
        QueuedThreadPool threads = new QueuedThreadPool(options.workers() + IO_THREADS, 4, 60_000, -1, null, null,
                app.invocationThreads("spindle-http-"));
        threads.setName("spindle-http");
        threads.setDaemon(true);
        this.server = new Server(threads);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendDateHeader(true);
        // Keep the header names' case as the client sent them (the guest sees what was sent).
        config.setHttpCompliance(HttpCompliance.RFC9110.with("spindle", HttpCompliance.Violation.CASE_SENSITIVE_FIELD_NAME));
        // Route on the raw path as Spin does; do not reject encoded separators or dot segments.
        config.setUriCompliance(UriCompliance.LEGACY);
        config.setIdleTimeout(-1);
        HttpConnectionFactory http1 = new HttpConnectionFactory(config) {
            @Override
            public Connection newConnection(Connector c, EndPoint endPoint) {
                Connection connection = super.newConnection(c, endPoint);
                deadlines.track(connection);
                return connection;
            }
        };
        this.connector = new ServerConnector(server, 1, 1, connectionFactories(config, http1, identity));
        connector.setHost(options.host());
        connector.setPort(options.port());
        connector.setAcceptQueueSize(1024);
        connector.setIdleTimeout(Math.min(KEEP_ALIVE_IDLE_MS, options.requestReadTimeout().toMillis()));
        server.addConnector(connector);
        server.setHandler(new TriggerHandler());
        server.setErrorHandler(HttpTriggerServer::jettyError);
        server.setStopTimeout(0);
    }

    /**
     * HTTP/1.1 alone by default. With {@link HttpServerOptions#http2()}: h2c beside HTTP/1.1 on a
     * cleartext port (prior knowledge, or {@code Upgrade: h2c}), or h2 and HTTP/1.1 chosen by ALPN
     * over TLS. With TLS the port speaks TLS only.
     */
    private ConnectionFactory[] connectionFactories(HttpConfiguration config, HttpConnectionFactory http1,
                                                    java.security.KeyStore identity) {
        if (identity == null) {
            return options.http2()
                    ? new ConnectionFactory[] {http1, new HTTP2CServerConnectionFactory(config)}
                    : new ConnectionFactory[] {http1};
        }
        // No SNI checks: clients reach a dev server by 127.0.0.1 as often as by the certificate's name.
        config.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(identity);
        tls.setKeyStorePassword(PemKeyStore.PASSWORD);
        tls.setSniRequired(false);
        if (!options.http2()) {
            return new ConnectionFactory[] {new SslConnectionFactory(tls, http1.getProtocol()), http1};
        }
        tls.setCipherComparator(HTTP2Cipher.COMPARATOR);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(http1.getProtocol());
        return new ConnectionFactory[] {new SslConnectionFactory(tls, alpn.getProtocol()), alpn,
                new HTTP2ServerConnectionFactory(config), http1};
    }

    /** The HTTP triggers of the app's manifest. */
    public static List<HttpTrigger> triggers(SpindleApp app) {
        List<HttpTrigger> out = new ArrayList<>();
        for (TriggerConfig t : app.manifest().triggers()) {
            if (t instanceof HttpTrigger h) {
                out.add(h);
            }
        }
        return out;
    }

    /**
     * Builds the routing table and starts listening.
     *
     * @throws dev.spindle.manifest.ManifestException for a trigger without a route
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static HttpTriggerServer start(SpindleApp app, HttpServerOptions options) {
        return start(app, options, Map.of());
    }

    /**
     * As {@link #start(SpindleApp, HttpServerOptions)}, with the executor of some components
     * replaced (by component id): bench/http-bench.sh serves its plain-Java baseline through the very
     * same server this way.
     */
    static HttpTriggerServer start(SpindleApp app, HttpServerOptions options, Map<String, HttpGuestExecutor> executors) {
        Router router = Router.build(triggers(app), app.manifest().application().httpBase());
        HttpTriggerServer trigger = new HttpTriggerServer(app, options, router, executors);
        for (Router.Route r : router.routes()) {
            if (r.fullRoute().startsWith(WELL_KNOWN_PREFIX)) {
                app.log().warn(LOG_ID, "route " + r.fullRoute() + " of " + r.label() + " is never reached: paths under "
                        + WELL_KNOWN_PREFIX + " are answered by Spindle (health, info), as in Spin");
            }
        }
        try {
            trigger.server.start();
        } catch (Exception e) {
            trigger.stopQuietly();
            IOException io = e instanceof IOException i ? i : new IOException(e.getMessage(), e);
            String why = e.getCause() != null && e.getCause().getMessage() != null && e.getMessage() != null
                    && e.getMessage().startsWith("Failed to bind") ? e.getCause().getMessage() : e.getMessage();
            throw new UncheckedIOException("cannot listen on " + options.host() + ":" + options.port() + ": " + why, io);
        }
        // Outbound requests to the app itself (Spin's relative URLs, self.alt) come back here.
        app.capability(dev.spindle.wasi.WasiCapability.class)
                .ifPresent(wasi -> wasi.outbound().selfOrigin(() -> Optional.of(trigger.selfOrigin())));
        return trigger;
    }

    /** The origin requests to {@code self} go to: the listener, a wildcard address reached over loopback. */
    String selfOrigin() {
        String host = options.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = host.contains(":") ? "[::1]" : "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return (options.tls() ? "https" : "http") + "://" + host + ":" + port();
    }

    /** Requests being handled right now (tests poll it). */
    int inFlight() {
        return inFlight.get();
    }

    /** Requests waiting for a worker slot (tests poll it). */
    int queued() {
        return slots.waiting();
    }

    /** Timers queued for read deadlines: always the one sweep (issue 9 item 10; tests check it). */
    int scheduledTimers() {
        return deadlines.scheduledTimers();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://host:port}, or {@code https://} with TLS. */
    public String baseUrl() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return (options.tls() ? "https" : "http") + "://" + host + ":" + port();
    }

    /**
     * Spin's reserved paths: {@code health} answers {@code OK} (no worker, no guest: the server
     * accepts and answers requests), {@code info} the app's name and version as JSON; anything
     * else below the prefix is 404.
     */
    private HttpResponseData wellKnown(String name) {
        return switch (name) {
            case "health" -> new HttpResponseData(200, List.of(Map.entry("content-type", "text/plain; charset=utf-8")),
                    "OK".getBytes(StandardCharsets.UTF_8)); // Spin's body, byte for byte
            case "info" -> {
                var application = app.manifest().application();
                StringBuilder json = new StringBuilder("{\n  \"name\": ").append(jsonString(application.name()));
                application.version().ifPresent(v -> json.append(",\n  \"version\": ").append(jsonString(v)));
                json.append("\n}");
                yield new HttpResponseData(200, List.of(Map.entry("content-type", "application/json")),
                        json.toString().getBytes(StandardCharsets.UTF_8));
            }
            default -> HttpResponseData.text(404, "not found");
        };
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** The startup banner, as Spin prints it: the URL, then one line per served route. */
    @Override
    public String banner() {
        StringBuilder sb = new StringBuilder("Serving ").append(baseUrl()).append('\n').append("Available Routes:\n");
        for (Router.Route r : router.routes()) {
            sb.append("  ").append(r.label()).append(": ").append(baseUrl()).append(r.fullRoute());
            if (r.wildcard()) {
                sb.append(" (wildcard)");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private final class TriggerHandler extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            new Exchange(request, response, callback).begin();
            return true;
        }
    }

    /** One request from headers to the last response byte; see the class comment for the phases. */
    private final class Exchange implements ResponseSink {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final ReadDeadlines.Clock clock;
        private final boolean http1;
        private final String rawPath;
        private final java.time.Instant start = java.time.Instant.now();
        private ByteArrayOutputStream body;
        private long bodyBytes;
        private Router.Match match;
        /** The request's server span (Tracing.Traced.NONE while tracing is off); ended with the access-log entry. */
        private Tracing.Traced span = Tracing.Traced.NONE;
        private volatile boolean committed;
        private volatile boolean finished;

        Exchange(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            Connection connection = request.getConnectionMetaData().getConnection();
            this.http1 = request.getConnectionMetaData().getHttpVersion().getVersion() < 20;
            ReadDeadlines.Clock c = deadlines.of(connection);
            this.clock = c != null ? c : deadlines.perRequest(this, () -> fail(new TimeoutException("read deadline")));
            String p = request.getHttpURI().getPath();
            this.rawPath = p == null || p.isEmpty() ? "/" : p;
        }

        void begin() {
            inFlight.incrementAndGet();
            clock.reading(request.getBeginNanoTime());
            if (!rawPath.startsWith(WELL_KNOWN_PREFIX)) { // health probes would drown the traces
                span = Tracing.get().httpServer(request.getMethod(), rawPath, request.isSecure() ? "https" : "http", request, TRACE_HEADERS);
            }
            if (closed) {
                log.warn(LOG_ID, "503 for " + request.getMethod() + " " + rawPath + ": the server is shutting down");
                answer(HttpResponseData.text(503, "server is shutting down"), true);
                return;
            }
            if (rawPath.startsWith(WELL_KNOWN_PREFIX)) {
                answer(wellKnown(rawPath.substring(WELL_KNOWN_PREFIX.length())), false);
                return;
            }
            Optional<Router.Match> found = router.match(rawPath);
            if (found.isEmpty()) {
                // The body is left unread: Jetty discards it (or closes the connection).
                answer(HttpResponseData.text(404, "not found"), false);
                return;
            }
            match = found.get();
            span.routed(routeLabel(match.route()), match.route().trigger().componentId().orElse(null));
            long declared = request.getLength();
            if (declared > options.maxBodyBytes()) {
                rejectedBody();
                answer(HttpResponseData.text(413, "request body larger than " + options.maxBodyBytes() + " bytes"), true);
                return;
            }
            HttpGuestExecutor executor = executors.get(match.route());
            if (executor != null && slots.full()) {
                overloaded();
                return;
            }
            body = new ByteArrayOutputStream((int) Math.max(0, Math.min(declared, 64 * 1024)));
            if (executor == null || executor.buffersBody()) {
                readBody();
            } else if (!slots.submit(() -> invoke(executor))) { // the body streams on the worker
                overloaded();
            }
        }

        /** Reads what has arrived; returns to Jetty (holding no thread) until more does. */
        private void readBody() {
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this::readBody);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    fail(chunk.getFailure());
                    return;
                }
                ByteBuffer buffer = chunk.getByteBuffer();
                bodyBytes += buffer.remaining();
                if (bodyBytes > options.maxBodyBytes()) {
                    chunk.release();
                    rejectedBody();
                    answer(HttpResponseData.text(413, "request body larger than " + options.maxBodyBytes() + " bytes"), true);
                    return;
                }
                if (buffer.hasArray()) {
                    body.write(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
                } else {
                    byte[] copy = new byte[buffer.remaining()];
                    buffer.get(copy);
                    body.write(copy, 0, copy.length);
                }
                boolean last = chunk.isLast();
                chunk.release();
                if (last) {
                    bodyComplete();
                    return;
                }
            }
        }

        private void bodyComplete() {
            Router.Route route = match.route();
            if (route.trigger().staticResponse().isPresent()) {
                answer(staticResponse(route.trigger().staticResponse().get()), false);
                return;
            }
            HttpGuestExecutor executor = executors.get(route);
            if (!slots.submit(() -> invoke(executor))) {
                overloaded();
            }
        }

        /** Runs on a thread holding a worker slot. */
        private void invoke(HttpGuestExecutor executor) {
            if (!clock.invoking()) {
                fail(new TimeoutException("read deadline"));
                return;
            }
            String componentId = match.route().trigger().componentId().orElseThrow();
            IncomingRequest incoming = incoming(componentId, executor.buffersBody());
            try (io.opentelemetry.context.Scope traced = span.makeCurrent()) {
                executor.serve(incoming, this);
            } catch (InvocationException e) {
                log.error(componentId, incoming.method() + " " + rawPath + " -> 500: " + e.getMessage());
                abortOrAnswer(e, HttpResponseData.text(500, e.kind() == InvocationException.Kind.TIMEOUT
                        ? "component timed out" : "component failed"));
            } catch (IOException | RuntimeException e) {
                log.error(componentId, incoming.method() + " " + rawPath + " -> 500: " + describe(e));
                abortOrAnswer(e, HttpResponseData.text(500, "component failed"));
            }
            if (!finished) {
                abortOrAnswer(null, HttpResponseData.text(500, "component returned no response"));
            }
        }

        private void abortOrAnswer(Throwable cause, HttpResponseData fallback) {
            if (finished) {
                return;
            }
            if (committed) {
                fail(cause != null ? cause : new IOException("response not completed"));
            } else {
                answer(fallback, false);
            }
        }

        private IncomingRequest incoming(String componentId, boolean buffered) {
            String query = Optional.ofNullable(request.getHttpURI().getQuery()).orElse("");
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            for (HttpField field : request.getHeaders()) {
                if (field.getName().regionMatches(true, 0, "spin-", 0, 5)) {
                    continue; // A client must not forge the host's own headers.
                }
                headers.add(Map.entry(field.getName(), field.getValue()));
            }
            String authority = request.getHttpURI().getAuthority();
            if (authority == null || authority.isEmpty()) {
                authority = request.getHeaders().get(HttpHeader.HOST);
            }
            if (authority == null || authority.isEmpty()) {
                String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
                authority = host + ":" + port();
            }
            SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
            String clientAddr = remote instanceof InetSocketAddress inet
                    ? inet.getAddress().getHostAddress() + ":" + inet.getPort() : String.valueOf(remote);
            InputStream stream = buffered ? null : new CappedStream(Content.Source.asInputStream(request), options.maxBodyBytes(), clock);
            return new IncomingRequest(request.getMethod().toUpperCase(Locale.ROOT), rawPath, query, headers,
                    request.isSecure() ? "https" : "http", authority, clientAddr, port(), router.base(),
                    componentId, match, buffered ? body.toByteArray() : null, stream, this::requestTrailers);
        }

        /** A rejection the operator should see: the log's rate limit keeps a flood of them to a few lines. */
        private void rejectedBody() {
            log.warn(LOG_ID, "413 for " + request.getMethod() + " " + rawPath + ": request body larger than "
                    + options.maxBodyBytes() + " bytes (--max-body-size)");
        }

        private void overloaded() {
            long now = System.currentTimeMillis();
            long last = overloadLoggedAt.get();
            if (now - last >= OVERLOAD_LOG_INTERVAL_MS && overloadLoggedAt.compareAndSet(last, now)) {
                long others = overloadSuppressed.getAndSet(0);
                log.warn(LOG_ID, "503 for " + request.getMethod() + " " + rawPath + ": all " + options.workers()
                        + " workers busy and " + options.queue() + " requests queued"
                        + (others > 0 ? " (" + others + " more 503s since the last such line)" : ""));
            } else {
                overloadSuppressed.incrementAndGet();
            }
            answer(HttpResponseData.text(503, "server busy, try again"), true);
        }

        /** Sends a whole response the host made (errors, static routes) without a worker. */
        private void answer(HttpResponseData data, boolean closeConnection) {
            if (finished || committed) {
                return;
            }
            response.reset(); // drop whatever head() an executor set before it failed
            if (closeConnection && http1) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            try {
                head(data.status(), data.headers());
            } catch (IllegalArgumentException e) {
                HttpResponseData invalid = HttpResponseData.text(500, "invalid header in the response");
                head(invalid.status(), invalid.headers());
                data = invalid;
            }
            boolean noBody = request.getMethod().equalsIgnoreCase("HEAD") || data.status() == 204 || data.status() == 304;
            end(ByteBuffer.wrap(noBody ? new byte[0] : data.body()));
        }

        // ---- ResponseSink ----

        @Override
        public void head(int status, List<Map.Entry<String, String>> headers) {
            List<HttpField> fields = new ArrayList<>(headers.size());
            for (Map.Entry<String, String> h : responseHead(committed, status, headers)) {
                fields.add(new HttpField(h.getKey(), h.getValue()));
            }
            response.setStatus(status);
            for (HttpField f : fields) {
                response.getHeaders().add(f);
            }
        }

        @Override
        public void write(ByteBuffer chunk) throws IOException {
            if (!committed) {
                // Jetty takes the trailer supplier when it commits the head; a streamed body learns its
                // trailers only at its end, so the supplier reads them then (none: no trailer section).
                response.setTrailersSupplier(() -> trailers);
            }
            committed = true;
            clock.writing();
            FutureCallback done = new FutureCallback();
            response.write(false, chunk, done);
            try {
                done.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while writing the response", e);
            } catch (ExecutionException e) {
                throw new IOException("client did not take the response: " + describe(e.getCause()), e.getCause());
            } finally {
                clock.invoking();
            }
        }

        /** The trailers a streaming executor ends its body with (null: none); read by Jetty's supplier at the end. */
        private volatile HttpFields trailers;

        /** Jetty keeps a chunked body's trailers once the content was read to its end. */
        private List<Map.Entry<String, String>> requestTrailers() {
            HttpFields trailers = request.getTrailers();
            if (trailers == null) {
                return List.of();
            }
            List<Map.Entry<String, String>> out = new ArrayList<>(trailers.size());
            for (HttpField f : trailers) {
                out.add(Map.entry(f.getName(), f.getValue()));
            }
            return out;
        }

        @Override
        public void end(ByteBuffer last, List<Map.Entry<String, String>> trailers) {
            if (trailers.isEmpty()) {
                end(last);
                return;
            }
            HttpFields.Mutable fields = HttpFields.build();
            for (Map.Entry<String, String> t : trailers) {
                if (!isToken(t.getKey()) || !isFieldValue(t.getValue())) {
                    throw new IllegalArgumentException("invalid response trailer " + t.getKey());
                }
                fields.add(t.getKey(), t.getValue());
            }
            if (!committed) {
                // Trailers go after a chunked body, so the body must not get a content-length here.
                response.setTrailersSupplier(() -> this.trailers);
                committed = true;
            }
            this.trailers = fields;
            end(last);
        }

        @Override
        public void end(ByteBuffer last) {
            if (!finish()) {
                return;
            }
            if (!committed) {
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, last.remaining());
            }
            committed = true;
            clock.writing();
            response.write(true, last, Callback.from(this::done, this::writeFailed));
        }

        @Override
        public void abort(Throwable cause) {
            if (!committed) {
                answer(HttpResponseData.text(500, "component failed"), false);
            } else {
                fail(cause);
            }
        }

        @Override
        public boolean committed() {
            return committed;
        }

        private void done() {
            clock.idle();
            deadlines.release(this);
            // Before the callback: once it has succeeded Jetty may recycle the request and response.
            accessLog(response.getStatus());
            callback.succeeded();
            inFlight.decrementAndGet();
        }

        /** The access-log entry and the request metric of this exchange: once, when it ends (status 0 for an abort). */
        private void accessLog(int status) {
            String componentId = match == null ? "-" : match.route().trigger().componentId().orElse("-");
            long nanos = System.nanoTime() - request.getBeginNanoTime();
            log.access(new HostLog.Access(start, request.getMethod(), rawPath, status, java.time.Duration.ofNanos(nanos), componentId));
            String route = match != null ? routeLabel(match.route())
                    : rawPath.equals(WELL_KNOWN_PREFIX + "health") || rawPath.equals(WELL_KNOWN_PREFIX + "info") ? rawPath : "none";
            metrics.request(route, componentId, request.getMethod(), status, nanos);
            span.endHttp(status);
        }

        private void writeFailed(Throwable x) {
            logAborted(x);
            if (http1) {
                // Nothing more can be said on this connection: close it rather than let Jetty write an
                // error page after a half-read body (or into a half-written response).
                request.getConnectionMetaData().getConnection().getEndPoint().close();
            }
            clock.idle();
            deadlines.release(this);
            accessLog(0);
            callback.failed(x);
            inFlight.decrementAndGet();
        }

        /** The client went away, or the read deadline closed its connection: nothing to answer. */
        private void fail(Throwable x) {
            if (finish()) {
                writeFailed(x);
            }
        }

        /** True for the one caller that ends this exchange (the response's end, or a failure). */
        private synchronized boolean finish() {
            if (finished) {
                return false;
            }
            finished = true;
            return true;
        }

        private void logAborted(Throwable x) {
            String why = clock.fired() || x instanceof TimeoutException || x.getCause() instanceof TimeoutException
                    ? "client did not send the request (or read the response) within "
                      + options.requestReadTimeout().toMillis() + " ms; connection closed"
                    : describe(x);
            log.warn(LOG_ID, "request " + request.getMethod() + " " + rawPath + " aborted: " + why);
        }
    }

    /**
     * A route as the manifest spells it, with the base ({@code /api/...}, as Spin's
     * {@code spin-matched-route}): the metrics' and the spans' route. (The metrics had
     * {@code /api...} for a wildcard below the root before the spans shared this.)
     */
    private static String routeLabel(Router.Route route) {
        return route.matchedRoute();
    }

    /** Reads a request's W3C trace context headers ({@code traceparent}, {@code tracestate}) for {@link Tracing#httpServer}. */
    private static final io.opentelemetry.context.propagation.TextMapGetter<Request> TRACE_HEADERS =
            new io.opentelemetry.context.propagation.TextMapGetter<>() {
                @Override
                public Iterable<String> keys(Request request) {
                    return request.getHeaders().getFieldNamesCollection();
                }

                @Override
                public String get(Request request, String key) {
                    return request == null ? null : request.getHeaders().get(key);
                }
            };

    /**
     * Answers what Jetty rejects before the handler (malformed requests, oversized headers) with a
     * one-line text body instead of Jetty's HTML page, which would echo exception messages.
     */
    private static boolean jettyError(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        String reason = org.eclipse.jetty.http.HttpStatus.getMessage(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        Content.Sink.write(response, true, status + " " + reason + "\n", callback);
        return true;
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** Headers about the transport's framing, which the server sets itself (and drops from a guest's response). */
    static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding", "connection");

    /**
     * What {@link ResponseSink#head} promises, for every sink (the server's and the embedding
     * {@link HttpEntry}'s): the head may be set once, the status is 100..999, and every header can
     * be sent. Returns the headers to send, less the {@link #FRAMING} ones.
     *
     * @throws IllegalStateException when the head was already sent
     * @throws IllegalArgumentException for a bad status, header name (not a token) or value (CR, LF, NUL, ...)
     */
    static List<Map.Entry<String, String>> responseHead(boolean committed, int status, List<Map.Entry<String, String>> headers) {
        if (committed) {
            throw new IllegalStateException("the response head was already sent");
        }
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status " + status);
        }
        List<Map.Entry<String, String>> out = new ArrayList<>(headers.size());
        for (Map.Entry<String, String> h : headers) {
            if (FRAMING.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                continue;
            }
            if (!isToken(h.getKey()) || !isFieldValue(h.getValue())) {
                throw new IllegalArgumentException("invalid response header " + h.getKey());
            }
            out.add(h);
        }
        return out;
    }

    /** RFC 9110 token: what a header name may be. */
    static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A header value must not break the framing: no CR, LF or NUL (other controls are dropped by no one, so refuse them too). */
    static boolean isFieldValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }

    static HttpResponseData staticResponse(StaticResponse s) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(s.headers().entrySet());
        return new HttpResponseData(s.statusCode(), headers, s.body().orElse("").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A streamed request body: fails once more than {@code max} bytes were read, and runs the read
     * deadline while a read waits for the client (the guest's own time stays paused).
     */
    static final class CappedStream extends InputStream {
        private final InputStream in;
        private final long max;
        private final ReadDeadlines.Clock clock;
        private long read;

        CappedStream(InputStream in, long max, ReadDeadlines.Clock clock) {
            this.in = in;
            this.max = max;
            this.clock = clock;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (read > max) {
                throw new IOException("request body larger than " + max + " bytes");
            }
            int n;
            clock.blockedRead();
            try {
                n = in.read(b, off, len);
            } finally {
                clock.invoking();
            }
            if (n > 0 && (read += n) > max) {
                throw new IOException("request body larger than " + max + " bytes");
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * Graceful stop within {@link HttpServerOptions#shutdownGrace()}: from now on new requests get
     * 503; requests already being handled finish (polled until none is left or the grace period
     * ends); then the listener and all connections are closed, so later connections are refused.
     * Returns within the grace period plus a moment. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + options.shutdownGrace().toNanos();
        try {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(SHUTDOWN_POLL_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopQuietly();
    }

    private void stopQuietly() {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn(LOG_ID, "stopping the HTTP server: " + describe(e));
        }
        deadlines.close();
        metrics.close();
    }

    /** How often shutdown checks for requests still in flight; small against any sane grace period. */
    private static final long SHUTDOWN_POLL_MS = 20;
}
