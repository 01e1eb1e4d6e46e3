package dev.spindle.redis;

import static dev.spindle.host.abi.Wit.BYTES;
import static dev.spindle.host.abi.Wit.S64;
import static dev.spindle.host.abi.Wit.STRING;

import dev.spindle.host.HostMemoryExceededException;
import dev.spindle.host.abi.Result;
import dev.spindle.host.abi.VariantType;
import dev.spindle.host.abi.Wit;
import dev.spindle.host.abi.WitFunction;
import dev.spindle.host.abi.WitInterface;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the Redis interfaces share: the WIT types of {@code fermyon:spin/redis@2.0.0} that
 * {@code spindle:redis/extended@0.1.0} uses too ({@code error}, {@code payload},
 * {@code redis-parameter}, {@code redis-result}), the one wrapper every Redis call runs in, and
 * reply interpretation. Layouts are the declarations' (see docs/guest-abi.md); none is counted here.
 */
final class RedisLowering {
    private RedisLowering() {}

    // ---- types ----

    /** {@code type payload = list<u8>}. */
    static final dev.spindle.host.abi.WitType<byte[]> PAYLOAD = BYTES;

    /**
     * {@code variant error { invalid-address, too-many-connections, type-error, other(string) }}, as
     * the {@link RedisError} the capability throws; only {@code other} carries its message to the guest.
     */
    static final VariantType<RedisError> ERROR = Wit.variant("error",
            Wit.<RedisError>unitCase("invalid-address", e -> e.kind() == RedisError.Kind.INVALID_ADDRESS,
                    () -> RedisError.invalidAddress("invalid address")),
            Wit.<RedisError>unitCase("too-many-connections", e -> e.kind() == RedisError.Kind.TOO_MANY_CONNECTIONS,
                    () -> RedisError.tooManyConnections("too many connections")),
            Wit.<RedisError>unitCase("type-error", e -> e.kind() == RedisError.Kind.TYPE_ERROR,
                    () -> RedisError.typeError("type error")),
            Wit.<RedisError, String>valueCase("other", STRING, e -> true, RedisError::other, e -> String.valueOf(e.getMessage())));

    /**
     * A value of {@code variant redis-parameter { int64(s64), binary(payload) }} lifted straight to
     * the argument as Redis receives it: int64 as decimal text (as Redis clients send integers),
     * binary as its bytes. Only guests pass it (the host never lowers one: a byte[] would be binary).
     */
    static final VariantType<byte[]> ARGUMENT = Wit.variant("redis-parameter",
            Wit.<byte[], Long>valueCase("int64", S64, v -> false, n -> bytes(Long.toString(n)), v -> 0L),
            Wit.<byte[], byte[]>valueCase("binary", PAYLOAD, v -> true, b -> b, v -> v));

    /** {@code variant redis-result { nil, status(string), int64(s64), binary(payload) }}, as the wire's {@link Reply}. */
    static final VariantType<Reply> RESULT = Wit.variant("redis-result",
            Wit.<Reply, Reply.Nil>unitCase("nil", Reply.Nil.class, () -> Reply.NIL),
            Wit.<Reply, Reply.Status, String>valueCase("status", STRING, Reply.Status.class, Reply.Status::new, Reply.Status::text),
            Wit.<Reply, Reply.Int, Long>valueCase("int64", S64, Reply.Int.class, Reply.Int::new, Reply.Int::value),
            Wit.<Reply, Reply.Bulk, byte[]>valueCase("binary", PAYLOAD, Reply.Bulk.class, Reply.Bulk::new, Reply.Bulk::bytes));

    /** {@code list<redis-parameter>}, as {@code execute}'s arguments are charged to the host-memory budget. */
    static final String ARGUMENTS_CHARGE = "a redis command's arguments";

    static final dev.spindle.host.abi.ListType<byte[]> ARGUMENTS = Wit.list(ARGUMENT).chargedAs(ARGUMENTS_CHARGE);

    // ---- the one wrapper ----

    /**
     * Every Redis call runs inside this (and inside the engine's host-call wrapper, which enforces
     * the invocation's deadline and host-memory account): a {@link RedisError} thrown while the
     * arguments are read or the command runs, and a host-memory budget refusal, become the
     * function's {@code err(error)} value (every Redis function returns {@code result<_, error>});
     * traps and timeouts pass through.
     */
    static Object call(RedisConnections connections, WitFunction function, Supplier<Object> call) {
        try {
            return call.get();
        } catch (RedisError e) {
            return Result.err(e);
        } catch (HostMemoryExceededException e) {
            // Over the host-memory budget: a value, before anything was allocated or sent.
            return Result.err(RedisError.other(e.getMessage()));
        }
    }

    static <S extends RedisConnections> WitInterface.Interceptor<S> interceptor() {
        return RedisLowering::call;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
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

    /**
     * {@code bytes} as UTF-8, or empty when they are not valid UTF-8: for replies whose WIT type is
     * {@code string} (set members, key names), which must never be decoded lossily.
     */
    static Optional<String> strictUtf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
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

    // ---- ok values ----

    static final long U32_MAX = 0xFFFF_FFFFL;

    /** A {@code u32} count; one Redis reports beyond u32 is an error, not a wrap. */
    static Result<Long, RedisError> okU32(long value) {
        if (value < 0 || value > U32_MAX) {
            throw RedisError.other("result " + value + " does not fit a u32");
        }
        return Result.ok(value);
    }

    /** {@code option<payload>} from a bulk-or-nil reply. */
    static Result<java.util.Optional<byte[]>, RedisError> okOptionalPayload(Reply r) {
        if (r instanceof Reply.Nil) {
            return Result.ok(java.util.Optional.empty());
        }
        return Result.ok(java.util.Optional.of(expectBulk(r)));
    }
}
