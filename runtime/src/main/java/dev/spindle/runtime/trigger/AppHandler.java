package dev.spindle.runtime.trigger;

import dev.spindle.runtime.SpindleApp;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A Jetty 12 {@link Handler} serving an app's HTTP routes inside a server the embedder already
 * runs: set it as the server's handler, or mount it under a context path (routes are then matched
 * below that path). Each request goes through {@link HttpEntry}, so routing, executors and the
 * {@code spin-*} headers are those of {@code spindle run}; the body is read whole (up to
 * {@code maxBodyBytes}, else 413) and the response is written whole. The server's own thread pool
 * and limits govern connections; the app's invocation limits govern the guests.
 *
 * <pre>{@code
 * ContextHandler context = new ContextHandler(new AppHandler(app), "/wasm");
 * server.setHandler(new ContextHandlerCollection(context, otherHandlers...));
 * }</pre>
 */
public final class AppHandler extends Handler.Abstract {
    private final HttpEntry entry;
    private final long maxBodyBytes;

    /** With the HTTP trigger's default body cap, {@link HttpServerOptions#DEFAULT_MAX_BODY_BYTES}. */
    public AppHandler(SpindleApp app) {
        this(app, HttpServerOptions.DEFAULT_MAX_BODY_BYTES);
    }

    public AppHandler(SpindleApp app, long maxBodyBytes) {
        if (maxBodyBytes < 0 || maxBodyBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBodyBytes must be 0.." + (Integer.MAX_VALUE - 8) + ", got " + maxBodyBytes);
        }
        this.entry = app.http();
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (request.getLength() > maxBodyBytes) {
            return answer(response, callback, HttpResponseData.text(413, "request body larger than " + maxBodyBytes + " bytes"));
        }
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes((int) maxBodyBytes + 1);
        }
        if (body.length > maxBodyBytes) {
            return answer(response, callback, HttpResponseData.text(413, "request body larger than " + maxBodyBytes + " bytes"));
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (HttpField field : request.getHeaders()) {
            headers.add(Map.entry(field.getName(), field.getValue()));
        }
        String query = request.getHttpURI().getQuery();
        String uri = pathInContext(request) + (query == null || query.isEmpty() ? "" : "?" + query);
        String authority = request.getHeaders().get(HttpHeader.HOST);
        if (authority == null || authority.isEmpty()) {
            authority = Request.getServerName(request) + ":" + Request.getServerPort(request);
        }
        HttpEntry.Origin origin = new HttpEntry.Origin(request.isSecure() ? "https" : "http", authority,
                Request.getRemoteAddr(request) + ":" + Request.getRemotePort(request), Request.getServerPort(request));
        HttpEntry.Response answer = entry.handle(new HttpEntry.Request(request.getMethod(), uri, headers, body), origin);
        return answer(response, callback, new HttpResponseData(answer.status(), answer.headers(), answer.body()));
    }

    /** The raw (not decoded) path below the context this handler is mounted at; Spin routes on the raw path. */
    private static String pathInContext(Request request) {
        String raw = request.getHttpURI().getPath();
        if (raw == null || raw.isEmpty()) {
            return "/";
        }
        String context = request.getContext().getContextPath();
        if (context != null && !context.isEmpty() && !context.equals("/") && raw.startsWith(context)) {
            String rest = raw.substring(context.length());
            return rest.isEmpty() ? "/" : rest;
        }
        return raw;
    }

    private static boolean answer(Response response, Callback callback, HttpResponseData data) {
        response.setStatus(data.status());
        for (Map.Entry<String, String> h : data.headers()) {
            if (!HttpTriggerServer.FRAMING.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                response.getHeaders().add(h.getKey(), h.getValue());
            }
        }
        response.write(true, ByteBuffer.wrap(data.body()), callback);
        return true;
    }
}
