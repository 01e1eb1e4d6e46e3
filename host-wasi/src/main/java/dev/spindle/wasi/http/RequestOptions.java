package dev.spindle.wasi.http;

import java.time.Duration;
import java.util.Optional;

/**
 * wasi:http's {@code request-options} (a resource in 0.2.x, a record in rc-2023-10-18): the
 * three timeouts of an outgoing request. WIT durations are nanoseconds.
 */
public final class RequestOptions {
    private Optional<Duration> connectTimeout = Optional.empty();
    private Optional<Duration> firstByteTimeout = Optional.empty();
    private Optional<Duration> betweenBytesTimeout = Optional.empty();

    public RequestOptions() {}

    public RequestOptions(Optional<Duration> connect, Optional<Duration> firstByte, Optional<Duration> betweenBytes) {
        this.connectTimeout = connect;
        this.firstByteTimeout = firstByte;
        this.betweenBytesTimeout = betweenBytes;
    }

    public synchronized Optional<Duration> connectTimeout() {
        return connectTimeout;
    }

    public synchronized void setConnectTimeout(Optional<Duration> d) {
        connectTimeout = d;
    }

    public synchronized Optional<Duration> firstByteTimeout() {
        return firstByteTimeout;
    }

    public synchronized void setFirstByteTimeout(Optional<Duration> d) {
        firstByteTimeout = d;
    }

    public synchronized Optional<Duration> betweenBytesTimeout() {
        return betweenBytesTimeout;
    }

    public synchronized void setBetweenBytesTimeout(Optional<Duration> d) {
        betweenBytesTimeout = d;
    }

    /** A copy, so a guest changing its options after {@code handle} changes nothing in flight. */
    public synchronized RequestOptions copy() {
        return new RequestOptions(connectTimeout, firstByteTimeout, betweenBytesTimeout);
    }
}
