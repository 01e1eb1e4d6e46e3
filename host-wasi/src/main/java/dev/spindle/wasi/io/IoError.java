package dev.spindle.wasi.io;

import java.util.Objects;

/**
 * wasi:io's {@code error} resource: what went wrong in a stream operation, for humans
 * ({@code to-debug-string}). wasi:http's {@code http-error-code} can downcast it to an
 * {@code error-code} when the stream belongs to an HTTP body.
 *
 * <p>Identity matters (the resource table keys handles by representation), so this is a class,
 * not a record.
 */
public final class IoError {
    private final String message;
    private final Object detail;

    public IoError(String message) {
        this(message, null);
    }

    /** @param detail what an interface can downcast it to (e.g. a wasi:http error-code), or null */
    public IoError(String message, Object detail) {
        this.message = Objects.requireNonNull(message, "message");
        this.detail = detail;
    }

    public String message() {
        return message;
    }

    public Object detail() {
        return detail;
    }

    @Override
    public String toString() {
        return message;
    }
}
