package dev.spindle.runtime.trigger;

import dev.spindle.runtime.InvocationException;
import dev.spindle.runtime.SpindleApp;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The app's HTTP routes without a socket ({@link SpindleApp#http()}): a request in, the response
 * out, routed and answered exactly as the HTTP trigger does (the same router, the same executors
 * for Spin, WAGI and {@code wasi:http} components, the same {@code spin-*} headers, 404 for an
 * unrouted path, 500 for a failing component). The response body is collected whole. Thread-safe.
 *
 * <pre>{@code
 * HttpEntry.Response r = app.http().handle(HttpEntry.Request.get("/hello"));
 * }</pre>
 */
public final class HttpEntry {
    /**
     * A request: {@code uri} is the path and query as a client would send it ({@code /count?x=1}),
     * relative to the app (its {@code trigger.http.base} included); header names in any case.
     */
    public record Request(String method, String uri, List<Map.Entry<String, String>> headers, byte[] body) {
        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(uri, "uri");
            if (!uri.startsWith("/")) {
                throw new IllegalArgumentException("uri must start with '/': " + uri);
            }
            headers = List.copyOf(headers);
            body = body == null ? new byte[0] : body;
        }

        public static Request get(String uri) {
            return new Request("GET", uri, List.of(), new byte[0]);
        }

        public static Request post(String uri, byte[] body) {
            return new Request("POST", uri, List.of(), body);
        }

        /** This request with one more header. */
        public Request withHeader(String name, String value) {
            List<Map.Entry<String, String>> more = new ArrayList<>(headers);
            more.add(Map.entry(name, value));
            return new Request(method, uri, more, body);
        }
    }

    /**
     * A response: status, headers in the order the component gave them (less {@code content-length},
     * {@code transfer-encoding} and {@code connection}, which a server frames itself), the whole body.
     */
    public record Response(int status, List<Map.Entry<String, String>> headers, byte[] body) {
        public Response {
            headers = List.copyOf(headers);
        }

        /** The first header of that name (any case). */
        public Optional<String> header(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
        }

        /** The body as UTF-8 text. */
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * Where a request came from, for the {@code spin-full-url} and {@code spin-client-addr} headers
     * and WAGI's CGI variables. {@link #LOCAL} when there is no connection.
     */
    record Origin(String scheme, String authority, String clientAddr, int serverPort) {
        static final Origin LOCAL = new Origin("http", "localhost", "127.0.0.1:0", 0);
    }

    private final SpindleApp app;
    private final Router router;
    private final Map<Router.Route, HttpGuestExecutor> executors = new ConcurrentHashMap<>();

    /** @throws dev.spindle.manifest.ManifestException for an HTTP trigger without a valid route */
    public HttpEntry(SpindleApp app) {
        this.app = app;
        this.router = Router.build(HttpTriggerServer.triggers(app), app.manifest().application().httpBase());
    }

    /**
     * Routes and serves one request on the calling thread (the guest runs within the app's
     * invocation limits). A component that traps or times out is a 500, as over HTTP, and logged.
     */
    public Response handle(Request request) {
        return handle(request, Origin.LOCAL);
    }

    Response handle(Request request, Origin origin) {
        String uri = request.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? "" : uri.substring(q + 1);
        Optional<Router.Match> found = router.match(path);
        if (found.isEmpty()) {
            return of(HttpResponseData.text(404, "not found"));
        }
        Router.Match match = found.get();
        Router.Route route = match.route();
        if (route.trigger().staticResponse().isPresent()) {
            return of(HttpTriggerServer.staticResponse(route.trigger().staticResponse().get()));
        }
        String componentId = route.trigger().componentId().orElseThrow();
        HttpGuestExecutor executor = executors.computeIfAbsent(route,
                r -> HttpExecutors.select(app, componentId, r.trigger().executor()));
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String authority = origin.authority();
        for (Map.Entry<String, String> h : request.headers()) {
            if (h.getKey().regionMatches(true, 0, "spin-", 0, 5)) {
                continue; // a caller must not forge the host's own headers, as over HTTP
            }
            if (h.getKey().equalsIgnoreCase("host") && origin == Origin.LOCAL) {
                authority = h.getValue();
            }
            headers.add(h);
        }
        IncomingRequest incoming = new IncomingRequest(request.method().toUpperCase(Locale.ROOT), path, query, headers,
                origin.scheme(), authority, origin.clientAddr(), origin.serverPort(), router.base(), componentId, match,
                request.body(), null);
        Collector sink = new Collector();
        try (io.opentelemetry.context.Scope traced = dev.spindle.host.Tracing.get().trigger("http")) {
            executor.serve(incoming, sink);
        } catch (InvocationException e) {
            app.log().error(componentId, incoming.method() + " " + path + " -> 500: " + e.getMessage());
            return of(HttpResponseData.text(500, e.kind() == InvocationException.Kind.TIMEOUT ? "component timed out" : "component failed"));
        } catch (java.io.IOException | RuntimeException e) {
            app.log().error(componentId, incoming.method() + " " + path + " -> 500: " + e.getMessage());
            return of(HttpResponseData.text(500, "component failed"));
        }
        if (sink.failed || sink.status == 0 || !sink.ended) {
            return of(HttpResponseData.text(500, sink.status == 0 ? "component returned no response" : "component failed"));
        }
        boolean noBody = incoming.method().equals("HEAD") || sink.status == 204 || sink.status == 304;
        return new Response(sink.status, sink.headers, noBody ? new byte[0] : sink.body.toByteArray());
    }

    private static Response of(HttpResponseData data) {
        return new Response(data.status(), data.headers(), data.body());
    }

    /** Takes the whole response in memory; the executor drives it from one thread. */
    private static final class Collector implements ResponseSink {
        int status;
        List<Map.Entry<String, String>> headers = List.of();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean committed;
        boolean ended;
        boolean failed;

        @Override
        public void head(int status, List<Map.Entry<String, String>> headers) {
            this.headers = List.copyOf(HttpTriggerServer.responseHead(committed, status, headers));
            this.status = status;
        }

        @Override
        public void write(ByteBuffer chunk) {
            committed = true;
            append(chunk);
        }

        @Override
        public void end(ByteBuffer last) {
            committed = true;
            append(last);
            ended = true;
        }

        @Override
        public void abort(Throwable cause) {
            failed = true;
        }

        @Override
        public boolean committed() {
            return committed;
        }

        private void append(ByteBuffer chunk) {
            byte[] bytes = new byte[chunk.remaining()];
            chunk.get(bytes);
            body.writeBytes(bytes);
        }
    }
}
