package dev.spindle.wasi.http;

/** wasi:http's {@code header-error}, in WIT order. */
public enum HeaderError {
    /** The name is not a token, or the value holds a byte a header may not (CR, LF, NUL, other controls). */
    INVALID_SYNTAX,
    /** A hop-by-hop or host-controlled header a guest may not set ({@link Fields#FORBIDDEN}). */
    FORBIDDEN,
    /** The fields belong to a request or response that can no longer change. */
    IMMUTABLE;

    /** Thrown by {@link Fields}' mutators; the interface lowers it to {@code err(header-error)}. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final HeaderError error;

        public Failure(HeaderError error, String message) {
            super(message, null, false, false);
            this.error = error;
        }

        public HeaderError error() {
            return error;
        }
    }
}
