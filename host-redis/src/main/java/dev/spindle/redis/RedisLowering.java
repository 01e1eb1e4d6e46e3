package dev.spindle.redis;

import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostMemoryBudget;
import dev.spindle.host.HostMemoryExceededException;
import dev.spindle.host.HostImport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the Redis interfaces share of their canonical-ABI lowering (guest-abi.md): the
 * {@code error} variant, {@code redis-parameter} and {@code redis-result} layouts, reply
 * interpretation, and the shape of an import (check the return area, look up the handle, run,
 * write {@code ok} or {@code err(error)}). Both {@code fermyon:spin/redis@2.0.0} and
 * {@code spindle:redis/extended@0.1.0} use it, so a layout lives in one place.
 */
final class RedisLowering {
    private RedisLowering() {}

    // ---- layouts (guest-abi.md) ----
    static final int ERROR_INVALID_ADDRESS = 0;
    static final int ERROR_TOO_MANY_CONNECTIONS = 1;
    static final int ERROR_TYPE_ERROR = 2;
    static final int ERROR_OTHER = 3;

    static final int PARAM_SIZE = 16;
    static final int PARAM_ALIGN = 8;
    static final int PARAM_INT64 = 0;
    static final int PARAM_BINARY = 1;

    static final int RESULT_SIZE = 16;
    static final int RESULT_ALIGN = 8;
    static final int RESULT_NIL = 0;
    static final int RESULT_STATUS = 1;
    static final int RESULT_INT64 = 2;
    static final int RESULT_BINARY = 3;

    // ---- import shapes ----

    /** Writes an ok result into the return area (allocations first, then the fields). */
    @FunctionalInterface
    interface Writer {
        void write(int retptr);
    }

    /** A connection operation: reads its arguments, runs the command, returns the ok writer. */
    @FunctionalInterface
    interface Op {
        Writer run(GuestMemory m, long[] args, RedisConnections.Handle handle);
    }

    @FunctionalInterface
    interface Body {
        void run(GuestMemory m, long[] args);
    }

    /**
     * An import whose first parameter is a connection handle and whose last is {@code retptr}.
     * The return area is checked before anything else (a bad {@code retptr} traps before any
     * I/O), then the handle (an unknown handle traps), then {@code op} runs.
     *
     * @param errorOffset where the {@code error} variant starts in the return area
     */
    static HostImport connectionOp(
            String module, String name, List<ValType> params, int retSize, int retAlign, int errorOffset,
            RedisConnections connections, Op op) {
        int retIndex = params.size() - 1;
        return fn(module, name, params, (m, a) -> {
            int retptr = retArea(m, a, retIndex, retSize, retAlign);
            RedisConnections.Handle h = connections.get(i32(a, 0));
            op.run(m, a, h).write(retptr);
        }, errorOffset);
    }

    /** An import with {@code retptr} last; a {@link RedisError} becomes {@code err(error)} at {@code errorOffset}. */
    static HostImport fn(String module, String name, List<ValType> params, Body body, int errorOffset) {
        int retIndex = params.size() - 1;
        return new HostImport(module, name, params, List.of(), true, (m, a) -> {
            try {
                body.run(m, a);
            } catch (RedisError e) {
                int retptr = i32(a, retIndex);
                writeError(m, retptr, retptr + errorOffset, e);
            } catch (HostMemoryExceededException e) {
                // Over the host-memory budget: a value, before anything was allocated or sent.
                int retptr = i32(a, retIndex);
                writeError(m, retptr, retptr + errorOffset, RedisError.other(e.getMessage()));
            }
            return null;
        });
    }

    static int retArea(GuestMemory m, long[] a, int index, int size, int align) {
        int retptr = i32(a, index);
        m.checkReturnArea(retptr, size, align);
        return retptr;
    }

    static int i32(long[] args, int i) {
        return (int) args[i];
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- argument readers ----

    /** Host bytes one int64 parameter becomes: its decimal text, at most 20 characters. */
    private static final int INT64_TEXT_BYTES = 20;

    /**
     * {@code list<redis-parameter>}: int64 goes as decimal text (as Redis clients send integers).
     * The whole list is charged to the host-memory budget before the first element is copied, so
     * a list whose elements alias one large buffer fails as a value without allocating.
     */
    static List<byte[]> readParameters(GuestMemory m, int ptr, int len) {
        m.checkList(ptr, len, PARAM_SIZE, PARAM_ALIGN);
        m.prepay(parameterBytes(m, ptr, len), ARGUMENTS);
        return readParameterList(m, ptr, len);
    }

    static final String ARGUMENTS = "a redis command's arguments";

    /**
     * What reading a checked {@code list<redis-parameter>} copies into the host: payload bytes
     * (aliased buffers every time) plus the per-element overhead. Reads only discriminants and lengths.
     */
    static long parameterBytes(GuestMemory m, int ptr, int len) {
        long total = Integer.toUnsignedLong(len) * HostMemoryBudget.ELEMENT_OVERHEAD_BYTES;
        for (int i = 0; i < len; i++) {
            int at = ptr + i * PARAM_SIZE;
            total += m.readU8(at) == PARAM_BINARY ? Integer.toUnsignedLong(m.readSlice(at + 8).len()) : INT64_TEXT_BYTES;
        }
        return total;
    }

    /** {@link #readParameters} for a list already checked and paid for. */
    static List<byte[]> readParameterList(GuestMemory m, int ptr, int len) {
        return m.readList(ptr, len, PARAM_SIZE, PARAM_ALIGN, at -> {
            int disc = m.readU8(at);
            switch (disc) {
                case PARAM_INT64:
                    return bytes(Long.toString(m.readI64(at + 8)));
                case PARAM_BINARY:
                    GuestMemory.Slice s = m.readSlice(at + 8);
                    return m.readBytes(s.ptr(), s.len());
                default:
                    throw new GuestTrapException("invalid redis-parameter discriminant " + disc);
            }
        });
    }

    // ---- reply interpretation ----

    /**
     * Flattens a reply the way Spin does: arrays (and nested arrays, e.g. an EXEC result)
     * contribute their elements in order; an error anywhere fails the whole call.
     */
    static List<Reply> flatten(Reply r) {
        List<Reply> out = new ArrayList<>();
        flatten(r, out);
        return out;
    }

    private static void flatten(Reply r, List<Reply> out) {
        if (r instanceof Reply.Array arr) {
            for (Reply item : arr.items()) {
                flatten(item, out);
            }
        } else if (r instanceof Reply.Error e) {
            throw serverError(e);
        } else {
            out.add(r);
        }
    }

    static long expectInt(Reply r) {
        if (r instanceof Reply.Int i) {
            return i.value();
        }
        throw unexpected(r);
    }

    static byte[] expectBulk(Reply r) {
        if (r instanceof Reply.Bulk b) {
            return b.bytes();
        }
        throw unexpected(r);
    }

    static void expectStatus(Reply r) {
        if (!(r instanceof Reply.Status)) {
            throw unexpected(r);
        }
    }

    static RedisError unexpected(Reply r) {
        if (r instanceof Reply.Error e) {
            return serverError(e);
        }
        return RedisError.typeError("unexpected reply " + r.getClass().getSimpleName().toLowerCase());
    }

    /** WRONGTYPE is {@code type-error}; every other server error is {@code other(message)}. */
    static RedisError serverError(Reply.Error e) {
        return e.isWrongType() ? RedisError.typeError(e.message()) : RedisError.other(e.message());
    }

    // ---- result writers ----

    /** {@code list<redis-result>}: 16-byte, 8-aligned elements. */
    static GuestMemory.Slice allocateResults(GuestMemory m, List<Reply> flat) {
        return m.allocateList(flat, RESULT_SIZE, RESULT_ALIGN, (at, r) -> writeResult(m, at, r));
    }

    static void writeResult(GuestMemory m, int at, Reply r) {
        if (r instanceof Reply.Nil) {
            m.writeU8(at, RESULT_NIL);
        } else if (r instanceof Reply.Status s) {
            GuestMemory.Slice slice = m.allocateString(s.text());
            m.writeU8(at, RESULT_STATUS);
            m.writeSlice(at + 8, slice);
        } else if (r instanceof Reply.Int i) {
            m.writeU8(at, RESULT_INT64);
            m.writeI64(at + 8, i.value());
        } else if (r instanceof Reply.Bulk b) {
            GuestMemory.Slice slice = m.allocateBytes(b.bytes());
            m.writeU8(at, RESULT_BINARY);
            m.writeSlice(at + 8, slice);
        } else {
            throw new IllegalStateException("unflattened reply " + r);
        }
    }

    /** Writes {@code err(error)} with the error variant at {@code errorAt}. */
    // ---- ok(...) writers for the return areas both interfaces share (guest-abi.md) ----

    static final long U32_MAX = 0xFFFF_FFFFL;

    /** {@code result<bool, error>}: ok u8 @4. */
    static Writer okBool(GuestMemory m, boolean value) {
        return retptr -> {
            m.writeU8(retptr, 0);
            m.writeU8(retptr + 4, value ? 1 : 0);
        };
    }

    /** {@code result<s64, error>}: ok i64 @8. */
    static Writer okS64(GuestMemory m, long value) {
        return retptr -> {
            m.writeU8(retptr, 0);
            m.writeI64(retptr + 8, value);
        };
    }

    /** {@code result<u32, error>}: ok u32 @4; a count Redis reports beyond u32 is an error, not a wrap. */
    static Writer okU32(GuestMemory m, long value) {
        if (value < 0 || value > U32_MAX) {
            throw RedisError.other("result " + value + " does not fit a u32");
        }
        return retptr -> {
            m.writeU8(retptr, 0);
            m.writeI32(retptr + 4, (int) value);
        };
    }

    /** {@code result<option<payload>, error>} from a bulk-or-nil reply: option disc @4, list @8/@12. */
    static Writer okOptionalPayload(GuestMemory m, Reply r) {
        if (r instanceof Reply.Nil) {
            return retptr -> {
                m.writeU8(retptr, 0);
                m.writeU8(retptr + 4, 0);
            };
        }
        byte[] value = expectBulk(r);
        return retptr -> {
            GuestMemory.Slice s = m.allocateBytes(value);
            m.writeU8(retptr, 0);
            m.writeU8(retptr + 4, 1);
            m.writeSlice(retptr + 8, s);
        };
    }

    static void writeError(GuestMemory m, int retptr, int errorAt, RedisError e) {
        int disc;
        switch (e.kind()) {
            case INVALID_ADDRESS:
                disc = ERROR_INVALID_ADDRESS;
                break;
            case TOO_MANY_CONNECTIONS:
                disc = ERROR_TOO_MANY_CONNECTIONS;
                break;
            case TYPE_ERROR:
                disc = ERROR_TYPE_ERROR;
                break;
            default:
                disc = ERROR_OTHER;
        }
        GuestMemory.Slice message = disc == ERROR_OTHER ? m.allocateString(String.valueOf(e.getMessage())) : null;
        m.writeU8(retptr, 1);
        m.writeU8(errorAt, disc);
        if (message != null) {
            m.writeSlice(errorAt + 4, message);
        }
    }
}
