package dev.spindle.redis;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.BYTES;
import static dev.spindle.host.abi.Wit.S64;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.list;
import static dev.spindle.host.abi.Wit.result;
import static dev.spindle.host.abi.Wit.resultErr;

import dev.spindle.host.HostMemoryExceededException;
import dev.spindle.host.abi.AbiOptions;
import dev.spindle.host.abi.EnumType;
import dev.spindle.host.abi.Result;
import dev.spindle.host.abi.VariantType;
import dev.spindle.host.abi.Wit;
import dev.spindle.host.abi.WitFunction;
import dev.spindle.host.abi.WitInterface;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Spin's Redis interface from before connection resources, where the address is the first
 * argument of every call:
 * <ul>
 *   <li>{@code outbound-redis} — wit-bindgen 0.2 (Spin 0.x/1.x SDKs, the JS SDK 0.x, the Go SDK);
 *   <li>{@code fermyon:spin/redis} — unversioned Component Model name (Rust SDK 1.4/1.5, JS SDK 1.x).
 * </ul>
 * Same WIT, same layouts, one implementation: {@code publish}, {@code get}, {@code set},
 * {@code incr}, {@code del}, {@code sadd}, {@code smembers}, {@code srem}, {@code execute}. The
 * error is a one-byte enum {@code success | error}, and {@code del}, {@code sadd} and {@code srem}
 * return {@code s64}.
 *
 * <p>Every call opens the address through the instance's {@link RedisConnections} — so it is
 * parsed once and checked against {@code allowed_outbound_hosts} on every call, and the
 * connection comes from (and goes back to) the app's pools — runs its command, and closes the
 * handle. Semantics are Spin 3's for these interfaces: {@code get} of an absent key is an empty
 * payload; {@code execute} flattens the reply as {@code fermyon:spin/redis@2.0.0} does (nil and
 * status results included; Spin 1.x dropped them) and refuses the same commands. Any failure is
 * {@code err(error)}, with one log line saying why, since the guest cannot see it.
 */
final class LegacyRedisInterface {
    private LegacyRedisInterface() {}

    static final String LEGACY_MODULE = "outbound-redis";
    static final String UNVERSIONED_MODULE = "fermyon:spin/redis";

    /** {@code enum error { success, error }}: a failed call is always case 1. */
    static final EnumType<Integer> ERROR = Wit.enumIndex("error", "success", "error");
    private static final int FAILED = 1;


    /** {@code variant redis-result { nil, status(string), int64(s64), binary(payload) }}, as the wire's {@link Reply}. */
    static final VariantType<Reply> RESULT = Wit.variant("redis-result",
            Wit.<Reply, Reply.Nil>unitCase("nil", Reply.Nil.class, () -> Reply.NIL),
            Wit.<Reply, Reply.Status, String>valueCase("status", STRING, Reply.Status.class, Reply.Status::new, Reply.Status::text),
            Wit.<Reply, Reply.Int, Long>valueCase("int64", S64, Reply.Int.class, Reply.Int::new, Reply.Int::value),
            Wit.<Reply, Reply.Bulk, byte[]>valueCase("binary", BYTES, Reply.Bulk.class, Reply.Bulk::new, Reply.Bulk::bytes));

    /**
     * Every call runs inside this: a {@link RedisError} (refused address, unreachable server,
     * server error) becomes {@code err(error)} and one log line; traps pass through.
     */
    private static Object call(RedisConnections connections, WitFunction function, Supplier<Object> call) {
        try {
            return call.get();
        } catch (RedisError | HostMemoryExceededException e) {
            connections.logFailure("redis " + function.name() + " failed: " + e.getMessage());
            return Result.err(FAILED);
        }
    }

    /** Opens {@code address} for one command and gives the connection back afterwards. */
    private static <T> T on(RedisConnections connections, String address, Function<RedisConnections.Handle, T> command) {
        return connections.forOneCall(address, command);
    }

    private static Result<Long, Integer> count(RedisConnections c, String address, List<byte[]> command) {
        return Result.ok(RedisLowering.expectInt(on(c, address, h -> h.call(command))));
    }

    private static List<byte[]> command(String name, String key, List<String> values) {
        List<byte[]> out = new ArrayList<>(values.size() + 2);
        out.add(bytes(name));
        if (key != null) {
            out.add(bytes(key));
        }
        values.forEach(v -> out.add(bytes(v)));
        return out;
    }

    static WitInterface<RedisConnections> declare(String module, AbiOptions options) {
        return WitInterface.<RedisConnections>builder(module, options)
                .intercept(LegacyRedisInterface::call)
                .func("publish", param("address", STRING), param("channel", STRING), param("payload", BYTES), resultErr(ERROR),
                        (c, address, channel, payload) -> {
                            RedisLowering.expectInt(on(c, address, h -> h.call(List.of(bytes("PUBLISH"), bytes(channel), payload))));
                            return Result.ok();
                        })
                .func("get", param("address", STRING), param("key", STRING), result(BYTES, ERROR),
                        (c, address, key) -> {
                            Reply r = on(c, address, h -> h.call(List.of(bytes("GET"), bytes(key))));
                            return Result.ok(r instanceof Reply.Nil ? new byte[0] : RedisLowering.expectBulk(r));
                        })
                .func("set", param("address", STRING), param("key", STRING), param("value", BYTES), resultErr(ERROR),
                        (c, address, key, value) -> {
                            RedisLowering.expectStatus(on(c, address, h -> h.call(List.of(bytes("SET"), bytes(key), value))));
                            return Result.ok();
                        })
                .func("incr", param("address", STRING), param("key", STRING), result(S64, ERROR),
                        (c, address, key) -> count(c, address, List.of(bytes("INCRBY"), bytes(key), bytes("1"))))
                .func("del", param("address", STRING), param("keys", list(STRING)), result(S64, ERROR),
                        (c, address, keys) -> count(c, address, command("DEL", null, keys)))
                .func("sadd", param("address", STRING), param("key", STRING), param("values", list(STRING)), result(S64, ERROR),
                        (c, address, key, values) -> count(c, address, command("SADD", key, values)))
                .func("smembers", param("address", STRING), param("key", STRING), result(list(STRING), ERROR),
                        (c, address, key) -> {
                            Reply r = on(c, address, h -> h.call(List.of(bytes("SMEMBERS"), bytes(key))));
                            if (!(r instanceof Reply.Array members)) {
                                throw RedisLowering.unexpected(r);
                            }
                            List<String> out = new ArrayList<>(members.items().size());
                            for (Reply m : members.items()) {
                                out.add(utf8(RedisLowering.expectBulk(m)));
                            }
                            return Result.ok(out);
                        })
                .func("srem", param("address", STRING), param("key", STRING), param("values", list(STRING)), result(S64, ERROR),
                        (c, address, key, values) -> count(c, address, command("SREM", key, values)))
                .func("execute", param("address", STRING), param("command", STRING), param("arguments", RedisLowering.ARGUMENTS),
                        result(list(RESULT), ERROR),
                        (c, address, name, arguments) -> {
                            List<byte[]> command = new ArrayList<>(arguments.size() + 1);
                            command.add(bytes(name));
                            command.addAll(arguments);
                            return Result.ok(RedisLowering.flatten(on(c, address, h -> h.execute(command))));
                        })
                .build();
    }

    static final WitInterface<RedisConnections> LEGACY = declare(LEGACY_MODULE, AbiOptions.WIT_BINDGEN_0_2);
    static final WitInterface<RedisConnections> UNVERSIONED = declare(UNVERSIONED_MODULE, AbiOptions.CANONICAL);

    private static String utf8(byte[] b) {
        return RedisLowering.strictUtf8(b).orElseThrow(() -> RedisError.typeError("set member is not valid UTF-8"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
