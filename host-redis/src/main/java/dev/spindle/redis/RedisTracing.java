package dev.spindle.redis;

import dev.spindle.host.InvocationTimeoutException;
import dev.spindle.host.Tracing;
import java.util.List;

/**
 * The Redis host's side of {@link Tracing}: which name and address a guest's Redis call is traced
 * with, and how its outcome ends the span. The span itself (names, attributes) is made by
 * {@link Tracing#redisCommand} alone. Nothing here reads a command's arguments: a span carries
 * the command's name, the server's address and port and the database number, and an error span
 * the error reply's prefix ({@code WRONGTYPE}) or the host's failure kind, never a message (a
 * server's error text can quote arguments).
 */
final class RedisTracing {
    private RedisTracing() {}

    /** The name of a command a span may carry: a command of the table, or one the operator allowed; else {@code OTHER}. */
    static String commandName(CommandPolicy policy, byte[] name) {
        String upper = CommandPolicy.asciiUpper(name);
        return policy.knows(upper) ? upper : "OTHER";
    }

    /** One command to {@code server}; {@link Tracing.Traced#NONE} (and no work) while tracing is off. */
    static Tracing.Traced command(CommandPolicy policy, byte[] name, RedisAddress server) {
        Tracing tracing = Tracing.get();
        if (!tracing.enabled()) {
            return Tracing.Traced.NONE;
        }
        return tracing.redisCommand(commandName(policy, name), server.host(), server.port(), server.database());
    }

    /** A command the host built for a guest (the key-value store's {@code GET}, {@code SET}, {@code SCAN}): its name is ours. */
    static Tracing.Traced hostCommand(byte[] name, RedisAddress server) {
        Tracing tracing = Tracing.get();
        if (!tracing.enabled()) {
            return Tracing.Traced.NONE;
        }
        return tracing.redisCommand(new String(name, java.nio.charset.StandardCharsets.US_ASCII), server.host(), server.port(),
                server.database());
    }

    /** A guest's pipeline (or transaction) of {@code size} commands in one round trip. */
    static Tracing.Traced pipeline(boolean transaction, int size, RedisAddress server) {
        Tracing tracing = Tracing.get();
        if (!tracing.enabled()) {
            return Tracing.Traced.NONE;
        }
        return tracing.redisPipeline(transaction, size, server.host(), server.port(), server.database());
    }

    /** Ends the span with the reply: an error reply is an error, named by its prefix. */
    static void end(Tracing.Traced span, Reply reply) {
        span.endRedis(reply instanceof Reply.Error e ? errorPrefix(e.message()) : null);
    }

    /** Ends a pipeline's span: the round trip succeeded (each command's own error is its reply). */
    static void end(Tracing.Traced span, List<Reply> replies) {
        span.endRedis(null);
    }

    /** Ends the span of a call that failed in the host: the failure's kind, never its message. */
    static void failed(Tracing.Traced span, RuntimeException e) {
        String type;
        if (e instanceof RedisError r) {
            type = r.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        } else if (e instanceof InvocationTimeoutException) {
            type = "timeout";
        } else {
            type = e.getClass().getSimpleName();
        }
        span.endRedis(type);
    }

    /** {@code WRONGTYPE Operation against ...} -> {@code WRONGTYPE}; a reply without an upper-case code word -> {@code ERR}. */
    static String errorPrefix(String message) {
        int end = 0;
        while (end < message.length() && end < 32 && message.charAt(end) >= 'A' && message.charAt(end) <= 'Z') {
            end++;
        }
        boolean word = end > 0 && (end == message.length() || message.charAt(end) == ' ');
        return word ? message.substring(0, end) : "ERR";
    }
}
