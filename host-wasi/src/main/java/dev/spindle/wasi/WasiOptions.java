package dev.spindle.wasi;

import dev.spindle.wasi.http.outbound.OutboundHttpOptions;
import java.util.Objects;

/**
 * Options of the WASI preview 2 and wasi:http capability.
 *
 * @param maxResponseBodyBytes most bytes a wasi:http guest may write into one response body; past
 *     it the body's stream fails and the response is cut off (the client sees a truncated body)
 * @param outbound outbound HTTP limits
 */
public record WasiOptions(long maxResponseBodyBytes, OutboundHttpOptions outbound) {
    /** 1 GiB: larger than any response a handler should stream, small enough to stop a runaway one. */
    public static final long DEFAULT_MAX_RESPONSE_BODY_BYTES = 1L << 30;

    public WasiOptions {
        Objects.requireNonNull(outbound, "outbound");
        if (maxResponseBodyBytes < 0) {
            throw new IllegalArgumentException("maxResponseBodyBytes must not be negative");
        }
    }

    public static WasiOptions defaults() {
        return new WasiOptions(DEFAULT_MAX_RESPONSE_BODY_BYTES, OutboundHttpOptions.defaults());
    }

    public WasiOptions withMaxResponseBodyBytes(long n) {
        return new WasiOptions(n, outbound);
    }

    public WasiOptions withOutbound(OutboundHttpOptions o) {
        return new WasiOptions(maxResponseBodyBytes, o);
    }
}
