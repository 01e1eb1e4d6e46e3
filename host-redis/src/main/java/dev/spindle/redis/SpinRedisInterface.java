package dev.spindle.redis;

import static com.dylibso.chicory.wasm.types.ValType.I32;
import static dev.spindle.redis.RedisLowering.allocateResults;
import static dev.spindle.redis.RedisLowering.bytes;
import static dev.spindle.redis.RedisLowering.connectionOp;
import static dev.spindle.redis.RedisLowering.expectBulk;
import static dev.spindle.redis.RedisLowering.expectInt;
import static dev.spindle.redis.RedisLowering.expectStatus;
import static dev.spindle.redis.RedisLowering.flatten;
import static dev.spindle.redis.RedisLowering.fn;
import static dev.spindle.redis.RedisLowering.i32;
import static dev.spindle.redis.RedisLowering.readParameters;
import static dev.spindle.redis.RedisLowering.okOptionalPayload;
import static dev.spindle.redis.RedisLowering.okS64;
import static dev.spindle.redis.RedisLowering.okU32;
import static dev.spindle.redis.RedisLowering.retArea;
import static dev.spindle.redis.RedisLowering.unexpected;

import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.HostImport;
import dev.spindle.redis.RedisLowering.Op;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code fermyon:spin/redis@2.0.0}: the eleven imports, lowered as in {@code guest-abi.md}, over
 * one instance's {@link RedisConnections}. Layouts and the import shape shared with
 * {@link ExtendedRedisInterface} are in {@link RedisLowering}.
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

    static List<HostImport> imports(RedisConnections connections) {
        List<HostImport> out = new ArrayList<>();

        out.add(fn(MODULE, "[static]connection.open", i32s(3), (m, a) -> {
            int retptr = retArea(m, a, 2, 16, 4);
            String address = m.readString(i32(a, 0), i32(a, 1));
            int handle = connections.open(address);
            m.writeU8(retptr, 0);
            m.writeI32(retptr + 4, handle);
        }, 4));

        out.add(method(connections, "publish", 6, 16, 4, 4, (m, a, h) -> {
            String channel = m.readString(i32(a, 1), i32(a, 2));
            byte[] payload = m.readBytes(i32(a, 3), i32(a, 4));
            expectInt(h.call(List.of(bytes("PUBLISH"), bytes(channel), payload)));
            return retptr -> m.writeU8(retptr, 0);
        }));

        out.add(method(connections, "get", 4, 16, 4, 4, (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            return okOptionalPayload(m, h.call(List.of(bytes("GET"), bytes(key))));
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
            return okS64(m, expectInt(h.call(List.of(bytes("INCRBY"), bytes(key), bytes("1")))));
        }));

        out.add(method(connections, "del", 4, 16, 4, 4, (m, a, h) -> {
            List<String> keys = m.readStringList(i32(a, 1), i32(a, 2));
            List<byte[]> command = new ArrayList<>(keys.size() + 1);
            command.add(bytes("DEL"));
            keys.forEach(k -> command.add(bytes(k)));
            return okU32(m, expectInt(h.call(command)));
        }));

        out.add(method(connections, "sadd", 6, 16, 4, 4, setUpdate("SADD")));

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

        out.add(method(connections, "srem", 6, 16, 4, 4, setUpdate("SREM")));

        out.add(method(connections, "execute", 6, 16, 4, 4, (m, a, h) -> {
            String name = m.readString(i32(a, 1), i32(a, 2));
            List<byte[]> command = new ArrayList<>();
            command.add(bytes(name));
            command.addAll(readParameters(m, i32(a, 3), i32(a, 4)));
            List<Reply> flat = flatten(h.execute(command));
            return retptr -> {
                GuestMemory.Slice results = allocateResults(m, flat);
                m.writeU8(retptr, 0);
                m.writeSlice(retptr + 4, results);
            };
        }));

        out.add(new HostImport(MODULE, "[resource-drop]connection", List.of(I32), List.of(), false, (m, a) -> {
            connections.drop(i32(a, 0));
            return null;
        }));
        return Collections.unmodifiableList(out);
    }

    private static Op setUpdate(String command) {
        return (m, a, h) -> {
            String key = m.readString(i32(a, 1), i32(a, 2));
            List<String> values = m.readStringList(i32(a, 3), i32(a, 4));
            List<byte[]> cmd = new ArrayList<>(values.size() + 2);
            cmd.add(bytes(command));
            cmd.add(bytes(key));
            values.forEach(v -> cmd.add(bytes(v)));
            return okU32(m, expectInt(h.call(cmd)));
        };
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

    /** A {@code [method]connection.<name>} import: self first, retptr last, all i32. */
    private static HostImport method(
            RedisConnections connections, String name, int paramCount, int retSize, int retAlign, int errorOffset, Op op) {
        return connectionOp(MODULE, "[method]connection." + name, i32s(paramCount), retSize, retAlign, errorOffset, connections, op);
    }

    private static List<ValType> i32s(int n) {
        return Collections.nCopies(n, I32);
    }
}
