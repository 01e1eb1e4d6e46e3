package dev.spindle.redis;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.S64;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.U32;
import static dev.spindle.host.abi.Wit.borrow;
import static dev.spindle.host.abi.Wit.list;
import static dev.spindle.host.abi.Wit.option;
import static dev.spindle.host.abi.Wit.own;
import static dev.spindle.host.abi.Wit.result;
import static dev.spindle.host.abi.Wit.resultErr;
import static dev.spindle.redis.RedisConnections.CONNECTION;
import static dev.spindle.redis.RedisLowering.ERROR;
import static dev.spindle.redis.RedisLowering.ARGUMENTS;
import static dev.spindle.redis.RedisLowering.PAYLOAD;
import static dev.spindle.redis.RedisLowering.RESULT;
import static dev.spindle.redis.RedisLowering.bytes;
import static dev.spindle.redis.RedisLowering.expectBulk;
import static dev.spindle.redis.RedisLowering.expectInt;
import static dev.spindle.redis.RedisLowering.expectStatus;
import static dev.spindle.redis.RedisLowering.flatten;
import static dev.spindle.redis.RedisLowering.okOptionalPayload;
import static dev.spindle.redis.RedisLowering.okU32;
import static dev.spindle.redis.RedisLowering.unexpected;

import dev.spindle.host.abi.Param;
import dev.spindle.host.abi.Result;
import dev.spindle.host.abi.WitInterface;
import dev.spindle.redis.RedisConnections.Handle;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code fermyon:spin/redis@2.0.0}, declared once ({@link #INTERFACE}) over one instance's
 * {@link RedisConnections}; the connection handles live in the instance's shared resource table.
 *
 * <p>A call checks its return area (a bad {@code retptr} traps before any I/O), reads its
 * arguments (a bad pointer, invalid UTF-8 or an unknown handle traps), runs the Redis command
 * and returns {@code ok} or {@code err(error)}. Errors a guest can get:
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

    private static final Param<Handle> SELF = param("self", borrow(CONNECTION));

    static final WitInterface<RedisConnections> INTERFACE = WitInterface.<RedisConnections>builder(MODULE)
            .intercept(RedisLowering.interceptor())
            .func("[static]connection.open", param("address", STRING), result(own(CONNECTION), ERROR),
                    (c, address) -> Result.ok(c.open(address)))
            .func("[method]connection.publish", SELF, param("channel", STRING), param("payload", PAYLOAD), resultErr(ERROR),
                    (c, h, channel, payload) -> {
                        expectInt(h.call(List.of(bytes("PUBLISH"), bytes(channel), payload)));
                        return Result.ok();
                    })
            .func("[method]connection.get", SELF, param("key", STRING), result(option(PAYLOAD), ERROR),
                    (c, h, key) -> okOptionalPayload(h.call(List.of(bytes("GET"), bytes(key)))))
            .func("[method]connection.set", SELF, param("key", STRING), param("value", PAYLOAD), resultErr(ERROR),
                    (c, h, key, value) -> {
                        expectStatus(h.call(List.of(bytes("SET"), bytes(key), value)));
                        return Result.ok();
                    })
            // INCRBY key 1, as Spin sends it; a non-integer value is a server error, value unchanged.
            .func("[method]connection.incr", SELF, param("key", STRING), result(S64, ERROR),
                    (c, h, key) -> Result.ok(expectInt(h.call(List.of(bytes("INCRBY"), bytes(key), bytes("1"))))))
            .func("[method]connection.del", SELF, param("keys", list(STRING)), result(U32, ERROR),
                    (c, h, keys) -> okU32(expectInt(h.call(command("DEL", null, keys)))))
            .func("[method]connection.sadd", SELF, param("key", STRING), param("values", list(STRING)), result(U32, ERROR),
                    (c, h, key, values) -> okU32(expectInt(h.call(command("SADD", key, values)))))
            .func("[method]connection.smembers", SELF, param("key", STRING), result(list(STRING), ERROR),
                    (c, h, key) -> Result.ok(members(h.call(List.of(bytes("SMEMBERS"), bytes(key))))))
            .func("[method]connection.srem", SELF, param("key", STRING), param("values", list(STRING)), result(U32, ERROR),
                    (c, h, key, values) -> okU32(expectInt(h.call(command("SREM", key, values)))))
            .func("[method]connection.execute", SELF, param("command", STRING), param("arguments", ARGUMENTS),
                    result(list(RESULT), ERROR), (c, h, name, args) -> {
                        List<byte[]> command = new ArrayList<>(args.size() + 1);
                        command.add(bytes(name));
                        command.addAll(args);
                        return Result.ok(flatten(h.execute(command)));
                    })
            .resource(CONNECTION)
            .build();

    /** {@code name [key] items...}. */
    private static List<byte[]> command(String name, String key, List<String> items) {
        List<byte[]> cmd = new ArrayList<>(items.size() + 2);
        cmd.add(bytes(name));
        if (key != null) {
            cmd.add(bytes(key));
        }
        items.forEach(i -> cmd.add(bytes(i)));
        return cmd;
    }

    private static List<String> members(Reply r) {
        if (!(r instanceof Reply.Array arr)) {
            throw unexpected(r);
        }
        List<String> members = new ArrayList<>(arr.items().size());
        for (Reply item : arr.items()) {
            members.add(utf8(expectBulk(item)));
        }
        return members;
    }

    private static String utf8(byte[] b) {
        return RedisLowering.strictUtf8(b)
                .orElseThrow(() -> RedisError.typeError("set member is not valid UTF-8 (use execute SMEMBERS for binary members)"));
    }
}
