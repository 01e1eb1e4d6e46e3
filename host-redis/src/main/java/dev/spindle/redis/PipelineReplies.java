package dev.spindle.redis;

import static dev.spindle.redis.ExtendedRedisInterface.REPLY;
import static dev.spindle.redis.ExtendedRedisInterface.firstError;
import static dev.spindle.redis.RedisLowering.RESULT;
import static dev.spindle.redis.RedisLowering.flatten;

import dev.spindle.host.GuestMemory;
import dev.spindle.host.abi.AbiContext;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Lowers {@code pipeline}'s {@code list<reply>} straight from the wire's {@link Reply}s instead
 * of the generic walk through {@code reply}'s and {@code redis-result}'s descriptors: the same
 * allocations through the guest's {@code cabi_realloc}, in the same order (the reply array, then
 * per reply its result array and each string or payload; none for an empty one), and the same
 * bytes ({@code PipelineRepliesTest} compares the two in guest memory). Offsets come from the
 * declarations.
 */
final class PipelineReplies {
    private PipelineReplies() {}

    private static final int REPLY_SIZE = REPLY.size();
    private static final int REPLY_ALIGN = REPLY.alignment();
    private static final int REPLY_PAYLOAD = REPLY.payloadOffset();
    private static final int RESULT_SIZE = RESULT.size();
    private static final int RESULT_ALIGN = RESULT.alignment();
    private static final int RESULT_PAYLOAD = RESULT.payloadOffset();
    private static final int OK = 0;
    private static final int ERR = 1;
    private static final int NIL = 0;
    private static final int STATUS = 1;
    private static final int INT64 = 2;
    private static final int BINARY = 3;
    private static final byte[] OK_TEXT = "OK".getBytes(StandardCharsets.UTF_8);

    static {
        List<String> reply = REPLY.cases().stream().map(c -> c.label()).toList();
        List<String> result = RESULT.cases().stream().map(c -> c.label()).toList();
        if (!reply.equals(List.of("ok", "err")) || !result.equals(List.of("nil", "status", "int64", "binary"))) {
            throw new IllegalStateException("PipelineReplies writes reply and redis-result as declared: " + reply + " " + result);
        }
    }

    /** The {@link dev.spindle.host.abi.ListType.ElementWriter} of {@code list<reply>}. */
    static int write(AbiContext cx, List<Reply> replies) {
        GuestMemory m = cx.memory();
        int n = replies.size();
        int array = cx.allocate(REPLY_ALIGN, Math.multiplyExact(n, REPLY_SIZE));
        for (int i = 0; i < n; i++) {
            Reply r = replies.get(i);
            int at = array + i * REPLY_SIZE;
            Reply.Error error = firstError(r);
            if (error != null) {
                m.writeU8(at, ERR);
                writeBytes(cx, m, at + REPLY_PAYLOAD, error.message().getBytes(StandardCharsets.UTF_8));
                continue;
            }
            m.writeU8(at, OK);
            if (r instanceof Reply.Array) {
                List<Reply> items = flatten(r);
                int k = items.size();
                int results = cx.allocate(RESULT_ALIGN, Math.multiplyExact(k, RESULT_SIZE));
                for (int j = 0; j < k; j++) {
                    writeResult(cx, m, results + j * RESULT_SIZE, items.get(j));
                }
                m.writeI32(at + REPLY_PAYLOAD, results);
                m.writeI32(at + REPLY_PAYLOAD + 4, k);
            } else {
                int results = cx.allocate(RESULT_ALIGN, RESULT_SIZE);
                writeResult(cx, m, results, r);
                m.writeI32(at + REPLY_PAYLOAD, results);
                m.writeI32(at + REPLY_PAYLOAD + 4, 1);
            }
        }
        return array;
    }

    /** One {@code redis-result} at {@code at}, as {@code RESULT.store} writes it. */
    private static void writeResult(AbiContext cx, GuestMemory m, int at, Reply r) {
        if (r instanceof Reply.Bulk b) {
            m.writeU8(at, BINARY);
            writeBytes(cx, m, at + RESULT_PAYLOAD, b.bytes());
        } else if (r instanceof Reply.Status s) {
            m.writeU8(at, STATUS);
            String text = s.text();
            writeBytes(cx, m, at + RESULT_PAYLOAD, text.equals("OK") ? OK_TEXT : text.getBytes(StandardCharsets.UTF_8));
        } else if (r instanceof Reply.Int v) {
            m.writeU8(at, INT64);
            m.writeI64(at + RESULT_PAYLOAD, v.value());
        } else if (r instanceof Reply.Nil) {
            m.writeU8(at, NIL);
        } else {
            throw new IllegalArgumentException("no case of variant redis-result accepts " + r);
        }
    }

    /** A string or {@code list<u8>} at {@code at}: allocated (not for an empty one), copied, (ptr, len) written. */
    private static void writeBytes(AbiContext cx, GuestMemory m, int at, byte[] bytes) {
        int ptr = cx.allocate(1, bytes.length);
        if (bytes.length > 0) {
            m.writeBytes(ptr, bytes);
        }
        m.writeI32(at, ptr);
        m.writeI32(at + 4, bytes.length);
    }
}
