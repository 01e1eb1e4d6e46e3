package dev.spindle.redis;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.BOOL;
import static dev.spindle.host.abi.Wit.S64;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.STRING_BYTES;
import static dev.spindle.host.abi.Wit.U32;
import static dev.spindle.host.abi.Wit.U64;
import static dev.spindle.host.abi.Wit.borrow;
import static dev.spindle.host.abi.Wit.field;
import static dev.spindle.host.abi.Wit.list;
import static dev.spindle.host.abi.Wit.option;
import static dev.spindle.host.abi.Wit.result;
import static dev.spindle.host.abi.Wit.resultErr;
import static dev.spindle.redis.RedisConnections.CONNECTION;
import static dev.spindle.redis.RedisLowering.ERROR;
import static dev.spindle.redis.RedisLowering.ARGUMENT;
import static dev.spindle.redis.RedisLowering.PAYLOAD;
import static dev.spindle.redis.RedisLowering.RESULT;
import static dev.spindle.redis.RedisLowering.U32_MAX;
import static dev.spindle.redis.RedisLowering.bytes;
import static dev.spindle.redis.RedisLowering.expectBulk;
import static dev.spindle.redis.RedisLowering.expectInt;
import static dev.spindle.redis.RedisLowering.expectStatus;
import static dev.spindle.redis.RedisLowering.flatten;
import static dev.spindle.redis.RedisLowering.okOptionalPayload;
import static dev.spindle.redis.RedisLowering.okU32;
import static dev.spindle.redis.RedisLowering.unexpected;

import dev.spindle.host.abi.ListType;
import dev.spindle.host.abi.Param;
import dev.spindle.host.abi.RecordType;
import dev.spindle.host.abi.Result;
import dev.spindle.host.abi.VariantType;
import dev.spindle.host.abi.Wit;
import dev.spindle.host.abi.WitInterface;
import dev.spindle.redis.RedisConnections.Handle;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code spindle:redis/extended@0.1.0}: TTLs, existence, counters by any delta, list queues, a
 * fixed-window rate limiter and pipelines, declared once ({@link #INTERFACE}), on the same
 * connection handles (and so the same permission check at {@code open}) as
 * {@link SpinRedisInterface}.
 *
 * <p>Each function except {@code pipeline} is one Redis command (or one script) in one round trip.
 * Errors are those of {@code fermyon:spin/redis@2.0.0}: WRONGTYPE is {@code type-error}, any other
 * server error and every host-side refusal (a TTL out of range, a refused pipeline command) is
 * {@code other(message)}.
 */
final class ExtendedRedisInterface {

    static final String MODULE = "spindle:redis/extended@0.1.0";

    /**
     * Most commands one {@code pipeline} call may carry. The guest's list is bounded by its memory
     * (16 bytes per command), but the host's copy of each command is several times larger; this
     * keeps one call's host buffers in the tens of MiB, while far above the batch size where
     * pipelining stops paying (round trips are already amortized at a few hundred commands).
     */
    static final int MAX_PIPELINE_COMMANDS = 100_000;

    /**
     * The rate limiter, atomic on the server: count the hit, and give the key its window if it has
     * no expiry yet (the first hit of a window, or a key someone created without one). Returns
     * {count, milliseconds until the window resets}. An INCR error (WRONGTYPE, not an integer)
     * is the script's reply before anything changed, exactly as INCR gave it: caught with
     * {@code pcall} and returned, because a raised one reaches the client rewritten, differently
     * by version (Redis 6.2, the bundled one: {@code ERR Error running script ...: WRONGTYPE ...},
     * which would no longer be a {@code type-error}; Redis 7: {@code WRONGTYPE ... script: ...}).
     */
    static final String RATE_LIMIT_SCRIPT = String.join("\n",
            "local count = redis.pcall('INCR', KEYS[1])",
            "if type(count) == 'table' then return count end",
            "local ttl = redis.call('PTTL', KEYS[1])",
            "if ttl < 0 then",
            "  redis.call('PEXPIRE', KEYS[1], ARGV[1])",
            "  ttl = redis.call('PTTL', KEYS[1])",
            "end",
            "return {count, ttl}");

    static final String RATE_LIMIT_SHA = sha1Hex(RATE_LIMIT_SCRIPT);

    private ExtendedRedisInterface() {}

    private static final Param<Handle> CONN = param("conn", borrow(CONNECTION));
    private static final Param<String> KEY = param("key", STRING);

    /** {@code record rate-limit-status { allowed: bool, count: u32, remaining: u32, reset-ms: u64 }}. */
    record RateLimitStatus(boolean allowed, long count, long remaining, long resetMs) {}

    static final RecordType<RateLimitStatus> RATE_LIMIT_STATUS = Wit.record("rate-limit-status",
            field("allowed", BOOL, RateLimitStatus::allowed),
            field("count", U32, RateLimitStatus::count),
            field("remaining", U32, RateLimitStatus::remaining),
            field("reset-ms", U64, RateLimitStatus::resetMs),
            RateLimitStatus::new);

    /**
     * {@code record command { name: string, arguments: list<redis-parameter> }}, lifted straight to
     * the command as it is sent: the name's UTF-8 bytes (checked, not decoded), then each argument
     * as Redis receives it, in one array-backed list. Only guests pass commands (never lowered).
     */
    static final RecordType<List<byte[]>> COMMAND = Wit.record("command",
            field("name", STRING_BYTES, (List<byte[]> c) -> c.get(0)),
            field("arguments", list(ARGUMENT), (List<byte[]> c) -> c.subList(1, c.size())),
            ExtendedRedisInterface::command);

    private static List<byte[]> command(byte[] name, List<byte[]> arguments) {
        byte[][] c = new byte[arguments.size() + 1][];
        c[0] = name;
        for (int i = 0; i < arguments.size(); i++) {
            c[i + 1] = arguments.get(i);
        }
        return java.util.Arrays.asList(c);
    }

    /**
     * {@code variant reply { ok(list<redis-result>), err(string) }}, lowered straight from the
     * command's {@link Reply}: {@code err} with the first error in it (an error reply, or an error
     * element of an array), else {@code ok} with the reply flattened as Spin flattens it (one
     * element for a non-array).
     */
    static final VariantType<Reply> REPLY = Wit.variant("reply",
            Wit.<Reply, List<Reply>>valueCase("ok", list(RESULT), r -> firstError(r) == null, Reply.Array::new,
                    r -> r instanceof Reply.Array ? flatten(r) : List.of(r)),
            Wit.<Reply, String>valueCase("err", STRING, r -> true, Reply.Error::new, r -> firstError(r).message()));

    /** {@code list<reply>}, lowered by {@link PipelineReplies} (the same bytes and allocations as the generic walk). */
    static final ListType<Reply> REPLIES = list(REPLY).writeWith(PipelineReplies::write);

    /** The first error reply in {@code r} (itself, or an element of a nested array), or null. */
    static Reply.Error firstError(Reply r) {
        if (r instanceof Reply.Error e) {
            return e;
        }
        if (r instanceof Reply.Array arr) {
            for (Reply item : arr.items()) {
                Reply.Error e = firstError(item);
                if (e != null) {
                    return e;
                }
            }
        }
        return null;
    }

    /** {@code list<command>}, refused (as {@code other}) past {@link #MAX_PIPELINE_COMMANDS} before any element is read. */
    static final ListType<List<byte[]>> COMMANDS = list(COMMAND).limited(MAX_PIPELINE_COMMANDS, n -> RedisError.other(
            "pipeline of " + n + " commands exceeds the limit of " + MAX_PIPELINE_COMMANDS + "; split it into several calls"))
            .chargedAs("a pipeline's commands")
            .readWith(PipelineCommands::read);

    static final WitInterface<RedisConnections> INTERFACE = WitInterface.<RedisConnections>builder(MODULE)
            .intercept(RedisLowering.interceptor())
            // SET key value PX ttl-ms (ttl-ms = 0: no expiry)
            .func("set-with-ttl", CONN, KEY, param("value", PAYLOAD), param("ttl-ms", U64), resultErr(ERROR), (c, h, key, value, ttl) -> {
                List<byte[]> command = new ArrayList<>(List.of(bytes("SET"), bytes(key), value));
                if (ttl != 0) {
                    command.add(bytes("PX"));
                    command.add(bytes(ttlArgument(ttl)));
                }
                expectStatus(ttlChecked(h.call(command), ttl));
                return Result.ok();
            })
            // EXISTS key
            .func("has", CONN, KEY, result(BOOL, ERROR),
                    (c, h, key) -> Result.ok(expectInt(h.call(List.of(bytes("EXISTS"), bytes(key)))) > 0))
            // INCRBY key delta (negative delta decrements)
            .func("incr-by", CONN, KEY, param("delta", S64), result(S64, ERROR),
                    (c, h, key, delta) -> Result.ok(expectInt(h.call(List.of(bytes("INCRBY"), bytes(key), bytes(Long.toString(delta)))))))
            // PEXPIRE key ttl-ms; false when the key does not exist
            .func("expire", CONN, KEY, param("ttl-ms", U64), result(BOOL, ERROR), (c, h, key, ttl) -> {
                Reply r = h.call(List.of(bytes("PEXPIRE"), bytes(key), bytes(ttlArgument(ttl))));
                return Result.ok(expectInt(ttlChecked(r, ttl)) == 1);
            })
            // PTTL key: -2 no such key, -1 no expiry, else milliseconds left
            .func("ttl", CONN, KEY, result(S64, ERROR),
                    (c, h, key) -> Result.ok(expectInt(h.call(List.of(bytes("PTTL"), bytes(key))))))
            // RPUSH (push, at the end) / LPUSH (unshift, at the front); the new length
            .func("push", CONN, KEY, param("values", list(PAYLOAD)), result(U32, ERROR), (c, h, key, values) -> listPush(h, "RPUSH", key, values))
            .func("unshift", CONN, KEY, param("values", list(PAYLOAD)), result(U32, ERROR), (c, h, key, values) -> listPush(h, "LPUSH", key, values))
            // RPOP (pop, from the end) / LPOP (shift, from the front)
            .func("pop", CONN, KEY, result(option(PAYLOAD), ERROR), (c, h, key) -> okOptionalPayload(h.call(List.of(bytes("RPOP"), bytes(key)))))
            .func("shift", CONN, KEY, result(option(PAYLOAD), ERROR), (c, h, key) -> okOptionalPayload(h.call(List.of(bytes("LPOP"), bytes(key)))))
            // LRANGE key start stop (inclusive, negative counts from the end)
            .func("range", CONN, KEY, param("start", S64), param("stop", S64), result(list(PAYLOAD), ERROR), (c, h, key, start, stop) -> {
                Reply r = h.call(List.of(bytes("LRANGE"), bytes(key), bytes(Long.toString(start)), bytes(Long.toString(stop))));
                if (!(r instanceof Reply.Array arr)) {
                    throw unexpected(r);
                }
                List<byte[]> items = new ArrayList<>(arr.items().size());
                for (Reply item : arr.items()) {
                    items.add(expectBulk(item));
                }
                return Result.ok(items);
            })
            // LLEN key
            .func("count", CONN, KEY, result(U32, ERROR), (c, h, key) -> okU32(expectInt(h.call(List.of(bytes("LLEN"), bytes(key))))))
            .func("rate-limit", CONN, KEY, param("max", U32), param("window-ms", U64), result(RATE_LIMIT_STATUS, ERROR),
                    (c, h, key, max, window) -> Result.ok(rateLimit(h, key, max, window)))
            // Many commands in one round trip; with transaction = true they run in MULTI/EXEC.
            .func("pipeline", CONN, param("commands", COMMANDS), param("transaction", BOOL), result(REPLIES, ERROR),
                    (c, h, commands, transaction) -> Result.ok(pipeline(h, commands, transaction)))
            .build();

    // ---- rate limit ----

    private static RateLimitStatus rateLimit(Handle h, String key, long max, long window) {
        if (window == 0) {
            throw RedisError.other("rate-limit: window-ms must be at least 1");
        }
        String windowArg = ttlArgument(window);
        Reply r = h.call(List.of(bytes("EVALSHA"), bytes(RATE_LIMIT_SHA), bytes("1"), bytes(key), bytes(windowArg)));
        if (r instanceof Reply.Error e && e.message().startsWith("NOSCRIPT")) {
            // First use on this server (or after SCRIPT FLUSH / a restart): send the script
            // itself; the server caches it, so later calls go back to EVALSHA.
            r = h.call(List.of(bytes("EVAL"), bytes(RATE_LIMIT_SCRIPT), bytes("1"), bytes(key), bytes(windowArg)));
        }
        r = ttlChecked(r, window);
        if (!(r instanceof Reply.Array arr) || arr.items().size() != 2) {
            throw unexpected(r);
        }
        long count = expectInt(arr.items().get(0));
        long resetMs = Math.max(0, expectInt(arr.items().get(1)));
        return new RateLimitStatus(count <= max, Math.min(Math.max(count, 0), U32_MAX), Math.max(0, max - count), resetMs);
    }

    // ---- pipeline ----

    /** One reply per command, each lowered as a {@link #REPLY} (the commands were lifted as they are sent). */
    private static List<Reply> pipeline(Handle h, List<List<byte[]>> commands, boolean transaction) {
        if (commands.isEmpty()) {
            return List.of();
        }
        return transaction ? transactionReplies(h.pipeline(commands, true), commands.size()) : h.pipeline(commands, false);
    }

    // ---- lists ----

    private static Result<Long, RedisError> listPush(Handle h, String command, String key, List<byte[]> values) {
        List<byte[]> cmd;
        if (values.isEmpty()) {
            // RPUSH/LPUSH need at least one value; pushing nothing leaves the list as it is, so
            // the "new length" is the current one (a wrong-type key still fails the same way).
            cmd = List.of(bytes("LLEN"), bytes(key));
        } else {
            cmd = new ArrayList<>(values.size() + 2);
            cmd.add(bytes(command));
            cmd.add(bytes(key));
            cmd.addAll(values);
        }
        return okU32(expectInt(h.call(cmd)));
    }

    // ---- TTLs ----

    /**
     * A {@code u64} number of milliseconds as Redis' decimal argument. Redis keeps expiry times as
     * signed 64-bit milliseconds, so anything above {@link Long#MAX_VALUE} is refused here; values
     * that overflow once the server adds its clock are refused by the server ({@link #ttlChecked}).
     */
    private static String ttlArgument(long ttlMs) {
        if (ttlMs < 0) {
            throw RedisError.other(outOfRange(ttlMs) + " (Redis expiry times are signed 64-bit milliseconds)");
        }
        return Long.toString(ttlMs);
    }

    /** Turns the server's "invalid expire time" into a message that names the guest's value. */
    private static Reply ttlChecked(Reply r, long ttlMs) {
        if (r instanceof Reply.Error e && e.message().contains("invalid expire time")) {
            throw RedisError.other(outOfRange(ttlMs) + " (" + e.message() + ")");
        }
        return r;
    }

    private static String outOfRange(long ttlMs) {
        return "ttl of " + Long.toUnsignedString(ttlMs) + " ms is out of Redis' range: now + ttl must stay below "
                + Long.MAX_VALUE + " ms";
    }

    // ---- pipeline replies ----

    /**
     * Replies of {@code MULTI, c1..cn, EXEC}: when EXEC ran, command i gets its element of EXEC's
     * array (an error element is that command's {@code err}). When it did not (a command was
     * rejected while queueing, so EXEC answered EXECABORT), every command gets {@code err}: its own
     * queueing error, or EXEC's message for the commands that had queued fine.
     */
    private static List<Reply> transactionReplies(List<Reply> replies, int n) {
        Reply multi = replies.get(0);
        Reply exec = replies.get(n + 1);
        if (!(multi instanceof Reply.Status s && s.text().equals("OK"))) {
            // Only possible when the guest left the connection inside its own MULTI via execute.
            String why = "transaction not started: " + describe(multi);
            return Collections.nCopies(n, new Reply.Error(why));
        }
        if (exec instanceof Reply.Array arr && arr.items().size() == n) {
            return arr.items();
        }
        List<Reply> out = new ArrayList<>(n);
        String why = exec instanceof Reply.Error e
                ? e.message() // EXECABORT Transaction discarded because of previous errors.
                : exec instanceof Reply.Nil
                        ? "transaction aborted: a WATCHed key changed"
                        : "transaction failed: " + describe(exec);
        for (int i = 0; i < n; i++) {
            Reply queued = replies.get(i + 1);
            out.add(queued instanceof Reply.Error e ? e : new Reply.Error(why));
        }
        return out;
    }

    private static String describe(Reply r) {
        if (r instanceof Reply.Error e) {
            return e.message();
        }
        if (r instanceof Reply.Array arr) {
            return "unexpected reply of " + arr.items().size() + " elements";
        }
        return "unexpected reply " + r.getClass().getSimpleName().toLowerCase();
    }

    // ---- plumbing ----

    private static String sha1Hex(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is a required JDK algorithm", e);
        }
    }
}
