package dev.spindle.wasi.io;

/**
 * wasi:io's {@code stream-error}: the stream is {@code closed} (its end was reached, or the other
 * side went away cleanly), or the last operation failed ({@code last-operation-failed(error)}).
 * Thrown by {@link HostInputStream} and {@link HostOutputStream}; the interface lowers it to the
 * guest's {@code err} value. Cheap: no stack trace.
 */
public final class StreamException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient IoError failure;

    private StreamException(IoError failure) {
        super(failure == null ? "closed" : failure.message(), null, false, false);
        this.failure = failure;
    }

    public static StreamException closed() {
        return new StreamException(null);
    }

    public static StreamException failed(IoError error) {
        return new StreamException(error);
    }

    public static StreamException failed(String message) {
        return new StreamException(new IoError(message));
    }

    public boolean isClosed() {
        return failure == null;
    }

    /** The error of {@code last-operation-failed}, or null when closed. */
    public IoError failure() {
        return failure;
    }
}
