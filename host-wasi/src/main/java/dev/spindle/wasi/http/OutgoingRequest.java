package dev.spindle.wasi.http;

import java.util.Optional;

/**
 * wasi:http's {@code outgoing-request}: what a guest builds to send with
 * {@code outgoing-handler.handle}. Method defaults to GET, scheme and authority to none (which
 * the handler reads as {@code https} and a request to the app itself); the body is handed out
 * once, before {@code handle} takes the request.
 */
public final class OutgoingRequest {
    private final Fields headers;
    private String method = "GET";
    private Optional<String> pathWithQuery = Optional.empty();
    private Optional<String> scheme = Optional.empty();
    private Optional<String> authority = Optional.empty();
    private OutgoingBody body;
    private boolean bodyTaken;

    public OutgoingRequest(Fields headers) {
        this.headers = headers.frozenView();
    }

    public synchronized String method() {
        return method;
    }

    /** {@code set-method}: false for a method that is not a token. */
    public synchronized boolean setMethod(String m) {
        if (m.isEmpty() || !m.chars().allMatch(c -> c > 0x20 && c < 0x7F && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
            return false;
        }
        method = m;
        return true;
    }

    public synchronized Optional<String> pathWithQuery() {
        return pathWithQuery;
    }

    /** {@code set-path-with-query}: false when it holds characters a request target cannot. */
    public synchronized boolean setPathWithQuery(Optional<String> p) {
        if (p.isPresent() && !validTarget(p.get())) {
            return false;
        }
        pathWithQuery = p;
        return true;
    }

    public synchronized Optional<String> scheme() {
        return scheme;
    }

    /** {@code set-scheme}: false for an {@code other} scheme that is not a valid scheme name. */
    public synchronized boolean setScheme(Optional<String> s) {
        if (s.isPresent() && !s.get().matches("[A-Za-z][A-Za-z0-9+.-]*")) {
            return false;
        }
        scheme = s;
        return true;
    }

    public synchronized Optional<String> authority() {
        return authority;
    }

    /** {@code set-authority}: false when it holds characters an authority cannot. */
    public synchronized boolean setAuthority(Optional<String> a) {
        if (a.isPresent() && !a.get().chars().allMatch(c -> c > 0x20 && c < 0x7F && "/?#\\\"<>{}|^`".indexOf(c) < 0)) {
            return false;
        }
        authority = a;
        return true;
    }

    /** {@code headers}: an immutable view. */
    public Fields headers() {
        return headers.view();
    }

    /** {@code body}: the body, once; empty afterwards. */
    public synchronized Optional<OutgoingBody> takeBody(long limit) {
        if (bodyTaken) {
            return Optional.empty();
        }
        bodyTaken = true;
        body = new OutgoingBody("request body", limit, null, null);
        return Optional.of(body);
    }

    /** The body, if the guest took it (else the request has none). */
    public synchronized Optional<OutgoingBody> body() {
        return Optional.ofNullable(body);
    }

    private static boolean validTarget(String p) {
        return p.chars().allMatch(c -> c > 0x20 && c < 0x7F && c != '#');
    }
}
