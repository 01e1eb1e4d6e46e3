package dev.spindle.wasi.http.outbound;

import dev.spindle.wasi.http.ErrorCode;
import dev.spindle.wasi.io.HostInputStream;
import dev.spindle.wasi.io.HostInterruptedException;
import dev.spindle.wasi.io.IoError;
import dev.spindle.wasi.io.Pollable;
import dev.spindle.wasi.io.StreamException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * The body of an outbound response as a wasi:io {@code input-stream}: the HTTP client's chunks,
 * requested one batch at a time (the next only once the guest has read the last), so a fast
 * server cannot fill host memory. While the guest waits, a pause longer than the
 * between-bytes timeout fails the stream ({@code connection-read-timeout}); a body past the
 * byte limit fails it with {@code HTTP-response-body-size} and cancels the transfer.
 */
final class ResponseBodyInput extends HostInputStream implements Flow.Subscriber<List<ByteBuffer>> {
    private final Duration betweenBytes;
    private final long maxBytes;
    private final Runnable onLimit;
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private Flow.Subscription subscription;
    private boolean requested;
    private boolean complete;
    private Throwable error;
    private IoError failure;
    private boolean failureReported;
    private long total;
    private boolean closed;

    /** {@code onLimit} runs once when the body passes {@code maxBytes} (the component's log line). */
    ResponseBodyInput(Duration betweenBytes, long maxBytes, Runnable onLimit) {
        this.betweenBytes = betweenBytes;
        this.maxBytes = maxBytes;
        this.onLimit = onLimit;
    }

    @Override
    public synchronized void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) {
            s.cancel();
            return;
        }
        requested = true;
        s.request(1);
    }

    @Override
    public synchronized void onNext(List<ByteBuffer> items) {
        requested = false;
        for (ByteBuffer b : items) {
            if (b.hasRemaining()) {
                chunks.add(b);
            }
        }
        notifyAll();
    }

    @Override
    public synchronized void onError(Throwable t) {
        error = t;
        notifyAll();
    }

    @Override
    public synchronized void onComplete() {
        complete = true;
        notifyAll();
    }

    /** Asks the client for the next batch once everything delivered was read. */
    private void demand() {
        if (chunks.isEmpty() && !requested && !complete && error == null && subscription != null && failure == null) {
            requested = true;
            subscription.request(1);
        }
    }

    private void fail(IoError e) {
        failure = e;
        chunks.clear();
        if (subscription != null) {
            subscription.cancel();
        }
    }

    @Override
    public synchronized byte[] read(int max) throws StreamException {
        if (failure != null) {
            if (!failureReported) {
                failureReported = true;
                throw StreamException.failed(failure);
            }
            throw StreamException.closed();
        }
        if (max == 0) {
            return EMPTY;
        }
        ByteBuffer head = chunks.peek();
        if (head == null) {
            if (error != null) {
                fail(new IoError("response body: " + OutboundErrors.of(error).message(), OutboundErrors.of(error)));
                return read(max);
            }
            if (complete) {
                throw StreamException.closed();
            }
            demand();
            return EMPTY;
        }
        int n = Math.min(max, head.remaining());
        if (total + n > maxBytes) {
            ErrorCode code = ErrorCode.responseBodySize(maxBytes);
            fail(new IoError("response body exceeds the limit of " + maxBytes + " bytes", code));
            onLimit.run();
            return read(max);
        }
        byte[] out = new byte[n];
        head.get(out);
        total += n;
        if (!head.hasRemaining()) {
            chunks.poll();
        }
        demand();
        return out;
    }

    private synchronized boolean isReady() {
        return !chunks.isEmpty() || complete || error != null || failure != null || closed;
    }

    private synchronized void await(long deadlineNanos) {
        demand();
        long pauseEnds = System.nanoTime() + betweenBytes.toNanos();
        while (!isReady()) {
            long now = System.nanoTime();
            if (now >= deadlineNanos) {
                return;
            }
            if (now >= pauseEnds) {
                fail(new IoError("no response bytes for " + betweenBytes.toMillis() + " ms (between-bytes timeout)",
                        ErrorCode.of(ErrorCode.Code.CONNECTION_READ_TIMEOUT)));
                return;
            }
            long wait = Math.min(deadlineNanos, pauseEnds) - now;
            try {
                wait(Math.max(1, wait / 1_000_000), 0);
            } catch (InterruptedException e) {
                throw HostInterruptedException.from(e);
            }
        }
    }

    private final Pollable pollable = new Pollable() {
        @Override
        public boolean ready() {
            return isReady();
        }

        @Override
        public void block(long deadlineNanos) {
            await(deadlineNanos);
        }
    };

    @Override
    public Pollable subscribe() {
        return pollable;
    }

    @Override
    public synchronized void close() {
        closed = true;
        chunks.clear();
        if (subscription != null && !complete) {
            subscription.cancel();
        }
    }
}
