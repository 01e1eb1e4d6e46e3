package dev.spindle.redis;

import static com.dylibso.chicory.wasm.types.ValType.I32;

import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostImport;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code fermyon:spin/redis@2.0.0}: the eleven imports, lowered as in {@code guest-abi.md}, over
 * one instance's {@link RedisConnections}.
 *
 * <p>Every import first checks its return area (a bad {@code retptr} traps before any I/O), then
 * reads its arguments (out-of-bounds or invalid UTF-8 traps), then runs the Redis command and
 * writes {@code ok} or {@code err(error)}. Errors a guest can get:
 * <ul>
 *   <li>{@code invalid-address}: unparseable, not redis/rediss, not allowed, bad database path;
 *   <li>{@code too-many-connections}: handle limit of the instance, or the pool stayed exhausted;
 *   <li>{@code type-error}: the server answered WRONGTYPE, or a reply cannot be represented
 *       (a set member that is not UTF-8). Spin reports a server WRONGTYPE as {@code other(...)};
 *       we use the variant WIT declares for it, so guests can tell it apart without parsing text;
 *   <li>{@code other(message)}: any other server error (e.g. INCR on a non-integer), a refused
 *       {@code execute} command, connection failures and timeouts, results over the size cap.
 * </ul>
 */
final class SpinRedisInterface {

    static final String MODULE = "fermyon:spin/redis@2.0.0";

    private SpinRedisInterface() {}

    // ---- layouts (guest-abi.md) ----
    private static final int ERROR_INVALID_ADDRESS = 0;
    private static final int ERROR_TOO_MANY_CONNECTIONS = 1;
    private static final int ERROR_TYPE_ERROR = 2;
    private static final int ERROR_OTHER = 3;

    private static final int PARAM_SIZE = 16;
    private static final int PARAM_ALIGN = 8;
    private static final int PARAM_INT64 = 0;
    private static final int PARAM_BINARY = 1;

    private static final int RESULT_SIZE = 16;
    private static final int RESULT_ALIGN = 8;
    private static final int RESULT_NIL = 0;
    private static final int RESULT_STATUS = 1;
    private static final int RESULT_INT64 = 2;
    private static final int RESULT_BINARY = 3;

    private static final int STRING_ELEMENT_SIZE = 8;

    static List<HostImport> imports(RedisConnections connections) {
        List<HostImport> out = new ArrayList<>();

        out.add(fn("[static]connection.open", 3, (m, a) -> {
            int retptr = retArea(m, a, 2, 16, 4);
            String address = m.readString(i32(a, 0), i32(a, 1));
            int handle = connections.open(address);
            m.writeU8(retptr, 0);
            m.writeI32(retptr + 4, handle);
        }, retptr -> retptr + 4));

        out.add(method(connections, "publish", 6, 16, 4, 4, (m, a, h) -> {
            String channel = m.readString(i32(a, 1), i32(a, 2));
            byte[] payload = m.readBytes(i32(a, 3), i32(a, 4));
            expectInt(h.call(List.of(bytes("PUBLISH"), bytes(channel), payload)));
            return retptr -> m.writeU8(retptr, 0);
        }));

        out.add(method(connections, "get", 4, 16, 4, 4, (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            Reply r = h.call(List.of(bytes("GET"), bytes(key)));
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
        }));

        out.add(method(connections, "set", 6, 16, 4, 4, (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            byte[] value = m.readBytes(i32(a, 3), i32(a, 4));
            expectStatus(h.call(List.of(bytes("SET"), bytes(key), value)));
            return retptr -> m.writeU8(retptr, 0);
        }));

        out.add(method(connections, "incr", 4, 24, 8, 8, (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            // INCRBY key 1, as Spin sends it; a non-integer value is a server error, value unchanged.
            long value = expectInt(h.call(List.of(bytes("INCRBY"), bytes(key), bytes("1"))));
            return retptr -> {
                m.writeU8(retptr, 0);
                m.writeI64(retptr + 8, value);
            };
        }));

        out.add(method(connections, "del", 4, 16, 4, 4, (m, a, h) -> {
            List<String> keys = m.readStringList(i32(a, 1), i32(a, 2));
            List<byte[]> command = new ArrayList<>(keys.size() + 1);
            command.add(bytes("DEL"));
            keys.forEach(k -> command.add(bytes(k)));
            long n = expectInt(h.call(command));
            return retptr -> writeU32(m, retptr, n);
        }));

        out.add(method(connections, "sadd", 6, 16, 4, 4, setUpdate(connections, "SADD")));

        out.add(method(connections, "smembers", 4, 16, 4, 4, (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            Reply r = h.call(List.of(bytes("SMEMBERS"), bytes(key)));
            List<String> members = new ArrayList<>();
            if (!(r instanceof Reply.Array arr)) {
                throw unexpected(r);
            }
            for (Reply item : arr.items()) {
                members.add(utf8(expectBulk(item)));
            }
            return retptr -> {
                GuestMemory.Slice s = m.allocateStringList(members);
                m.writeU8(retptr, 0);
                m.writeSlice(retptr + 4, s);
            };
        }));

        out.add(method(connections, "srem", 6, 16, 4, 4, setUpdate(connections, "SREM")));

        out.add(method(connections, "execute", 6, 16, 4, 4, (m, a, h) -> {
            String name = m.readString(i32(a, 1), i32(a, 2));
            List<byte[]> command = new ArrayList<>();
            command.add(bytes(name));
            command.addAll(readParameters(m, i32(a, 3), i32(a, 4)));
            List<Reply> flat = new ArrayList<>();
            flatten(h.execute(command), flat);
            return retptr -> {
                int array = m.allocateArray(RESULT_ALIGN, flat.size(), RESULT_SIZE);
                for (int i = 0; i < flat.size(); i++) {
                    writeResult(m, array + i * RESULT_SIZE, flat.get(i));
                }
                m.writeU8(retptr, 0);
                m.writeSlice(retptr + 4, new GuestMemory.Slice(array, flat.size()));
            };
        }));

        out.add(new HostImport(MODULE, "[resource-drop]connection", List.of(I32), List.of(), false, (m, a) -> {
            connections.drop(i32(a, 0));
            return null;
        }));
        return Collections.unmodifiableList(out);
    }

    // ---- argument readers ----

    /** {@code list<redis-parameter>}: int64 goes as decimal text (as Redis clients send integers). */
    private static List<byte[]> readParameters(GuestMemory m, int ptr, int len) {
        m.checkList(ptr, len, PARAM_SIZE, PARAM_ALIGN);
        List<byte[]> out = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
            int at = ptr + i * PARAM_SIZE;
            int disc = m.readU8(at);
            switch (disc) {
                case PARAM_INT64:
                    out.add(bytes(Long.toString(m.readI64(at + 8))));
                    break;
                case PARAM_BINARY:
                    out.add(m.readBytes(m.readI32(at + 8), m.readI32(at + 12)));
                    break;
                default:
                    throw new GuestTrapException("invalid redis-parameter discriminant " + disc);
            }
        }
        return out;
    }

    private static Op setUpdate(RedisConnections connections, String command) {
        return (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            List<String> values = m.readStringList(i32(a, 3), i32(a, 4));
            List<byte[]> cmd = new ArrayList<>(values.size() + 2);
            cmd.add(bytes(command));
            cmd.add(bytes(key));
            values.forEach(v -> cmd.add(bytes(v)));
            long n = expectInt(h.call(cmd));
            return retptr -> writeU32(m, retptr, n);
        };
    }

    // ---- reply interpretation ----

    /**
     * Flattens a reply the way Spin does: arrays (and nested arrays, e.g. an EXEC result)
     * contribute their elements in order; an error anywhere fails the whole call.
     */
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

    private static long expectInt(Reply r) {
        if (r instanceof Reply.Int i) {
            return i.value();
        }
        throw unexpected(r);
    }

    private static byte[] expectBulk(Reply r) {
        if (r instanceof Reply.Bulk b) {
            return b.bytes();
        }
        throw unexpected(r);
    }

    private static void expectStatus(Reply r) {
        if (!(r instanceof Reply.Status)) {
            throw unexpected(r);
        }
    }

    private static RedisError unexpected(Reply r) {
        if (r instanceof Reply.Error e) {
            return serverError(e);
        }
        return RedisError.typeError("unexpected reply " + r.getClass().getSimpleName().toLowerCase());
    }

    /** WRONGTYPE is {@code type-error}; every other server error is {@code other(message)}. */
    static RedisError serverError(Reply.Error e) {
        return e.isWrongType() ? RedisError.typeError(e.message()) : RedisError.other(e.message());
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            throw RedisError.typeError("set member is not valid UTF-8 (use execute SMEMBERS for binary members)");
        }
    }

    // ---- result writers ----

    private static void writeResult(GuestMemory m, int at, Reply r) {
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

    private static void writeU32(GuestMemory m, int retptr, long n) {
        m.writeU8(retptr, 0);
        m.writeI32(retptr + 4, (int) n);
    }

    /** Writes {@code err(error)} with the error variant at {@code errorAt}. */
    private static void writeError(GuestMemory m, int retptr, int errorAt, RedisError e) {
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

    // ---- plumbing ----

    /** Writes an ok result into the return area (allocations first, then the fields). */
    @FunctionalInterface
    private interface Writer {
        void write(int retptr);
    }

    @FunctionalInterface
    private interface Op {
        Writer run(GuestMemory m, long[] args, RedisConnections.Handle handle);
    }

    @FunctionalInterface
    private interface Body {
        void run(GuestMemory m, long[] args);
    }

    @FunctionalInterface
    private interface ErrorOffset {
        int of(int retptr);
    }

    /** A {@code [method]connection.<name>} import: self first, retptr last. */
    private static HostImport method(
            RedisConnections connections, String name, int paramCount, int retSize, int retAlign, int errorOffset, Op op) {
        return fn("[method]connection." + name, paramCount, (m, a) -> {
            int retptr = retArea(m, a, paramCount - 1, retSize, retAlign);
            RedisConnections.Handle h = connections.get(i32(a, 0));
            op.run(m, a, h).write(retptr);
        }, retptr -> retptr + errorOffset);
    }

    private static HostImport fn(String name, int paramCount, Body body, ErrorOffset errorAt) {
        List<ValType> params = Collections.nCopies(paramCount, I32);
        return new HostImport(MODULE, name, params, List.of(), true, (m, a) -> {
            try {
                body.run(m, a);
            } catch (RedisError e) {
                int retptr = i32(a, paramCount - 1);
                writeError(m, retptr, errorAt.of(retptr), e);
            }
            return null;
        });
    }

    private static int retArea(GuestMemory m, long[] a, int index, int size, int align) {
        int retptr = i32(a, index);
        m.checkReturnArea(retptr, size, align);
        return retptr;
    }

    private static int i32(long[] args, int i) {
        return (int) args[i];
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
