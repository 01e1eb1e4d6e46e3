package dev.spindle.wasi.http.outbound;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.abi.Result;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.manifest.hosts.InvalidOutboundUrlException;
import dev.spindle.manifest.hosts.OutboundUrl;
import dev.spindle.wasi.http.ErrorCode;
import dev.spindle.wasi.http.Field;
import dev.spindle.wasi.http.FutureIncomingResponse;
import dev.spindle.wasi.http.IncomingBody;
import dev.spindle.wasi.http.IncomingResponse;
import dev.spindle.wasi.http.OutgoingBody;
import dev.spindle.wasi.http.OutgoingHandler;
import dev.spindle.wasi.http.OutgoingRequest;
import dev.spindle.wasi.http.RequestOptions;
import dev.spindle.wasi.io.ChunkSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One component's outbound HTTP: {@code wasi:http/outgoing-handler} ({@link #handle}) and Spin's
 * legacy blocking interfaces ({@link #send}). Both check every request against the component's
 * allowed_outbound_hosts before any connection is made; a denied request is logged once with the
 * entry that would allow it, and never reaches the network.
 */
public final class ComponentOutbound implements OutgoingHandler {
    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> CLIENT_HEADERS = Set.of("host", "connection", "content-length", "expect", "upgrade");
    private static final List<String> HTTP_SCHEMES = List.of("http", "https");
    /** A request body up to this size is sent with a content-length once finished; a longer one streams chunked. */
    static final int COLLECT_BYTES = 1 << 20;

    private final OutboundHttp http;
    private final ComponentContext component;
    private final Semaphore permits;
    private final OutboundHttpOptions options;

    ComponentOutbound(OutboundHttp http, ComponentContext component, Semaphore permits) {
        this.http = http;
        this.component = component;
        this.permits = permits;
        this.options = http.options();
    }

    /** Where a request goes, after the allowed-hosts check. */
    record Target(URI uri, String shown) {}

    /**
     * Resolves and checks a request's target: a URL, or a request to the app itself (no authority,
     * or {@code self.alt}).
     */
    Result<Target, ErrorCode> target(String scheme, Optional<String> authority, String pathWithQuery) {
        if (!HTTP_SCHEMES.contains(scheme)) {
            return Result.err(ErrorCode.internal("unsupported scheme " + scheme + " (only http and https)"));
        }
        String path = pathWithQuery.isEmpty() ? "/" : pathWithQuery.startsWith("/") ? pathWithQuery : "/" + pathWithQuery;
        boolean toSelf = authority.isEmpty() || authority.get().isEmpty()
                || authority.get().toLowerCase(Locale.ROOT).replaceFirst(":\\d*$", "").equals("self.alt");
        if (toSelf) {
            if (!component.allowedHosts().allowsSelfRequest(HTTP_SCHEMES)) {
                component.log().warn(component.componentId(), "outbound HTTP request to the app itself (" + path.replaceAll("\\?.*", "")
                        + ") denied: add \"http://self\" to allowed_outbound_hosts");
                return Result.err(ErrorCode.of(ErrorCode.Code.HTTP_REQUEST_DENIED));
            }
            Optional<String> origin = http.selfOrigin();
            if (origin.isEmpty()) {
                return Result.err(ErrorCode.of(ErrorCode.Code.HTTP_REQUEST_URI_INVALID));
            }
            return uri(origin.get() + path, origin.get());
        }
        OutboundUrl url;
        try {
            url = OutboundUrl.parse(scheme + "://" + authority.get() + path);
        } catch (InvalidOutboundUrlException e) {
            return Result.err(ErrorCode.of(ErrorCode.Code.HTTP_REQUEST_URI_INVALID));
        }
        if (url.user().isPresent() || url.password().isPresent()) {
            return Result.err(ErrorCode.of(ErrorCode.Code.HTTP_REQUEST_URI_INVALID));
        }
        String shown = url.scheme() + "://" + url.authority();
        if (!component.allowedHosts().allows(url)) {
            component.log().warn(component.componentId(), "outbound HTTP request to " + shown + " denied: not in allowed_outbound_hosts"
                    + " (add \"" + AllowedHosts.suggestedEntry(url) + "\" to allow it)");
            return Result.err(ErrorCode.of(ErrorCode.Code.HTTP_REQUEST_DENIED));
        }
        // Connect to exactly the host that was checked: the canonical form the matcher compared.
        return uri(url.scheme() + "://" + url.host() + (url.port().isPresent() ? ":" + url.port().getAsInt() : "")
                + url.path() + url.query().map(q -> "?" + q).orElse(""), shown);
    }

    private static Result<Target, ErrorCode> uri(String text, String shown) {
        try {
            return Result.ok(new Target(new URI(text), shown));
        } catch (Exception e) {
            return Result.err(ErrorCode.of(ErrorCode.Code.HTTP_REQUEST_URI_INVALID));
        }
    }

    /** Takes one of the component's request slots, or none when all are in use. */
    private Optional<Runnable> acquire() {
        if (!permits.tryAcquire()) {
            component.log().warn(component.componentId(), "outbound HTTP request refused: the component's limit of "
                    + options.maxConcurrentPerComponent() + " requests in flight is reached ([outbound_http] max_concurrent_requests)");
            return Optional.empty();
        }
        AtomicBoolean released = new AtomicBoolean();
        return Optional.of(() -> {
            if (released.compareAndSet(false, true)) {
                permits.release();
            }
        });
    }

    private HttpRequest.Builder builder(Target target, List<Field> headers, Duration firstByte) {
        HttpRequest.Builder b = HttpRequest.newBuilder(target.uri()).timeout(firstByte);
        if (target.uri().getScheme().equals("http")) {
            b.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade attempts on plain connections
        }
        for (Field f : headers) {
            if (!CLIENT_HEADERS.contains(f.name())) {
                b.header(f.name(), f.valueLatin1());
            }
        }
        return b;
    }

    // ---- wasi:http/outgoing-handler ----

    @Override
    public Result<FutureIncomingResponse, ErrorCode> handle(OutgoingRequest request, Optional<RequestOptions> requestOptions) {
        Result<Target, ErrorCode> target = target(request.scheme().orElse("https"), request.authority(),
                request.pathWithQuery().orElse("/"));
        if (!target.isOk()) {
            return Result.err(target.error());
        }
        RequestOptions o = requestOptions.orElseGet(RequestOptions::new);
        Duration connect = o.connectTimeout().orElse(options.connectTimeout());
        Duration firstByte = o.firstByteTimeout().orElse(options.firstByteTimeout());
        Duration betweenBytes = o.betweenBytesTimeout().orElse(options.betweenBytesTimeout());
        if (request.method().equals("CONNECT")) {
            return Result.err(ErrorCode.of(ErrorCode.Code.HTTP_REQUEST_METHOD_INVALID));
        }
        HttpRequest.Builder builder;
        try {
            builder = builder(target.value(), request.headers().entries(), firstByte);
        } catch (IllegalArgumentException e) {
            return Result.err(ErrorCode.internal("invalid request header: " + e.getMessage()));
        }
        Optional<Runnable> release = acquire();
        if (release.isEmpty()) {
            return Result.err(ErrorCode.of(ErrorCode.Code.CONNECTION_LIMIT_REACHED));
        }
        Exchange exchange = new Exchange(http.client(connect, component.componentId(), target.value().uri()), builder, request.method(), target.value().shown(), betweenBytes,
                release.get());
        Optional<OutgoingBody> body = request.body();
        if (body.isPresent()) {
            Exchange.LazyBody lazy = exchange.new LazyBody();
            body.get().attach(lazy, lazy);
            exchange.onWait = lazy::startStreaming;
        } else {
            exchange.start(HttpRequest.BodyPublishers.noBody());
        }
        return Result.ok(new FutureIncomingResponse(exchange.result, exchange::onWait, exchange::cancel));
    }

    /** One wasi:http request: started when its body's length is known, or once it must stream. */
    private final class Exchange {
        final HttpClient client;
        final HttpRequest.Builder builder;
        final String method;
        final String shown;
        final Duration betweenBytes;
        final Runnable release;
        final CompletableFuture<FutureIncomingResponse.Outcome> result = new CompletableFuture<>();
        CompletableFuture<?> inFlight;
        Runnable onWait = () -> {};
        boolean started;

        Exchange(HttpClient client, HttpRequest.Builder builder, String method, String shown, Duration betweenBytes,
                 Runnable release) {
            this.client = client;
            this.builder = builder;
            this.method = method;
            this.shown = shown;
            this.betweenBytes = betweenBytes;
            this.release = release;
        }

        void onWait() {
            onWait.run();
        }

        synchronized void start(HttpRequest.BodyPublisher body) {
            if (started) {
                return;
            }
            started = true;
            HttpRequest request;
            try {
                request = builder.method(method, body).build();
            } catch (IllegalArgumentException e) {
                fail(ErrorCode.of(ErrorCode.Code.HTTP_REQUEST_METHOD_INVALID));
                return;
            }
            inFlight = client.sendAsync(request, HttpResponse.BodyHandlers.ofPublisher()).whenComplete((response, error) -> {
                if (error != null) {
                    fail(OutboundErrors.of(error));
                    return;
                }
                ResponseBodyInput input = new ResponseBodyInput(betweenBytes, options.maxResponseBytes(), () -> warnTooLarge(shown));
                response.body().subscribe(input);
                IncomingResponse incoming = new IncomingResponse(response.statusCode(), fields(response.headers()),
                        new IncomingBody(input, Optional::empty), release);
                if (!result.complete(new FutureIncomingResponse.Outcome.Response(incoming))) {
                    incoming.close();
                }
            });
        }

        void fail(ErrorCode code) {
            release.run();
            result.complete(new FutureIncomingResponse.Outcome.Failed(code));
        }

        synchronized void cancel() {
            if (inFlight != null) {
                inFlight.cancel(true);
            }
            release.run();
        }

        /** The request body as the guest writes it: collected up to {@link #COLLECT_BYTES}, then streamed. */
        final class LazyBody implements ChunkSink, OutgoingBody.End {
            private final List<ByteBuffer> collected = new ArrayList<>();
            private long collectedBytes;
            private RequestBodyPublisher streaming;

            @Override
            public void write(ByteBuffer chunk) throws IOException {
                RequestBodyPublisher s;
                synchronized (this) {
                    if (streaming == null) {
                        collected.add(chunk);
                        collectedBytes += chunk.remaining();
                        if (collectedBytes <= COLLECT_BYTES) {
                            return;
                        }
                        startStreaming();
                        return;
                    }
                    s = streaming;
                }
                s.offer(chunk);
            }

            /** Starts the request with a chunked body (the guest waits for the response, or the body is large). */
            synchronized void startStreaming() {
                if (streaming != null || started) {
                    return;
                }
                streaming = new RequestBodyPublisher();
                List<ByteBuffer> queued = new ArrayList<>(collected);
                collected.clear();
                start(HttpRequest.BodyPublishers.fromPublisher(streaming));
                for (ByteBuffer b : queued) {
                    try {
                        streaming.offer(b);
                    } catch (IOException e) {
                        return; // the request already failed; its future says why
                    }
                }
            }

            @Override
            public Optional<ErrorCode> finish(Optional<List<Field>> trailers) {
                RequestBodyPublisher s;
                synchronized (this) {
                    if (streaming == null) {
                        ByteArrayOutputStream all = new ByteArrayOutputStream((int) collectedBytes);
                        for (ByteBuffer b : collected) {
                            all.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
                        }
                        collected.clear();
                        start(all.size() == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(all.toByteArray()));
                        return Optional.empty();
                    }
                    s = streaming;
                }
                s.complete(); // the JDK client sends no request trailers; they are dropped
                return Optional.empty();
            }

            @Override
            public void abort(String reason) {
                RequestBodyPublisher s;
                synchronized (this) {
                    s = streaming;
                    if (s == null) {
                        started = true; // never send a request whose body was abandoned
                    }
                }
                if (s == null) {
                    fail(ErrorCode.internal("the request body was abandoned: " + reason));
                } else {
                    s.fail(new IOException(reason));
                }
            }
        }
    }

    static List<Field> fields(HttpHeaders headers) {
        List<Field> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> h : headers.map().entrySet()) {
            if (h.getKey().startsWith(":")) {
                continue; // HTTP/2 pseudo-headers
            }
            for (String v : h.getValue()) {
                out.add(Field.of(h.getKey().toLowerCase(Locale.ROOT), v));
            }
        }
        return out;
    }

    // ---- Spin's legacy interfaces (wasi-outbound-http, fermyon:spin/http) ----

    /** The legacy interfaces' {@code http-error} enum, in WIT order ({@code success} is never returned). */
    public enum LegacyError { SUCCESS, DESTINATION_NOT_ALLOWED, INVALID_URL, REQUEST_ERROR, RUNTIME_ERROR, TOO_MANY_REQUESTS }

    /** A legacy response: status, headers, the whole body. */
    public record LegacyResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {}

    /**
     * Sends a request of Spin's legacy interfaces and reads the whole response. Redirects are
     * followed (as Spin's reqwest client does), up to {@link OutboundHttpOptions#maxRedirects()},
     * and <em>every hop is checked</em> against allowed_outbound_hosts: a redirect to a host the
     * component may not reach ends with {@code destination-not-allowed}, without connecting to it.
     */
    public Result<LegacyResponse, LegacyError> send(String method, String uri, List<Map.Entry<String, String>> headers,
                                                    Optional<byte[]> body) {
        Optional<Runnable> release = acquire();
        if (release.isEmpty()) {
            return Result.err(LegacyError.TOO_MANY_REQUESTS);
        }
        try {
            String currentMethod = method;
            Optional<byte[]> currentBody = body;
            String current = uri;
            for (int hop = 0; ; hop++) {
                Result<Target, ErrorCode> target = legacyTarget(current);
                if (!target.isOk()) {
                    return Result.err(target.error().code() == ErrorCode.Code.HTTP_REQUEST_DENIED
                            ? LegacyError.DESTINATION_NOT_ALLOWED : LegacyError.INVALID_URL);
                }
                List<Field> fields = new ArrayList<>();
                for (Map.Entry<String, String> h : headers) {
                    fields.add(Field.of(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
                }
                HttpRequest request;
                try {
                    request = builder(target.value(), fields, options.firstByteTimeout())
                            .method(currentMethod, currentBody.isPresent() && currentBody.get().length > 0
                                    ? HttpRequest.BodyPublishers.ofByteArray(currentBody.get()) : HttpRequest.BodyPublishers.noBody())
                            .build();
                } catch (IllegalArgumentException e) {
                    return Result.err(LegacyError.INVALID_URL);
                }
                HttpResponse<InputStream> response = http.client(options.connectTimeout(), component.componentId(), target.value().uri())
                        .send(request, HttpResponse.BodyHandlers.ofInputStream());
                int status = response.statusCode();
                Optional<String> location = response.headers().firstValue("location");
                if (isRedirect(status) && location.isPresent() && hop < options.maxRedirects()) {
                    response.body().close();
                    current = target.value().uri().resolve(location.get()).toString();
                    if (status == 303 || ((status == 301 || status == 302) && currentMethod.equals("POST"))) {
                        currentMethod = "GET";
                        currentBody = Optional.empty();
                    }
                    continue;
                }
                byte[] bytes;
                try (InputStream in = response.body()) {
                    bytes = readLimited(in, options.maxResponseBytes());
                }
                if (bytes == null) {
                    warnTooLarge(target.value().shown());
                    return Result.err(LegacyError.RUNTIME_ERROR);
                }
                List<Map.Entry<String, String>> out = new ArrayList<>();
                for (Field f : fields(response.headers())) {
                    out.add(Map.entry(f.name(), f.valueLatin1()));
                }
                return Result.ok(new LegacyResponse(status, out, bytes));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw dev.spindle.wasi.io.HostInterruptedException.from(e);
        } catch (IOException e) {
            return Result.err(LegacyError.REQUEST_ERROR);
        } finally {
            release.get().run();
        }
    }

    private void warnTooLarge(String shown) {
        component.log().warn(component.componentId(), "outbound HTTP response from " + shown
                + " exceeds the limit of " + options.maxResponseBytes() + " bytes; the guest got an error");
    }

    /** A legacy URI: absolute, or a path (a request to the app itself). */
    private Result<Target, ErrorCode> legacyTarget(String uri) {
        if (uri.startsWith("/")) {
            return target("http", Optional.empty(), uri);
        }
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (Exception e) {
            return Result.err(ErrorCode.of(ErrorCode.Code.HTTP_REQUEST_URI_INVALID));
        }
        if (parsed.getScheme() == null || parsed.getRawAuthority() == null) {
            return Result.err(ErrorCode.of(ErrorCode.Code.HTTP_REQUEST_URI_INVALID));
        }
        String pathAndQuery = (parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath())
                + (parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery());
        return target(parsed.getScheme().toLowerCase(Locale.ROOT), Optional.of(parsed.getRawAuthority()), pathAndQuery);
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** Reads the stream whole, or null past {@code max} bytes. */
    private static byte[] readLimited(InputStream in, long max) throws IOException {
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
}
