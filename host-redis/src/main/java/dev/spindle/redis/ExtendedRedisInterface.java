package dev.spindle.redis;

import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;
import static dev.spindle.redis.RedisLowering.allocateResults;
import static dev.spindle.redis.RedisLowering.bytes;
import static dev.spindle.redis.RedisLowering.connectionOp;
import static dev.spindle.redis.RedisLowering.expectBulk;
import static dev.spindle.redis.RedisLowering.expectInt;
import static dev.spindle.redis.RedisLowering.expectStatus;
import static dev.spindle.redis.RedisLowering.flatten;
import static dev.spindle.redis.RedisLowering.i32;
import static dev.spindle.redis.RedisLowering.okBool;
import static dev.spindle.redis.RedisLowering.okOptionalPayload;
import static dev.spindle.redis.RedisLowering.okS64;
import static dev.spindle.redis.RedisLowering.okU32;
import static dev.spindle.redis.RedisLowering.unexpected;
import static dev.spindle.redis.RedisLowering.U32_MAX;

import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.HostMemoryBudget;
import dev.spindle.host.HostImport;
import dev.spindle.redis.RedisLowering.Op;
import dev.spindle.redis.RedisLowering.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code spindle:redis/extended@0.1.0}: TTLs, existence, counters by any delta, list queues, a
 * fixed-window rate limiter and pipelines, lowered as in {@code guest-abi.md}, on the same
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

    // ---- layouts (guest-abi.md, "layouts that are new here") ----
    private static final int COMMAND_SIZE = 16;
    private static final int COMMAND_ALIGN = 4;
    private static final int REPLY_SIZE = 12;
    private static final int REPLY_ALIGN = 4;
    private static final int REPLY_OK = 0;
    private static final int REPLY_ERR = 1;

    /**
     * The rate limiter, atomic on the server: count the hit, and give the key its window if it has
     * no expiry yet (the first hit of a window, or a key someone created without one). Returns
     * {count, milliseconds until the window resets}. An INCR error (WRONGTYPE, not an integer)
     * aborts the script before anything changed.
     */
    static final String RATE_LIMIT_SCRIPT = String.join("\n",
            "local count = redis.call('INCR', KEYS[1])",
            "local ttl = redis.call('PTTL', KEYS[1])",
            "if ttl < 0 then",
            "  redis.call('PEXPIRE', KEYS[1], ARGV[1])",
            "  ttl = redis.call('PTTL', KEYS[1])",
            "end",
            "return {count, ttl}");

    static final String RATE_LIMIT_SHA = sha1Hex(RATE_LIMIT_SCRIPT);

    private ExtendedRedisInterface() {}

    static List<HostImport> imports(RedisConnections connections) {
        List<HostImport> out = new ArrayList<>();

        // set-with-ttl(conn, key, value, ttl-ms: u64) -> result<_, error>
        out.add(op(connections, "set-with-ttl", params(I32, I32, I32, I32, I32, I64, I32), 16, 4, 4, (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            byte[] value = m.readBytes(i32(a, 3), i32(a, 4));
            long ttl = a[5];
            List<byte[]> command = new ArrayList<>(List.of(bytes("SET"), bytes(key), value));
            if (ttl != 0) {
                command.add(bytes("PX"));
                command.add(bytes(ttlArgument(ttl)));
            }
            expectStatus(ttlChecked(h.call(command), ttl));
            return retptr -> m.writeU8(retptr, 0);
        }));

        // has(conn, key) -> result<bool, error>
        out.add(op(connections, "has", params(I32, I32, I32, I32), 16, 4, 4, (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            boolean exists = expectInt(h.call(List.of(bytes("EXISTS"), bytes(key)))) > 0;
            return okBool(m, exists);
        }));

        // incr-by(conn, key, delta: s64) -> result<s64, error>
        out.add(op(connections, "incr-by", params(I32, I32, I32, I64, I32), 24, 8, 8, (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            long delta = a[3];
            long value = expectInt(h.call(List.of(bytes("INCRBY"), bytes(key), bytes(Long.toString(delta)))));
            return okS64(m, value);
        }));

        // expire(conn, key, ttl-ms: u64) -> result<bool, error>
        out.add(op(connections, "expire", params(I32, I32, I32, I64, I32), 16, 4, 4, (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            long ttl = a[3];
            Reply r = h.call(List.of(bytes("PEXPIRE"), bytes(key), bytes(ttlArgument(ttl))));
            return okBool(m, expectInt(ttlChecked(r, ttl)) == 1);
        }));

        // ttl(conn, key) -> result<s64, error>
        out.add(op(connections, "ttl", params(I32, I32, I32, I32), 24, 8, 8, (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            return okS64(m, expectInt(h.call(List.of(bytes("PTTL"), bytes(key)))));
        }));

        // push / unshift(conn, key, values: list<payload>) -> result<u32, error>
        out.add(op(connections, "push", params(I32, I32, I32, I32, I32, I32), 16, 4, 4, listPush("RPUSH")));
        out.add(op(connections, "unshift", params(I32, I32, I32, I32, I32, I32), 16, 4, 4, listPush("LPUSH")));

        // pop / shift(conn, key) -> result<option<payload>, error>
        out.add(op(connections, "pop", params(I32, I32, I32, I32), 16, 4, 4, listPop("RPOP")));
        out.add(op(connections, "shift", params(I32, I32, I32, I32), 16, 4, 4, listPop("LPOP")));

        // range(conn, key, start: s64, stop: s64) -> result<list<payload>, error>
        out.add(op(connections, "range", params(I32, I32, I32, I64, I64, I32), 16, 4, 4, (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            Reply r = h.call(List.of(bytes("LRANGE"), bytes(key), bytes(Long.toString(a[3])), bytes(Long.toString(a[4]))));
            if (!(r instanceof Reply.Array arr)) {
                throw unexpected(r);
            }
            List<byte[]> items = new ArrayList<>(arr.items().size());
            for (Reply item : arr.items()) {
                items.add(expectBulk(item));
            }
            return retptr -> {
                GuestMemory.Slice s = m.allocateBytesList(items);
                m.writeU8(retptr, 0);
                m.writeSlice(retptr + 4, s);
            };
        }));

        // count(conn, key) -> result<u32, error>
        out.add(op(connections, "count", params(I32, I32, I32, I32), 16, 4, 4, (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            return okU32(m, expectInt(h.call(List.of(bytes("LLEN"), bytes(key)))));
        }));

        // rate-limit(conn, key, max: u32, window-ms: u64) -> result<rate-limit-status, error>
        out.add(op(connections, "rate-limit", params(I32, I32, I32, I32, I64, I32), 32, 8, 8, (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            long max = Integer.toUnsignedLong(i32(a, 3));
            long window = a[4];
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
            boolean allowed = count <= max;
            long remaining = Math.max(0, max - count);
            return retptr -> {
                m.writeU8(retptr, 0);
                m.writeU8(retptr + 8, allowed ? 1 : 0);
                m.writeI32(retptr + 12, (int) Math.min(count, U32_MAX));
                m.writeI32(retptr + 16, (int) remaining);
                m.writeI64(retptr + 24, resetMs);
            };
        }));

        // pipeline(conn, commands: list<command>, transaction: bool) -> result<list<reply>, error>
        out.add(op(connections, "pipeline", params(I32, I32, I32, I32, I32), 16, 4, 4, (m, a, h) -> {
            int ptr = i32(a, 1);
            int len = i32(a, 2);
            boolean transaction = i32(a, 3) != 0;
            m.checkList(ptr, len, COMMAND_SIZE, COMMAND_ALIGN);
            if (Integer.toUnsignedLong(len) > MAX_PIPELINE_COMMANDS) {
                throw RedisError.other("pipeline of " + Integer.toUnsignedString(len) + " commands exceeds the limit of "
                        + MAX_PIPELINE_COMMANDS + "; split it into several calls");
            }
            // Everything the commands will copy into the host is charged before the first copy.
            long hostBytes = (long) len * HostMemoryBudget.ELEMENT_OVERHEAD_BYTES;
            for (int i = 0; i < len; i++) {
                int at = ptr + i * COMMAND_SIZE;
                GuestMemory.Slice args = m.readSlice(at + 8);
                m.checkList(args.ptr(), args.len(), RedisLowering.PARAM_SIZE, RedisLowering.PARAM_ALIGN);
                hostBytes += Integer.toUnsignedLong(m.readSlice(at).len()) + RedisLowering.parameterBytes(m, args.ptr(), args.len());
            }
            m.prepay(hostBytes, "a pipeline's commands");
            List<List<byte[]>> commands = m.readList(ptr, len, COMMAND_SIZE, COMMAND_ALIGN, at -> {
                GuestMemory.Slice name = m.readSlice(at);
                GuestMemory.Slice args = m.readSlice(at + 8);
                List<byte[]> command = new ArrayList<>(args.len() + 1);
                command.add(bytes(m.readString(name.ptr(), name.len())));
                command.addAll(RedisLowering.readParameterList(m, args.ptr(), args.len()));
                return command;
            });
            List<PipelineReply> replies = commands.isEmpty()
                    ? List.of()
                    : transaction
                            ? transactionReplies(h.pipeline(commands, true), commands.size())
                            : plainReplies(h.pipeline(commands, false));
            return retptr -> {
                GuestMemory.Slice list = m.allocateList(replies, REPLY_SIZE, REPLY_ALIGN, (at, reply) -> {
                    if (reply.error() == null) {
                        GuestMemory.Slice results = allocateResults(m, reply.results());
                        m.writeU8(at, REPLY_OK);
                        m.writeSlice(at + 4, results);
                    } else {
                        GuestMemory.Slice message = m.allocateString(reply.error());
                        m.writeU8(at, REPLY_ERR);
                        m.writeSlice(at + 4, message);
                    }
                });
                m.writeU8(retptr, 0);
                m.writeSlice(retptr + 4, list);
            };
        }));

        return Collections.unmodifiableList(out);
    }

    // ---- lists ----

    private static Op listPush(String command) {
        return (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            List<byte[]> values = m.readBytesList(i32(a, 3), i32(a, 4));
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
            return okU32(m, expectInt(h.call(cmd)));
        };
    }

    private static Op listPop(String command) {
        return (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            return okOptionalPayload(m, h.call(List.of(bytes(command), bytes(key))));
        };
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

    /** One {@code reply}: {@code ok(results)} when {@code error} is null, else {@code err(error)}. */
    private record PipelineReply(List<Reply> results, String error) {
        static PipelineReply of(Reply r) {
            try {
                return new PipelineReply(flatten(r), null);
            } catch (RedisError e) {
                return err(e.getMessage());
            }
        }

        static PipelineReply err(String message) {
            return new PipelineReply(null, message);
        }
    }

    private static List<PipelineReply> plainReplies(List<Reply> replies) {
        List<PipelineReply> out = new ArrayList<>(replies.size());
        for (Reply r : replies) {
            out.add(PipelineReply.of(r));
        }
        return out;
    }

    /**
     * Replies of {@code MULTI, c1..cn, EXEC}: when EXEC ran, command i gets its element of EXEC's
     * array (an error element is that command's {@code err}). When it did not (a command was
     * rejected while queueing, so EXEC answered EXECABORT), every command gets {@code err}: its own
     * queueing error, or EXEC's message for the commands that had queued fine.
     */
    private static List<PipelineReply> transactionReplies(List<Reply> replies, int n) {
        Reply multi = replies.get(0);
        Reply exec = replies.get(n + 1);
        List<PipelineReply> out = new ArrayList<>(n);
        if (!(multi instanceof Reply.Status s && s.text().equals("OK"))) {
            // Only possible when the guest left the connection inside its own MULTI via execute.
            String why = "transaction not started: " + describe(multi);
            return Collections.nCopies(n, PipelineReply.err(why));
        }
        if (exec instanceof Reply.Array arr && arr.items().size() == n) {
            for (Reply r : arr.items()) {
                out.add(PipelineReply.of(r));
            }
            return out;
        }
        String why = exec instanceof Reply.Error e
                ? e.message() // EXECABORT Transaction discarded because of previous errors.
                : exec instanceof Reply.Nil
                        ? "transaction aborted: a WATCHed key changed"
                        : "transaction failed: " + describe(exec);
        for (int i = 0; i < n; i++) {
            Reply queued = replies.get(i + 1);
            out.add(PipelineReply.err(queued instanceof Reply.Error e ? e.message() : why));
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

    // ---- writers and plumbing ----

    private static HostImport op(
            RedisConnections connections, String name, List<ValType> params, int retSize, int retAlign, int errorOffset, Op op) {
        return connectionOp(MODULE, name, params, retSize, retAlign, errorOffset, connections, op);
    }

    private static List<ValType> params(ValType... types) {
        return List.of(types);
    }

    private static String sha1Hex(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is a required JDK algorithm", e);
        }
    }
}
