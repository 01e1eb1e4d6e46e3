package dev.spindle.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One Redis reply as it came off the wire, with status replies kept apart from bulk strings
 * (Jedis' own reader folds both into {@code byte[]}, but {@code execute} must return
 * {@code status("OK")} for {@code +OK} and {@code binary} for a bulk string).
 */
sealed interface Reply {
    record Nil() implements Reply {}

    record Status(String text) implements Reply {}

    record Int(long value) implements Reply {}

    record Bulk(byte[] bytes) implements Reply {}

    record Array(List<Reply> items) implements Reply {}

    /** An error reply; inside arrays too (e.g. a failed command in an EXEC result). */
    record Error(String message) implements Reply {
        boolean isWrongType() {
            return message.startsWith("WRONGTYPE");
        }
    }

    Nil NIL = new Nil();

    /** {@code +OK}, the most common reply, read as one shared value. */
    Status OK = new Status("OK");

    static Bulk bulk(String s) {
        return new Bulk(s.getBytes(StandardCharsets.UTF_8));
    }
}
