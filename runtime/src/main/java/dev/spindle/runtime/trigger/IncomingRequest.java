package dev.spindle.runtime.trigger;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A routed request as the server hands it to an {@link HttpGuestExecutor}.
 *
 * <p>{@link #headers()} are the client's, in arrival order, minus any {@code spin-*} header a
 * client tried to forge, with names in the case the client sent them (HTTP/1.1; HTTP/2 names are
 * lower-case on the wire), except that on a connection's first request Jetty gives the names it
 * knows ({@code Host}, {@code User-Agent}, ...) their canonical case (RequestHeaderCaseTest);
 * {@link #spinHeaders()} are the ones Spin adds ({@code spin-full-url}, {@code spin-path-info},
 * ...). The body is either complete ({@link #bodyBytes()}, for a buffering
 * executor) or a live stream ({@link #bodyStream()}, for a streaming one).
 */
public final class IncomingRequest {
    private final String method;
    private final String path;
    private final String query;
    private final List<Map.Entry<String, String>> headers;
    private final List<Map.Entry<String, String>> spinHeaders;
    private final String scheme;
    private final String authority;
    private final String clientAddr;
    private final int serverPort;
    private final String basePath;
    private final String componentId;
    private final Router.Match match;
    private final byte[] body;
    private final InputStream bodyStream;
    private final java.util.function.Supplier<List<Map.Entry<String, String>>> trailers;

    IncomingRequest(String method, String path, String query, List<Map.Entry<String, String>> headers, String scheme,
                    String authority, String clientAddr, int serverPort, String basePath, String componentId,
                    Router.Match match, byte[] body, InputStream bodyStream) {
        this(method, path, query, headers, scheme, authority, clientAddr, serverPort, basePath, componentId, match, body,
                bodyStream, List::of);
    }

    /** @param trailers the body's trailers, asked once the body was read to its end */
    IncomingRequest(String method, String path, String query, List<Map.Entry<String, String>> headers, String scheme,
                    String authority, String clientAddr, int serverPort, String basePath, String componentId,
                    Router.Match match, byte[] body, InputStream bodyStream,
                    java.util.function.Supplier<List<Map.Entry<String, String>>> trailers) {
        this.trailers = Objects.requireNonNull(trailers, "trailers");
        this.method = method;
        this.path = path;
        this.query = query;
        this.headers = List.copyOf(headers);
        this.scheme = scheme;
        this.authority = authority;
        this.clientAddr = clientAddr;
        this.serverPort = serverPort;
        this.basePath = basePath;
        this.componentId = componentId;
        this.match = Objects.requireNonNull(match);
        this.body = body;
        this.bodyStream = bodyStream;
        Router.Route route = match.route();
        this.spinHeaders = List.of(
                Map.entry("spin-full-url", fullUrl()),
                Map.entry("spin-path-info", match.pathInfo()),
                Map.entry("spin-matched-route", route.matchedRoute()),
                Map.entry("spin-component-route", route.componentRoute()),
                Map.entry("spin-raw-component-route", route.rawRoute()),
                Map.entry("spin-base-path", basePath),
                Map.entry("spin-client-addr", clientAddr));
    }

    /** Upper-case method. */
    public String method() {
        return method;
    }

    /** The raw path (not percent-decoded), without the query. */
    public String path() {
        return path;
    }

    /** The raw query without '?', or "". */
    public String query() {
        return query;
    }

    public String pathAndQuery() {
        return query.isEmpty() ? path : path + "?" + query;
    }

    /** The client's headers, original case and order, forged {@code spin-*} headers removed. */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** The headers Spin adds for the component. */
    public List<Map.Entry<String, String>> spinHeaders() {
        return spinHeaders;
    }

    /** {@code http} or {@code https}. */
    public String scheme() {
        return scheme;
    }

    /** The Host header (or HTTP/2 :authority), else the listen address. */
    public String authority() {
        return authority;
    }

    public String fullUrl() {
        return scheme + "://" + authority + pathAndQuery();
    }

    /** ip:port of the client. */
    public String clientAddr() {
        return clientAddr;
    }

    public int serverPort() {
        return serverPort;
    }

    /** The application's {@code trigger.http.base}. */
    public String basePath() {
        return basePath;
    }

    /** The component serving the route. */
    public String componentId() {
        return componentId;
    }

    Router.Match match() {
        return match;
    }

    /** Whether the body was read completely before the executor was called. */
    public boolean bodyBuffered() {
        return body != null;
    }

    /**
     * The whole body (empty if none).
     *
     * @throws IllegalStateException for a streaming executor's request: use {@link #bodyStream()}
     */
    public byte[] bodyBytes() {
        if (body == null) {
            throw new IllegalStateException("the body of this request is streamed; read bodyStream()");
        }
        return body;
    }

    /**
     * The body as it arrives: blocking reads, end of stream at the body's end, an {@code IOException}
     * when the client goes away, the read deadline passes or the body exceeds the cap.
     */
    public InputStream bodyStream() {
        return bodyStream != null ? bodyStream : new ByteArrayInputStream(body);
    }

    /**
     * The trailers that followed a chunked body (HTTP/1.1) or the last DATA frame (HTTP/2), once
     * {@link #bodyStream()} has been read to its end; empty when there were none.
     */
    public List<Map.Entry<String, String>> trailers() {
        return trailers.get();
    }

    /** The server name a CGI guest sees: the authority without its port. */
    String serverName() {
        if (authority.startsWith("[")) {
            int end = authority.indexOf(']');
            return end < 0 ? authority : authority.substring(0, end + 1);
        }
        int colon = authority.indexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }

    /** The buffered form the Spin and WAGI executors take: lower-case names, Spin's headers appended. */
    HttpRequestData toRequestData() {
        List<Map.Entry<String, String>> all = new ArrayList<>(headers.size() + spinHeaders.size());
        for (Map.Entry<String, String> h : headers) {
            all.add(Map.entry(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        }
        all.addAll(spinHeaders);
        return new HttpRequestData(method, pathAndQuery(), path, query, all, bodyBytes(), match, fullUrl(), clientAddr,
                serverName(), serverPort, basePath);
    }
}
