package dev.spindle.redis.embedded;

/** An embedded Redis could not be started: its message is one line for the operator, saying what to do. */
public final class EmbeddedRedisException extends RuntimeException {
    public EmbeddedRedisException(String message) {
        super(message);
    }
}
