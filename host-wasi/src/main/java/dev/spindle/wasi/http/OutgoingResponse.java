package dev.spindle.wasi.http;

import java.util.Optional;

/**
 * wasi:http's {@code outgoing-response}: status (default 200), headers (the guest's fields,
 * immutable from now on) and a body handed out once.
 */
public final class OutgoingResponse {
    private final Fields headers;
    private final long bodyLimit;
    private int status = 200;
    private OutgoingBody body;
    private boolean bodyTaken;

    /** @param bodyLimit the most bytes its body may hold */
    public OutgoingResponse(Fields headers, long bodyLimit) {
        this.headers = headers.frozenView();
        this.bodyLimit = bodyLimit;
    }

    public synchronized int status() {
        return status;
    }

    /** {@code set-status-code}: false for a code outside 100..999 (as {@code http::StatusCode}). */
    public synchronized boolean setStatus(int code) {
        if (code < 100 || code > 999) {
            return false;
        }
        status = code;
        return true;
    }

    /** {@code headers}: an immutable view (a new handle on every call). */
    public Fields headers() {
        return headers.view();
    }

    /** {@code body}: the body, once; empty afterwards. */
    public synchronized Optional<OutgoingBody> takeBody() {
        if (bodyTaken) {
            return Optional.empty();
        }
        bodyTaken = true;
        body = new OutgoingBody("response body", bodyLimit, null, null);
        return Optional.of(body);
    }

    /** The body if the guest asked for it. */
    public synchronized Optional<OutgoingBody> body() {
        return Optional.ofNullable(body);
    }

    /** The body made later, for a response set before its body was asked for. */
    synchronized boolean bodyTaken() {
        return bodyTaken;
    }
}
