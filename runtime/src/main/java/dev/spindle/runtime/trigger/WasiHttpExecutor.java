package dev.spindle.runtime.trigger;

import dev.spindle.host.HostLog;
import dev.spindle.host.abi.GuestExport;
import dev.spindle.runtime.InvocationException;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.wasi.WasiVersion;
import dev.spindle.wasi.http.ErrorCode;
import dev.spindle.wasi.http.Field;
import dev.spindle.wasi.http.IncomingBody;
import dev.spindle.wasi.http.IncomingRequest;
import dev.spindle.wasi.http.ResponseOutparam;
import dev.spindle.wasi.http.ResponseTarget;
import dev.spindle.wasi.http.WasiHttp;
import dev.spindle.wasi.io.ChunkSink;
import dev.spindle.wasi.io.InputStreamSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves a route with a component that exports {@code wasi:http/incoming-handler#handle} (Spin
 * SDK 2+ and every wasi:http guest), streaming: the request body reaches the guest as the client
 * sends it, and the response goes out as soon as the guest sets it ({@code response-outparam.set}),
 * its body chunk by chunk as the guest flushes, each write waiting for the client (so a slow
 * client slows the guest instead of filling memory).
 *
 * <p>As in Spin: the request carries the {@code spin-*} headers; a guest that returns without
 * setting the response gets a 500; a guest that fails before setting it gets a 500; one that
 * fails after (a trap mid-body, a body over the limit, a body dropped unfinished) has its
 * response cut off, so the client sees an incomplete body rather than a complete wrong one. The
 * guest may keep running after its response is complete.
 */
final class WasiHttpExecutor implements HttpGuestExecutor {
    /** {@code wasi:http/incoming-handler@<version>#handle}. */
    private static final Pattern EXPORT = Pattern.compile("wasi:http/incoming-handler@(0\\.2\\.[0-9]+(-rc-2023-1[01]-[0-9]{2})?)#handle");

    /**
     * What an HTTP route's component may export, for the message naming what is missing: Spin's
     * handlers, then wasi:http's (any version {@link #forComponent} accepts, written as one).
     */
    static final List<String> ACCEPTED_EXPORTS = List.of(TriggerExport.HTTP, TriggerExport.LEGACY_HTTP,
            "wasi:http/incoming-handler@0.2.x#handle");

    private final SpindleApp app;
    private final String componentId;
    private final GuestExport.Binary<IncomingRequest, ResponseOutparam, Void> handle;
    private final HostLog log;

    private WasiHttpExecutor(SpindleApp app, String componentId, GuestExport.Binary<IncomingRequest, ResponseOutparam, Void> handle) {
        this.app = app;
        this.componentId = componentId;
        this.handle = handle;
        this.log = app.log();
    }

    /**
     * The executor for a component exporting a wasi:http handler: of a version Spin accepts
     * (rc-2023-10-18, rc-2023-11-10, any 0.2.x), or empty when it exports none.
     */
    static Optional<HttpGuestExecutor> forComponent(SpindleApp app, String componentId) {
        for (String name : app.functionExports(componentId)) {
            Matcher m = EXPORT.matcher(name);
            if (!m.matches()) {
                continue;
            }
            Optional<WasiVersion> version = version(m.group(1));
            if (version.isPresent()) {
                GuestExport.Binary<IncomingRequest, ResponseOutparam, Void> declared = WasiHttp.incomingHandler(version.get());
                // A later 0.2.x export is called by its own name, with 0.2.0's (identical) signature.
                return Optional.of(new WasiHttpExecutor(app, componentId, declared.name().equals(name) ? declared
                        : WasiHttp.incomingHandlerNamed(name)));
            }
        }
        return Optional.empty();
    }

    /** The wasi:http handler export {@link #forComponent} calls, by the component's name for it. */
    static String exportOf(SpindleApp app, String componentId) {
        for (String name : app.functionExports(componentId)) {
            Matcher m = EXPORT.matcher(name);
            if (m.matches() && version(m.group(1)).isPresent()) {
                return name;
            }
        }
        throw new IllegalStateException("component \"" + componentId + "\" exports no wasi:http handler");
    }

    private static Optional<WasiVersion> version(String label) {
        for (WasiVersion v : WasiVersion.values()) {
            if (v.label().equals(label)) {
                return Optional.of(v);
            }
        }
        return label.matches("0\\.2\\.[0-9]+") ? Optional.of(WasiVersion.V0_2_0) : Optional.empty();
    }

    /**
     * The request body, logging its first read failure (past the server's body limit, the client
     * gone, the read deadline): the guest only sees {@code last-operation-failed}, and may answer
     * anyway, so the operator needs the cause.
     */
    private java.io.InputStream loggingFailure(java.io.InputStream in, String what) {
        return new java.io.FilterInputStream(in) {
            private boolean logged;

            private java.io.IOException logged(java.io.IOException e) {
                if (!logged) {
                    logged = true;
                    log.warn(componentId, what + ": reading the request body failed (" + e.getMessage() + "); the guest's read fails");
                }
                return e;
            }

            @Override
            public int read() throws java.io.IOException {
                try {
                    return super.read();
                } catch (java.io.IOException e) {
                    throw logged(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                try {
                    return super.read(b, off, len);
                } catch (java.io.IOException e) {
                    throw logged(e);
                }
            }
        };
    }

    @Override
    public boolean buffersBody() {
        return false;
    }

    @Override
    public void serve(dev.spindle.runtime.trigger.IncomingRequest request, ResponseSink response) {
        List<Field> headers = new ArrayList<>();
        for (Map.Entry<String, String> h : request.headers()) {
            headers.add(Field.of(h.getKey(), h.getValue()));
        }
        for (Map.Entry<String, String> h : request.spinHeaders()) {
            headers.add(Field.of(h.getKey(), h.getValue()));
        }
        IncomingBody body = new IncomingBody(new InputStreamSource(loggingFailure(request.bodyStream(),
                request.method() + " " + request.path()), "request body"), () -> trailers(request.trailers()));
        IncomingRequest incoming = new IncomingRequest(request.method(), Optional.of(request.pathAndQuery()),
                Optional.of(request.scheme()), Optional.of(request.authority()), headers, body);
        boolean noBody = request.method().equals("HEAD");
        SinkTarget target = new SinkTarget(response, noBody, request.method() + " " + request.path());
        ResponseOutparam outparam = new ResponseOutparam(target);
        try {
            app.invoke(componentId, guest -> {
                guest.call(handle, incoming, outparam);
                return null;
            });
        } catch (InvocationException e) {
            String what = request.method() + " " + request.path();
            if (!outparam.isSet() || !response.committed()) {
                log.error(componentId, what + " -> 500: " + e.getMessage());
                target.failBeforeCommit(e.kind() == InvocationException.Kind.TIMEOUT ? "component timed out" : "component failed");
            } else {
                log.error(componentId, what + ": the response was cut off: " + e.getMessage());
                target.abort(e.getMessage());
            }
            return;
        }
        if (!outparam.isSet()) {
            log.error(componentId, request.method() + " " + request.path() + " -> 500: the guest returned without setting the response"
                    + " (response-outparam.set)");
            target.failBeforeCommit("component did not produce a response");
        }
    }

    private static Optional<List<Field>> trailers(List<Map.Entry<String, String>> raw) {
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        List<Field> out = new ArrayList<>(raw.size());
        for (Map.Entry<String, String> t : raw) {
            out.add(Field.of(t.getKey(), t.getValue()));
        }
        return Optional.of(out);
    }

    /**
     * The guest's response, onto the server's {@link ResponseSink}. The head goes to the sink with
     * the first body bytes (or the end), not at {@code response-outparam.set}: until then a failure
     * can still become a clean 500, and nothing is sent earlier than the sink would send it anyway.
     */
    private final class SinkTarget implements ResponseTarget, ChunkSink {
        private final ResponseSink response;
        private final boolean discardBody;
        private final String what;
        private int status;
        private List<Map.Entry<String, String>> headers;
        private boolean headSent;
        private boolean ended;

        SinkTarget(ResponseSink response, boolean discardBody, String what) {
            this.response = response;
            this.discardBody = discardBody;
            this.what = what;
        }

        @Override
        public ChunkSink start(int status, List<Field> fields) {
            this.status = status;
            this.headers = new ArrayList<>(fields.size());
            for (Field f : fields) {
                headers.add(Map.entry(f.name(), f.valueLatin1()));
            }
            return (discardBody || status == 204 || status == 304) ? chunk -> {} : this;
        }

        /** Hands status and headers to the sink once; false (and a 500) if the sink refuses them. */
        private boolean sendHead() {
            if (headSent) {
                return true;
            }
            try {
                response.head(status, headers);
                headSent = true;
                return true;
            } catch (IllegalArgumentException e) {
                log.error(componentId, what + " -> 500: the guest's response cannot be sent: " + e.getMessage());
                failBeforeCommit("component returned an invalid response");
                return false;
            }
        }

        @Override
        public void write(ByteBuffer chunk) throws IOException {
            if (ended || !sendHead()) {
                throw new IOException("the response is already complete or was refused");
            }
            response.write(chunk);
        }

        @Override
        public void fail(ErrorCode error) {
            log.error(componentId, what + " -> 500: the guest answered with an error: " + error.message());
            failBeforeCommit("component returned an error: " + error.message());
        }

        @Override
        public void finish(Optional<List<Field>> trailers) {
            if (ended || headers == null || !sendHead()) {
                return;
            }
            ended = true;
            List<Map.Entry<String, String>> t = new ArrayList<>();
            trailers.ifPresent(list -> list.forEach(f -> t.add(Map.entry(f.name(), f.valueLatin1()))));
            try {
                response.end(ByteBuffer.allocate(0), discardBody ? List.of() : t);
            } catch (IllegalArgumentException e) {
                log.warn(componentId, what + ": the guest's trailers cannot be sent (" + e.getMessage() + "); the body was cut off");
                response.abort(new IOException(e.getMessage()));
            }
        }

        @Override
        public void abort(String reason) {
            if (!ended) {
                ended = true;
                if (response.committed()) {
                    log.warn(componentId, what + ": response body cut off: " + reason);
                }
                response.abort(new IOException(reason));
            }
        }

        /** A 500 when nothing went out yet; otherwise the connection is cut (the status is gone). */
        void failBeforeCommit(String message) {
            if (ended) {
                return;
            }
            ended = true;
            if (response.committed() || headSent) {
                response.abort(new IOException(message));
                return;
            }
            response.head(500, List.of(Map.entry("content-type", "text/plain; charset=utf-8")));
            response.end(ByteBuffer.wrap((message + "\n").getBytes(StandardCharsets.UTF_8)));
        }
    }
}
