package dev.spindle.wasi.http;

import java.util.List;
import java.util.Optional;

/** wasi:http's {@code incoming-response}: the answer to an outgoing request. Headers immutable, body consumed once. */
public final class IncomingResponse {
    private final int status;
    private final Fields headers;
    private IncomingBody body;
    private final Runnable onClose;

    /** @param onClose runs once when the response is dropped (releases the request's slot) */
    public IncomingResponse(int status, List<Field> headers, IncomingBody body, Runnable onClose) {
        this.status = status;
        this.headers = Fields.immutable(headers);
        this.body = body;
        this.onClose = onClose;
    }

    public int status() {
        return status;
    }

    public Fields headers() {
        return headers.view();
    }

    public synchronized Optional<IncomingBody> consume() {
        IncomingBody b = body;
        body = null;
        return Optional.ofNullable(b);
    }

    public synchronized void close() {
        if (body != null) {
            body.close();
            body = null;
        }
        onClose.run();
    }
}
