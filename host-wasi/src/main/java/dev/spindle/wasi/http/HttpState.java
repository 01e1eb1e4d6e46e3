package dev.spindle.wasi.http;

import java.util.Objects;

/**
 * What one instance's wasi:http functions share: the byte limit of outgoing bodies the guest
 * writes, and the component's outgoing handler.
 *
 * @param responseBodyLimit most bytes a guest may write into a response body before it is cut off
 * @param requestBodyLimit most bytes a guest may write into an outgoing request's body
 */
public record HttpState(long responseBodyLimit, long requestBodyLimit, OutgoingHandler outgoing) {
    public HttpState {
        Objects.requireNonNull(outgoing, "outgoing");
    }
}
