package dev.spindle.wasi.io;

import dev.spindle.host.GuestTrapException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An {@code output-stream} with one buffer of {@link #CAPACITY} bytes in front of a
 * {@link ChunkSink}. {@code check-write} grants the free room, {@code flush} hands the buffer to
 * the sink and returns when the sink took it; a full buffer is flushed by the pollable's
 * {@code block}. Memory per stream is therefore bounded by one buffer plus whatever the sink
 * holds in flight, whatever the guest writes.
 *
 * <p>The sink may be attached later ({@link #attach}): a wasi:http guest may write its response
 * body before {@code response-outparam.set}; those bytes wait in the buffer, and once it is full
 * the guest must set the response before it can write more.
 *
 * <p>A byte {@link #limit} caps the whole stream: past it the write fails with
 * {@code last-operation-failed} and {@link #onLimit} runs (an HTTP response is cut off).
 */
public class BufferedOutput extends HostOutputStream {
    public static final int CAPACITY = 64 * 1024;

    private final String what;
    private final long limit;
    private ChunkSink sink;
    /** Grown on demand up to {@link #CAPACITY}: a 23-byte response should not cost a 64 KiB allocation. */
    private byte[] buf = new byte[0];
    /** The size of the last chunk sent: a guest streaming a body writes the same sizes again. */
    private int lastChunk = 4096;
    private int used;
    private long total;
    private long lastPermit;
    private IoError failure;
    private boolean failureReported;
    private boolean closed;

    /** @param what names the stream in messages; @param limit most bytes the stream takes, Long.MAX_VALUE for none */
    public BufferedOutput(String what, long limit, ChunkSink sink) {
        this.what = what;
        this.limit = limit;
        this.sink = sink;
    }

    /** Attaches the sink of a stream made without one; buffered bytes go out at the next flush. */
    public synchronized void attach(ChunkSink sink) {
        this.sink = sink;
    }

    /** Bytes accepted so far. */
    public synchronized long total() {
        return total;
    }

    /** Runs when the limit is exceeded (default: nothing). */
    protected void onLimit(String message) {}

    /** Runs when the sink fails (default: nothing). */
    protected void onSinkFailure(IOException e) {}

    private void checkUsable() throws StreamException {
        if (failure != null) {
            if (!failureReported) {
                failureReported = true;
                throw StreamException.failed(failure);
            }
            throw StreamException.closed();
        }
        if (closed) {
            throw StreamException.closed();
        }
    }

    @Override
    public synchronized long checkWrite() throws StreamException {
        checkUsable();
        lastPermit = CAPACITY - used;
        return lastPermit;
    }

    @Override
    public synchronized void write(byte[] bytes) throws StreamException {
        checkUsable();
        if (bytes.length > lastPermit) {
            throw new GuestTrapException("output-stream.write of " + bytes.length + " bytes exceeds the check-write permit of "
                    + lastPermit + " (" + what + ")");
        }
        if (total + bytes.length > limit) {
            String message = what + " exceeds the limit of " + limit + " bytes";
            failure = new IoError(message);
            buf = null;
            onLimit(message);
            checkUsable();
        }
        if (used + bytes.length > buf.length) {
            int want = Math.max(used + bytes.length, buf.length == 0 ? lastChunk : buf.length * 2);
            buf = Arrays.copyOf(buf, Math.min(CAPACITY, want));
        }
        System.arraycopy(bytes, 0, buf, used, bytes.length);
        used += bytes.length;
        total += bytes.length;
        lastPermit -= bytes.length;
    }

    @Override
    public synchronized void flush() throws StreamException {
        checkUsable();
        lastPermit = 0;
        send();
        checkUsable();
    }

    /** Hands the buffer to the sink, if attached. */
    private void send() {
        if (used == 0 || sink == null || failure != null) {
            return;
        }
        // The sink keeps the chunk: hand over this array and start a new one.
        ByteBuffer chunk = ByteBuffer.wrap(buf, 0, used);
        lastChunk = Math.max(used, 256);
        buf = new byte[0];
        used = 0;
        try {
            sink.write(chunk);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw HostInterruptedException.from(new InterruptedException());
            }
            failure = new IoError(what + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            onSinkFailure(e);
        }
    }

    /** Sends what is buffered (the body's end); false if the sink failed or is missing. */
    public synchronized boolean drain() {
        if (used > 0 && sink == null) {
            return false;
        }
        send();
        return failure == null;
    }

    private synchronized boolean isReady() {
        return failure != null || closed || used < CAPACITY;
    }

    private synchronized void blockUntilRoom(long deadlineNanos) {
        if (used < CAPACITY || failure != null || closed) {
            return;
        }
        if (sink == null) {
            // Nothing will ever take these bytes: the guest must set its response first.
            failure = new IoError(what + ": " + CAPACITY + " bytes written before the response was set; set it first");
            return;
        }
        send();
    }

    private final Pollable pollable = new Pollable() {
        @Override
        public boolean ready() {
            return isReady();
        }

        @Override
        public void block(long deadlineNanos) {
            blockUntilRoom(deadlineNanos);
        }
    };

    @Override
    public Pollable subscribe() {
        return pollable;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    /** True when {@link #close()} ran (the guest dropped the stream). */
    public synchronized boolean isClosed() {
        return closed;
    }
}
