package dev.spindle.redis;

import java.util.Objects;

/**
 * A failure the guest sees as a value: the WIT {@code error} variant of
 * {@code fermyon:spin/redis@2.0.0}. Thrown inside the capability and written to the guest's
 * return area by the interface class; never a trap. Messages must not contain credentials.
 */
public final class RedisError extends RuntimeException {

    /** The variant's cases, in WIT order (the ordinal is the discriminant). */
    public enum Kind { INVALID_ADDRESS, TOO_MANY_CONNECTIONS, TYPE_ERROR, OTHER }

    private final Kind kind;

    private RedisError(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = Objects.requireNonNull(kind);
    }

    public static RedisError invalidAddress(String why) {
        return new RedisError(Kind.INVALID_ADDRESS, why);
    }

    public static RedisError tooManyConnections(String why) {
        return new RedisError(Kind.TOO_MANY_CONNECTIONS, why);
    }

    public static RedisError typeError(String why) {
        return new RedisError(Kind.TYPE_ERROR, why);
    }

    public static RedisError other(String message) {
        return new RedisError(Kind.OTHER, message);
    }

    public Kind kind() {
        return kind;
    }
}
