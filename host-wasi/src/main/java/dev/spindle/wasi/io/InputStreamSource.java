package dev.spindle.wasi.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * An {@code input-stream} over a blocking {@link InputStream} (a request body as the server
 * receives it). {@link #read} hands over only what is already buffered or
 * {@link InputStream#available()}; waiting ({@code block}, {@code blocking-read}) does one
 * blocking read of up to {@link #FILL} bytes. So at most {@code FILL} bytes are held per stream,
 * however fast the client sends, and a slow client slows the guest down instead of filling memory.
 *
 * <p>An {@link IOException} from the source (the client went away, the body exceeded its cap)
 * becomes {@code last-operation-failed} with the exception's message, once; later reads report
 * {@code closed}.
 */
public class InputStreamSource extends HostInputStream {
    /** Bytes one blocking fill reads at most. */
    public static final int FILL = 64 * 1024;

    private final InputStream in;
    private final String what;
    private byte[] pending = EMPTY;
    private int pendingPos;
    private boolean eof;
    private IOException failure;
    private boolean failureReported;
    private boolean closed;

    /** @param what names the stream in error messages, e.g. {@code request body} */
    public InputStreamSource(InputStream in, String what) {
        this.in = in;
        this.what = what;
    }

    /** True once the source's end was reached (trailers, if any, are then complete). */
    public synchronized boolean atEnd() {
        return eof && pendingPos >= pending.length;
    }

    @Override
    public synchronized byte[] read(int max) throws StreamException {
        if (pendingPos < pending.length) {
            int n = Math.min(max, pending.length - pendingPos);
            byte[] out = Arrays.copyOfRange(pending, pendingPos, pendingPos + n);
            pendingPos += n;
            return out;
        }
        checkEnd(max);
        if (max == 0) {
            return EMPTY;
        }
        int available;
        try {
            available = in.available();
        } catch (IOException e) {
            failure = e;
            checkEnd(max);
            return EMPTY;
        }
        if (available <= 0) {
            return EMPTY;
        }
        byte[] buf = new byte[Math.min(available, max)];
        int n = readOnce(buf);
        if (n <= 0) {
            checkEnd(max);
            return EMPTY;
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    private void checkEnd(int max) throws StreamException {
        if (failure != null) {
            if (!failureReported) {
                failureReported = true;
                throw StreamException.failed(what + ": " + (failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage()));
            }
            throw StreamException.closed();
        }
        if (eof && max > 0) {
            throw StreamException.closed();
        }
    }

    /** One blocking read; sets eof or failure. */
    private int readOnce(byte[] buf) {
        try {
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                eof = true;
            }
            return n;
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw HostInterruptedException.from(new InterruptedException());
            }
            failure = e;
            return -1;
        }
    }

    /** Blocks until bytes are buffered, the end or an error. */
    private synchronized void fill() {
        if (pendingPos < pending.length || eof || failure != null || closed) {
            return;
        }
        byte[] buf = new byte[FILL];
        int n = readOnce(buf);
        if (n > 0) {
            pending = n == buf.length ? buf : Arrays.copyOf(buf, n);
            pendingPos = 0;
        }
    }

    private synchronized boolean isReady() {
        if (pendingPos < pending.length || eof || failure != null || closed) {
            return true;
        }
        try {
            return in.available() > 0;
        } catch (IOException e) {
            failure = e;
            return true;
        }
    }

    private final Pollable pollable = new Pollable() {
        @Override
        public boolean ready() {
            return isReady();
        }

        @Override
        public void block(long deadlineNanos) {
            // A socket read cannot take a deadline here; Poll passes one only when a timer is also
            // polled, and then a guest waiting on both sees the data or the end first.
            fill();
        }
    };

    @Override
    public Pollable subscribe() {
        return pollable;
    }

    @Override
    public synchronized void close() {
        closed = true;
        pending = EMPTY;
    }
}
