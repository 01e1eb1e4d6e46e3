package dev.spindle.wasi.http;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * wasi:http's {@code incoming-request}: what the HTTP trigger received, handed to the guest's
 * {@code incoming-handler.handle}. Its headers are immutable; its body is consumed once.
 *
 * @param method upper-case method, e.g. {@code GET} (other methods pass as {@code other(string)})
 * @param scheme {@code http} or {@code https}
 */
public final class IncomingRequest {
    private final String method;
    private final Optional<String> pathWithQuery;
    private final Optional<String> scheme;
    private final Optional<String> authority;
    private final Fields headers;
    private IncomingBody body;

    public IncomingRequest(String method, Optional<String> pathWithQuery, Optional<String> scheme, Optional<String> authority,
                           List<Field> headers, IncomingBody body) {
        this.method = Objects.requireNonNull(method, "method");
        this.pathWithQuery = pathWithQuery;
        this.scheme = scheme;
        this.authority = authority;
        this.headers = Fields.immutable(headers);
        this.body = body;
    }

    public String method() {
        return method;
    }

    public Optional<String> pathWithQuery() {
        return pathWithQuery;
    }

    public Optional<String> scheme() {
        return scheme;
    }

    public Optional<String> authority() {
        return authority;
    }

    /** {@code headers}: a new immutable view on every call (each is its own handle). */
    public Fields headers() {
        return headers.view();
    }

    /** {@code consume}: the body, once; empty afterwards. */
    public synchronized Optional<IncomingBody> consume() {
        IncomingBody b = body;
        body = null;
        return Optional.ofNullable(b);
    }

    /** Releases the body if the guest never consumed it. */
    public synchronized void close() {
        if (body != null) {
            body.close();
            body = null;
        }
    }
}
