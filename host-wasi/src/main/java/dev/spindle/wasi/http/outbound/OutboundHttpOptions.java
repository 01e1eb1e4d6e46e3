package dev.spindle.wasi.http.outbound;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of outbound HTTP, for every component of an app.
 *
 * @param connectTimeout default time to open a connection (a guest's {@code connect-timeout} may lower or raise it)
 * @param firstByteTimeout default time from sending the request to the response's headers
 * @param betweenBytesTimeout default longest pause while the guest waits for more of a response body
 * @param maxResponseBytes most bytes of one response body a guest may read (streamed or buffered)
 * @param maxRequestBytes most bytes of one request body a guest may send
 * @param maxConcurrentPerComponent requests of one component in flight at once (across its instances);
 *     one more gets {@code connection-limit-reached} ({@code too-many-requests} on Spin's legacy interfaces)
 * @param maxRedirects redirects Spin's legacy interfaces follow (each hop checked against allowed_outbound_hosts);
 *     wasi:http never follows them: the guest sees the 3xx
 */
public record OutboundHttpOptions(Duration connectTimeout, Duration firstByteTimeout, Duration betweenBytesTimeout,
                                  long maxResponseBytes, long maxRequestBytes, int maxConcurrentPerComponent,
                                  int maxRedirects) {
    public OutboundHttpOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(firstByteTimeout, "firstByteTimeout");
        Objects.requireNonNull(betweenBytesTimeout, "betweenBytesTimeout");
        if (maxResponseBytes < 0 || maxRequestBytes < 0 || maxConcurrentPerComponent < 1 || maxRedirects < 0) {
            throw new IllegalArgumentException("outbound HTTP limits must be positive");
        }
    }

    /** 10 s to connect, 30 s to the first byte and between bytes, 64 MiB bodies, 32 requests per component, 10 redirects. */
    public static OutboundHttpOptions defaults() {
        return new OutboundHttpOptions(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30),
                64L << 20, 64L << 20, 32, 10);
    }

    public OutboundHttpOptions withConnectTimeout(Duration d) {
        return new OutboundHttpOptions(d, firstByteTimeout, betweenBytesTimeout, maxResponseBytes, maxRequestBytes,
                maxConcurrentPerComponent, maxRedirects);
    }

    public OutboundHttpOptions withFirstByteTimeout(Duration d) {
        return new OutboundHttpOptions(connectTimeout, d, betweenBytesTimeout, maxResponseBytes, maxRequestBytes,
                maxConcurrentPerComponent, maxRedirects);
    }

    public OutboundHttpOptions withBetweenBytesTimeout(Duration d) {
        return new OutboundHttpOptions(connectTimeout, firstByteTimeout, d, maxResponseBytes, maxRequestBytes,
                maxConcurrentPerComponent, maxRedirects);
    }

    public OutboundHttpOptions withMaxResponseBytes(long n) {
        return new OutboundHttpOptions(connectTimeout, firstByteTimeout, betweenBytesTimeout, n, maxRequestBytes,
                maxConcurrentPerComponent, maxRedirects);
    }

    public OutboundHttpOptions withMaxConcurrentPerComponent(int n) {
        return new OutboundHttpOptions(connectTimeout, firstByteTimeout, betweenBytesTimeout, maxResponseBytes, maxRequestBytes,
                n, maxRedirects);
    }
}
