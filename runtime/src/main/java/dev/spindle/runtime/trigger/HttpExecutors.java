package dev.spindle.runtime.trigger;

import com.dylibso.chicory.wasi.WasiExitException;
import dev.spindle.host.GuestTrapException;
import dev.spindle.manifest.HttpExecutor;
import dev.spindle.runtime.Guest;
import dev.spindle.runtime.GuestIo;
import dev.spindle.runtime.InvocationException;
import dev.spindle.runtime.SpindleApp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The two ways a component serves a request: Spin's {@code inbound-http} export (under its
 * Component Model or its wit-bindgen 0.2 name, {@link TriggerExport}), or WAGI (CGI over WASI).
 */
final class HttpExecutors {
    /** {@code enum method { get, post, put, delete, patch, head, options }}, in WIT order. */
    static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
    /** A WAGI guest writing more than this to stdout gets a 500: it must not exhaust host memory. */
    static final int MAX_WAGI_OUTPUT_BYTES = 64 << 20;

    private HttpExecutors() {}

    /**
     * The executor serving a component's route. Spin's and WAGI's buffer the body and the response;
     * a {@code wasi:http/incoming-handler} executor (streaming, see {@link HttpGuestExecutor}) is
     * chosen here too once it exists, by what the component exports.
     */
    static HttpGuestExecutor select(SpindleApp app, String componentId, HttpExecutor executor) {
        if (!(executor instanceof HttpExecutor.Wagi)) {
            Optional<HttpGuestExecutor> wasi = WasiHttpExecutor.forComponent(app, componentId);
            if (wasi.isPresent()) {
                return wasi.get();
            }
        }
        return new Buffering(request -> execute(app, componentId, executor, request.toRequestData()));
    }

    /** Adapts a whole-request-in, whole-response-out executor to the streaming seam. */
    record Buffering(java.util.function.Function<IncomingRequest, HttpResponseData> executor) implements HttpGuestExecutor {
        @Override
        public boolean buffersBody() {
            return true;
        }

        @Override
        public void serve(IncomingRequest request, ResponseSink response) {
            HttpResponseData data = executor.apply(request);
            try {
                response.head(data.status(), data.headers());
            } catch (IllegalArgumentException e) {
                data = HttpResponseData.text(500, "component returned an invalid header");
                response.head(data.status(), data.headers());
            }
            boolean noBody = request.method().equals("HEAD") || data.status() == 204 || data.status() == 304;
            response.end(java.nio.ByteBuffer.wrap(noBody ? new byte[0] : data.body()));
        }
    }

    static HttpResponseData execute(SpindleApp app, String componentId, HttpExecutor executor, HttpRequestData request) {
        if (executor instanceof HttpExecutor.Wagi wagi) {
            return wagi(app, componentId, wagi, request);
        }
        return spin(app, componentId, request);
    }

    // ---- fermyon:spin/inbound-http ----

    static HttpResponseData spin(SpindleApp app, String componentId, HttpRequestData request) {
        int method = METHODS.indexOf(request.method());
        if (method < 0) {
            return HttpResponseData.text(405, "method " + request.method() + " is not supported by this component");
        }
        TriggerExport export = TriggerExport.http(app, componentId);
        return app.invoke(componentId, guest -> handle(guest, export, method, request));
    }

    /**
     * Lowers the request, calls the handler in {@code guest}, reads the response (every pointer
     * checked: the guest may be hostile) and gives its memory back ({@link TriggerAbi#HANDLE_REQUEST}).
     */
    static HttpResponseData handle(Guest guest, TriggerExport export, int method, HttpRequestData request) {
        byte[] body = request.body();
        TriggerAbi.Request req = new TriggerAbi.Request(method, request.pathAndQuery(), request.headers(), List.of(),
                body.length > 0 ? Optional.of(body) : Optional.empty());
        TriggerAbi.Response response = guest.call(export.http(), export.options(), req);
        if (response.status() < 100 || response.status() > 999) {
            throw new GuestTrapException("response status " + response.status() + " is not a valid HTTP status");
        }
        return new HttpResponseData(response.status(), response.headers().orElse(List.of()), response.body().orElse(new byte[0]));
    }

    // ---- WAGI ----

    static HttpResponseData wagi(SpindleApp app, String componentId, HttpExecutor.Wagi wagi, HttpRequestData request) {
        Map<String, String> env = cgiEnvironment(request);
        List<String> argv = argv(wagi.argv(), request.path(), request.query());
        BoundedOutput stdout = new BoundedOutput(MAX_WAGI_OUTPUT_BYTES);
        GuestIo io = new GuestIo(new ByteArrayInputStream(request.body()), stdout, env, argv);
        int exit = app.invoke(componentId, io, guest -> {
            try {
                guest.call(wagi.entrypoint());
                return 0;
            } catch (WasiExitException e) {
                return e.exitCode();
            }
        });
        if (stdout.overflowed) {
            throw new InvocationException(componentId, InvocationException.Kind.HOST_FAILURE,
                    "wrote more than " + MAX_WAGI_OUTPUT_BYTES + " bytes to stdout");
        }
        if (exit != 0) {
            app.log().warn(componentId, "WAGI guest exited with code " + exit + "; serving what it wrote");
        }
        try {
            return CgiResponse.parse(stdout.toByteArray());
        } catch (CgiResponse.MalformedException e) {
            throw new InvocationException(componentId, InvocationException.Kind.HOST_FAILURE, "bad CGI response: " + e.getMessage());
        }
    }

    /** The CGI/1.1 environment WAGI defines, plus Spin's X_* variables and one HTTP_* per request header. */
    static Map<String, String> cgiEnvironment(HttpRequestData request) {
        Router.Route route = request.match().route();
        Map<String, String> env = new LinkedHashMap<>();
        String contentType = "";
        for (Map.Entry<String, String> h : request.headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("content-type")) {
                contentType = h.getValue();
            }
            // As in WAGI: credentials and hop-by-hop headers are not handed to the guest's environment.
            if (name.equals("authorization") || name.equals("connection")) {
                continue;
            }
            String key = "HTTP_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
            env.merge(key, h.getValue(), (a, b) -> a + "," + b);
        }
        env.put("AUTH_TYPE", "");
        env.put("CONTENT_LENGTH", Integer.toString(request.body().length));
        env.put("CONTENT_TYPE", contentType);
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        env.put("PATH_INFO", request.match().pathInfo());
        env.put("PATH_TRANSLATED", request.match().pathInfo());
        env.put("QUERY_STRING", request.query());
        String clientHost = request.clientAddr().contains(":")
                ? request.clientAddr().substring(0, request.clientAddr().lastIndexOf(':')) : request.clientAddr();
        env.put("REMOTE_ADDR", clientHost);
        env.put("REMOTE_HOST", clientHost);
        env.put("REMOTE_USER", "");
        env.put("REQUEST_METHOD", request.method());
        env.put("SCRIPT_NAME", route.wildcard() && route.fullRoute().equals("/") ? "" : route.fullRoute());
        env.put("SERVER_NAME", request.serverName());
        env.put("SERVER_PORT", Integer.toString(request.serverPort()));
        env.put("SERVER_PROTOCOL", "HTTP/1.1");
        env.put("SERVER_SOFTWARE", "WAGI/1");
        env.put("X_MATCHED_ROUTE", route.matchedRoute());
        env.put("X_FULL_URL", request.fullUrl());
        env.put("X_RAW_PATH_INFO", request.match().pathInfo());
        env.put("X_COMPONENT_ROUTE", route.componentRoute());
        env.put("X_RAW_COMPONENT_ROUTE", route.rawRoute());
        env.put("X_BASE_PATH", request.basePath());
        return env;
    }

    /**
     * Expands the manifest's argv template as Spin does: {@code ${SCRIPT_NAME}} becomes the request
     * path and {@code ${ARGS}} the raw query with each {@code &} turned into a space, then the
     * result is split on spaces. So every query item is an argument, {@code abc=def} included
     * (the WAGI spec drops all of them when the query has an {@code =}; Spin's own WAGI test
     * expects {@code ["/test", "abc=def"]} for {@code /test?abc=def}). Items are passed as
     * received, percent-escapes and all, as Spin passes them. Unlike Spin, empty items (an empty
     * query, {@code a&&b}) are left out rather than passed as empty strings.
     */
    static List<String> argv(String template, String path, String query) {
        String expanded = template.replace("${SCRIPT_NAME}", path).replace("${ARGS}", query.replace('&', ' '));
        List<String> argv = new ArrayList<>();
        for (String token : expanded.split(" ")) {
            if (!token.isEmpty()) {
                argv.add(token);
            }
        }
        return argv;
    }

    /** Captures guest stdout, dropping (and remembering) anything past the cap. */
    static final class BoundedOutput extends ByteArrayOutputStream {
        private final int max;
        boolean overflowed;

        BoundedOutput(int max) {
            this.max = max;
        }

        @Override
        public synchronized void write(int b) {
            if (count >= max) {
                overflowed = true;
                return;
            }
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int room = max - count;
            if (len > room) {
                overflowed = true;
                len = Math.max(room, 0);
            }
            super.write(b, off, len);
        }
    }
}
