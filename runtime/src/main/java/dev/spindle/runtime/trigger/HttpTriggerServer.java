package dev.spindle.runtime.trigger;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spindle.host.HostLog;
import dev.spindle.manifest.HttpTrigger;
import dev.spindle.manifest.StaticResponse;
import dev.spindle.manifest.TriggerConfig;
import dev.spindle.runtime.InvocationException;
import dev.spindle.runtime.SpindleApp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves an app's {@code [[trigger.http]]} routes on the JDK's HTTP server: one fresh guest
 * instance per request, a bounded worker pool with a bounded queue (503 beyond it), a request
 * body cap (413) and a read deadline.
 *
 * <pre>{@code
 * try (HttpTriggerServer server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0))) {
 *     int port = server.port();
 * }
 * }</pre>
 */
public final class HttpTriggerServer implements RunningTrigger {
    private static final String LOG_ID = "http";
    /** Marks a request the pool could not take: the dispatcher answers 503 itself, without reading the body. */
    private static final ThreadLocal<Boolean> OVERLOADED = ThreadLocal.withInitial(() -> false);

    private final SpindleApp app;
    private final HttpServerOptions options;
    private final Router router;
    private final HttpServer server;
    private final ThreadPoolExecutor workers;
    private final HostLog log;
    private final ScheduledExecutorService deadlines;
    /** Requests inside {@link #handle} right now; shutdown waits for them. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    private HttpTriggerServer(SpindleApp app, HttpServerOptions options, Router router, HttpServer server, ThreadPoolExecutor workers) {
        this.app = app;
        this.options = options;
        this.router = router;
        this.server = server;
        this.workers = workers;
        this.log = app.log();
        this.deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spindle-http-deadlines");
            t.setDaemon(true);
            return t;
        });
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
        Router router = Router.build(triggers(app), app.manifest().application().httpBase());
        // The request read deadline is Spindle's own (see ReadDeadline), per request, not the JDK's
        // JVM-wide sun.net.httpserver.maxReqTime.
        // Without TCP_NODELAY the server's separate header and body writes meet the client's
        // delayed ACK and every response waits ~40 ms.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        AtomicInteger counter = new AtomicInteger();
        ThreadPoolExecutor workers = new ThreadPoolExecutor(options.workers(), options.workers(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(Math.max(1, options.queue())), r -> {
                    Thread t = new Thread(r, "spindle-http-" + counter.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        workers.allowCoreThreadTimeOut(true);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 1024);
        } catch (IOException e) {
            workers.shutdownNow();
            throw new UncheckedIOException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        HttpTriggerServer trigger = new HttpTriggerServer(app, options, router, server, workers);
        server.createContext("/", trigger::handle);
        server.setExecutor(trigger.executor());
        server.start();
        return trigger;
    }

    /**
     * Hands exchanges to the pool; when pool and queue are full, runs them inline on the
     * dispatcher thread flagged as overloaded (a fast 503 without reading the body). Either way the
     * exchange runs under a {@link ReadDeadline}: the JDK server reads the request line and headers
     * inside this task, so the deadline covers headers and body, and a client that stalls cannot
     * hold a worker (or, under overload, the dispatcher) for longer than the read timeout.
     */
    private Executor executor() {
        return task -> {
            try {
                workers.execute(() -> guarded(task));
            } catch (RejectedExecutionException e) {
                OVERLOADED.set(true);
                try {
                    guarded(task);
                } finally {
                    OVERLOADED.set(false);
                }
            }
        };
    }

    private void guarded(Runnable task) {
        ReadDeadline deadline = new ReadDeadline(Thread.currentThread());
        ReadDeadline.CURRENT.set(deadline);
        deadline.resume();
        try {
            task.run();
        } finally {
            deadline.pause();
            ReadDeadline.CURRENT.remove();
            Thread.interrupted(); // never leave a deadline's interrupt on a pooled thread
        }
    }

    /**
     * Spindle's per-request read (and write) deadline. While armed, the exchange's thread is
     * interrupted when {@link HttpServerOptions#requestReadTimeout()} passes; the JDK server reads
     * from an interruptible {@code SocketChannel}, so the blocked read fails and the connection is
     * closed. Paused while the guest runs (the invocation timeout governs that), resumed for
     * writing the response. Arming, pausing and firing share one lock, so no interrupt can arrive
     * after {@link #pause()} returns.
     */
    private final class ReadDeadline {
        static final ThreadLocal<ReadDeadline> CURRENT = new ThreadLocal<>();
        private final Thread thread;
        private ScheduledFuture<?> timer;
        private boolean fired;

        ReadDeadline(Thread thread) {
            this.thread = thread;
        }

        synchronized void resume() {
            if (!fired && timer == null) {
                timer = deadlines.schedule(this::fire, options.requestReadTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        /** Stops the clock; false when it already fired (the connection is being closed). */
        synchronized boolean pause() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            return !fired;
        }

        synchronized boolean fired() {
            return fired;
        }

        private synchronized void fire() {
            if (timer != null && !fired) {
                fired = true;
                timer = null;
                thread.interrupt();
            }
        }
    }

    /** Requests being handled right now (tests poll it). */
    int inFlight() {
        return inFlight.get();
    }

    /** Exchanges waiting for a worker (tests poll it). */
    int queued() {
        return workers.getQueue().size();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://host:port}. */
    public String baseUrl() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + host + ":" + port();
    }

    /** The startup banner, as Spin prints it: the URL, then one line per served route. */
    @Override
    public String banner() {
        StringBuilder sb = new StringBuilder("Serving ").append(baseUrl()).append('\n').append("Available Routes:\n");
        for (Router.Route r : router.routes()) {
            sb.append("  ").append(r.label()).append(": ").append(baseUrl())
                    .append(r.wildcard() ? r.fullRoute() : r.fullRoute());
            if (r.wildcard()) {
                sb.append(" (wildcard)");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private void handle(HttpExchange exchange) {
        inFlight.incrementAndGet();
        try (exchange) {
            if (OVERLOADED.get() || closed) {
                exchange.getResponseHeaders().set("connection", "close");
                send(exchange, HttpResponseData.text(503, closed ? "server is shutting down" : "server busy, try again"));
                return;
            }
            send(exchange, respond(exchange));
        } catch (IOException | RuntimeException e) {
            // The client went away or the read deadline closed the connection; nothing to answer.
            ReadDeadline deadline = ReadDeadline.CURRENT.get();
            String why = deadline != null && deadline.fired()
                    ? "client did not send the request (or read the response) within " + options.requestReadTimeout().toMillis() + " ms; connection closed"
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            log.warn(LOG_ID, "request " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
                    + " aborted: " + why);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private HttpResponseData respond(HttpExchange exchange) throws IOException {
        String rawPath = exchange.getRequestURI().getRawPath();
        if (rawPath == null || rawPath.isEmpty()) {
            rawPath = "/";
        }
        Optional<Router.Match> match = router.match(rawPath);
        if (match.isEmpty()) {
            // The body is left unread: closing the exchange discards it (or the connection).
            return HttpResponseData.text(404, "not found");
        }
        long declared = contentLength(exchange.getRequestHeaders());
        if (declared > options.maxBodyBytes()) {
            exchange.getResponseHeaders().set("connection", "close");
            return HttpResponseData.text(413, "request body larger than " + options.maxBodyBytes() + " bytes");
        }
        byte[] body = readBody(exchange.getRequestBody(), options.maxBodyBytes());
        if (body == null) {
            exchange.getResponseHeaders().set("connection", "close");
            return HttpResponseData.text(413, "request body larger than " + options.maxBodyBytes() + " bytes");
        }
        Router.Route route = match.get().route();
        HttpTrigger trigger = route.trigger();
        if (trigger.staticResponse().isPresent()) {
            return staticResponse(trigger.staticResponse().get());
        }
        HttpRequestData request = request(exchange, match.get(), body);
        String componentId = trigger.componentId().orElseThrow();
        ReadDeadline deadline = ReadDeadline.CURRENT.get();
        if (deadline != null && !deadline.pause()) {
            throw new IOException("read deadline passed");
        }
        try {
            return HttpExecutors.execute(app, componentId, trigger.executor(), request);
        } catch (InvocationException e) {
            log.error(componentId, request.method() + " " + rawPath + " -> 500: " + e.getMessage());
            return HttpResponseData.text(500, e.kind() == InvocationException.Kind.TIMEOUT
                    ? "component timed out" : "component failed");
        } finally {
            if (deadline != null) {
                deadline.resume(); // writing the response has a deadline too
            }
        }
    }

    private HttpRequestData request(HttpExchange exchange, Router.Match match, byte[] body) {
        String rawPath = exchange.getRequestURI().getRawPath();
        String query = Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse("");
        String pathAndQuery = rawPath + (query.isEmpty() ? "" : "?" + query);
        String hostHeader = Optional.ofNullable(exchange.getRequestHeaders().getFirst("host"))
                .orElse(options.host() + ":" + port());
        String serverName = hostHeader.startsWith("[") ? hostHeader.substring(0, hostHeader.indexOf(']') + 1)
                : (hostHeader.contains(":") ? hostHeader.substring(0, hostHeader.indexOf(':')) : hostHeader);
        String fullUrl = "http://" + hostHeader + pathAndQuery;
        InetSocketAddress remote = exchange.getRemoteAddress();
        String clientAddr = remote.getAddress().getHostAddress() + ":" + remote.getPort();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("spin-")) {
                continue; // A client must not forge the host's own headers.
            }
            for (String v : h.getValue()) {
                headers.add(Map.entry(name, v));
            }
        }
        Router.Route route = match.route();
        headers.add(Map.entry("spin-full-url", fullUrl));
        headers.add(Map.entry("spin-path-info", match.pathInfo()));
        headers.add(Map.entry("spin-matched-route", route.matchedRoute()));
        headers.add(Map.entry("spin-component-route", route.componentRoute()));
        headers.add(Map.entry("spin-raw-component-route", route.rawRoute()));
        headers.add(Map.entry("spin-base-path", router.base()));
        headers.add(Map.entry("spin-client-addr", clientAddr));
        return new HttpRequestData(exchange.getRequestMethod().toUpperCase(Locale.ROOT), pathAndQuery, rawPath, query, headers,
                body, match, fullUrl, clientAddr, serverName, port(), router.base());
    }

    private static HttpResponseData staticResponse(StaticResponse s) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(s.headers().entrySet());
        return new HttpResponseData(s.statusCode(), headers, s.body().orElse("").getBytes(StandardCharsets.UTF_8));
    }

    private static long contentLength(Headers headers) {
        String value = headers.getFirst("content-length");
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Reads the whole body, or returns null as soon as it exceeds {@code max} bytes. */
    static byte[] readBody(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > max) {
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private void send(HttpExchange exchange, HttpResponseData response) throws IOException {
        Headers out = exchange.getResponseHeaders();
        try {
            for (Map.Entry<String, String> h : response.headers()) {
                String name = h.getKey().toLowerCase(Locale.ROOT);
                if (name.equals("content-length") || name.equals("transfer-encoding") || name.equals("connection")) {
                    continue; // The server frames the body itself.
                }
                out.add(h.getKey(), h.getValue());
            }
        } catch (IllegalArgumentException e) {
            out.clear();
            response = HttpResponseData.text(500, "component returned an invalid header");
            for (Map.Entry<String, String> h : response.headers()) {
                out.add(h.getKey(), h.getValue());
            }
        }
        byte[] body = response.body();
        boolean noBody = exchange.getRequestMethod().equalsIgnoreCase("HEAD") || response.status() == 204 || response.status() == 304;
        exchange.sendResponseHeaders(response.status(), noBody ? -1 : (body.length == 0 ? -1 : body.length));
        if (!noBody && body.length > 0) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
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
            while ((inFlight.get() > 0 || !workers.getQueue().isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(SHUTDOWN_POLL_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // JDK 17's stop(n) waits the full n seconds even when idle; we drained above, so stop now.
        server.stop(0);
        workers.shutdownNow();
        deadlines.shutdownNow();
    }

    /** How often shutdown checks for requests still in flight; small against any sane grace period. */
    private static final long SHUTDOWN_POLL_MS = 20;
}
