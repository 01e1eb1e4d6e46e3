package dev.spindle.wasi.io;

/**
 * The host side of a wasi:io {@code input-stream}. {@link #read} never blocks; the blocking
 * variants wait through {@link #subscribe()}. Every read returns at most {@link #MAX_READ}
 * bytes whatever the guest asks for (the WIT lets the callee return fewer), so one call never
 * makes the host or the guest allocate more than that.
 */
public abstract class HostInputStream {
    /** The most bytes one read hands the guest. */
    public static final int MAX_READ = 1 << 20;

    protected static final byte[] EMPTY = new byte[0];

    /**
     * Up to {@code max} bytes available now, possibly none.
     *
     * @throws StreamException closed at the end of the stream, failed on an error
     */
    public abstract byte[] read(int max) throws StreamException;

    /** Ready when a {@link #read} would return data, the end or an error. */
    public abstract Pollable subscribe();

    /** Waits for at least one byte, the end or an error. */
    public byte[] blockingRead(int max) throws StreamException {
        while (true) {
            byte[] b = read(max);
            if (b.length > 0 || max == 0) {
                return b;
            }
            subscribe().block(Long.MAX_VALUE);
        }
    }

    /** Like {@link #read}, without copying the bytes into the guest; returns the count skipped. */
    public long skip(long max) throws StreamException {
        return read(clamp(max)).length;
    }

    public long blockingSkip(long max) throws StreamException {
        return blockingRead(clamp(max)).length;
    }

    /** Releases what the stream holds ({@code [resource-drop]} or the end of the invocation). Must not throw. */
    public void close() {}

    /** A guest's u64 length, as the most one call will do. */
    public static int clamp(long max) {
        return max < 0 || max > MAX_READ ? MAX_READ : (int) max;
    }

    /** An input stream over bytes already in memory (a buffered body, stdin). */
    public static HostInputStream of(byte[] bytes) {
        return new HostInputStream() {
            private int pos;

            @Override
            public byte[] read(int max) throws StreamException {
                if (pos >= bytes.length) {
                    if (max == 0) {
                        return EMPTY;
                    }
                    throw StreamException.closed();
                }
                int n = Math.min(max, bytes.length - pos);
                byte[] out = java.util.Arrays.copyOfRange(bytes, pos, pos + n);
                pos += n;
                return out;
            }

            @Override
            public Pollable subscribe() {
                return Pollable.READY;
            }
        };
    }
}
