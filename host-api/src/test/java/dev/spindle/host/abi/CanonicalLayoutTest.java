package dev.spindle.host.abi;

import static com.dylibso.chicory.wasm.types.ValType.F32;
import static com.dylibso.chicory.wasm.types.ValType.F64;
import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;
import static dev.spindle.host.abi.Wit.BOOL;
import static dev.spindle.host.abi.Wit.BYTES;
import static dev.spindle.host.abi.Wit.CHAR;
import static dev.spindle.host.abi.Wit.S16;
import static dev.spindle.host.abi.Wit.S64;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.U16;
import static dev.spindle.host.abi.Wit.U32;
import static dev.spindle.host.abi.Wit.U64;
import static dev.spindle.host.abi.Wit.U8;
import static dev.spindle.host.abi.Wit.field;
import static dev.spindle.host.abi.Wit.list;
import static dev.spindle.host.abi.Wit.option;
import static dev.spindle.host.abi.Wit.result;
import static dev.spindle.host.abi.Wit.resultErr;
import static dev.spindle.host.abi.Wit.tuple;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.dylibso.chicory.wasm.types.ValType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Sizes, alignments, offsets and flattenings, each worked out by hand from the canonical ABI's
 * rules (elem_size, alignment, flatten_type; comments give the arithmetic), including every
 * layout Spin's interfaces and this project's extension use today.
 */
class CanonicalLayoutTest {

    static void layout(WitType<?> t, int size, int align, ValType... flat) {
        assertEquals(size, t.size(), t.wit() + " size");
        assertEquals(align, t.alignment(), t.wit() + " alignment");
        assertEquals(List.of(flat), t.flat(), t.wit() + " flat");
    }

    @Test
    void primitives() {
        layout(BOOL, 1, 1, I32);
        layout(U8, 1, 1, I32);
        layout(Wit.S8, 1, 1, I32);
        layout(U16, 2, 2, I32);
        layout(S16, 2, 2, I32);
        layout(U32, 4, 4, I32);
        layout(Wit.S32, 4, 4, I32);
        layout(U64, 8, 8, I64);
        layout(S64, 8, 8, I64);
        layout(Wit.F32, 4, 4, F32);
        layout(Wit.F64, 8, 8, F64);
        layout(CHAR, 4, 4, I32);
        layout(STRING, 8, 4, I32, I32);
    }

    @Test
    void listsArePointerAndLengthWhateverTheElement() {
        layout(BYTES, 8, 4, I32, I32);
        layout(list(U64), 8, 4, I32, I32);
        layout(list(list(STRING)), 8, 4, I32, I32);
        assertEquals("list<list<string>>", list(list(STRING)).wit());
        assertEquals("list<u8>", BYTES.wit());
    }

    @Test
    void recordFieldsAreAlignedAndTheSizeRoundedUp() {
        record Abc(int a, long b, int c) {}
        RecordType<Abc> abc = Wit.record("abc", field("a", U8, Abc::a), field("b", U32, Abc::b), field("c", U8, Abc::c), Abc::new);
        layout(abc, 12, 4, I32, I32, I32); // a@0, b@4, c@8, 9 rounded up to 12
        assertEquals(List.of(0, 4, 8), List.of(abc.offset(0), abc.offset(1), abc.offset(2)));

        record Ab(int a, long b) {}
        RecordType<Ab> ab = Wit.record("ab", field("a", U8, Ab::a), field("b", U64, Ab::b), Ab::new);
        layout(ab, 16, 8, I32, I64); // a@0, b@8

        record Short(int a, int b) {}
        layout(Wit.record("short", field("a", U16, Short::a), field("b", U8, Short::b), Short::new), 4, 2, I32, I32); // 3 -> 4
        assertEquals("record short { a: u16, b: u8 }",
                Wit.record("short", field("a", U16, Short::a), field("b", U8, Short::b), Short::new).definition());
    }

    @Test
    void tuplesAreRecordsWithPositionalFields() {
        RecordType<List<Object>> t = tuple(U8, U16, U32, U64);
        layout(t, 16, 8, I32, I32, I32, I64);
        assertEquals(List.of(0, 2, 4, 8), List.of(t.offset(0), t.offset(1), t.offset(2), t.offset(3)));
        layout(tuple(U8, U8, U8), 3, 1, I32, I32, I32);
        layout(tuple(STRING, STRING), 16, 4, I32, I32, I32, I32);
        assertEquals("tuple<string, string>", tuple(STRING, STRING).wit());
    }

    @Test
    void optionPayloadStartsAtTheDiscriminantRoundedUpToThePayloadAlignment() {
        layout(option(U8), 2, 1, I32, I32);
        layout(option(U64), 16, 8, I32, I64); // payload @8
        layout(option(STRING), 12, 4, I32, I32, I32); // payload @4
        assertEquals(8, option(U64).payloadOffset());
        assertEquals(4, option(STRING).payloadOffset());
    }

    @Test
    void resultsWithAndWithoutPayloads() {
        layout(result(), 1, 1, I32);
        layout(resultErr(STRING), 12, 4, I32, I32, I32);
        layout(Wit.resultOk(U32), 8, 4, I32, I32);
        assertEquals("result", result().wit());
        assertEquals("result<_, string>", resultErr(STRING).wit());
        assertEquals("result<u32>", Wit.resultOk(U32).wit());
        assertEquals("result<u8, u64>", result(U8, U64).wit());
    }

    @Test
    void variantSlotsJoinAcrossCases() {
        layout(result(U8, U64), 16, 8, I32, I64); // i32 with i64 -> i64
        layout(result(Wit.F32, U32), 8, 4, I32, I32); // f32 with i32 -> i32
        layout(result(Wit.F64, Wit.F32), 16, 8, I32, I64); // f64 with f32 -> i64
        layout(result(Wit.F32, Wit.F32), 8, 4, I32, F32); // same type stays
        // a(u8) -> [i32]; b(tuple<f32, f32>) -> [f32, f32]; joined [i32, f32]
        layout(result(U8, tuple(Wit.F32, Wit.F32)), 12, 4, I32, I32, F32);
        // int64(s64) -> [i64]; binary(list<u8>) -> [i32, i32]; joined [i64, i32]
        layout(result(S64, BYTES), 16, 8, I32, I64, I32);
    }

    sealed interface Many permits Many.Case {
        record Case(int i) implements Many {}
    }

    static VariantType<Many> unitVariant(int cases) {
        List<VariantType.Case<Many, ?>> list = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            int index = i;
            list.add(new VariantType.Case<Many, Void>("c" + i, null, v -> ((Many.Case) v).i() == index, x -> new Many.Case(index), v -> null));
        }
        return Wit.variant("many", list);
    }

    @Test
    void discriminantGrowsWithTheNumberOfCases() {
        layout(unitVariant(1), 1, 1, I32);
        layout(unitVariant(256), 1, 1, I32);
        layout(unitVariant(257), 2, 2, I32);
        layout(Wit.enumIndex("e", "a", "b", "c"), 1, 1, I32);
        String[] labels = new String[300];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = "l" + i;
        }
        layout(Wit.enumIndex("big", labels), 2, 2, I32);
    }

    @Test
    void flagsTakeOneTwoOrFourBytes() {
        layout(Wit.flags("f", labels(1)), 1, 1, I32);
        layout(Wit.flags("f", labels(8)), 1, 1, I32);
        layout(Wit.flags("f", labels(9)), 2, 2, I32);
        layout(Wit.flags("f", labels(16)), 2, 2, I32);
        layout(Wit.flags("f", labels(17)), 4, 4, I32);
        layout(Wit.flags("f", labels(32)), 4, 4, I32);
        assertThrows(IllegalArgumentException.class, () -> Wit.flags("f", labels(33)));
        assertThrows(IllegalArgumentException.class, () -> Wit.flags("f"));
    }

    private static String[] labels(int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = "f" + i;
        }
        return out;
    }

    @Test
    void handlesAreI32() {
        ResourceType<Object> r = ResourceType.of("thing", Object.class, x -> {});
        layout(Wit.own(r), 4, 4, I32);
        layout(Wit.borrow(r), 4, 4, I32);
        assertEquals("own<thing>", Wit.own(r).wit());
        assertEquals("borrow<thing>", Wit.borrow(r).wit());
    }

    // ---- the layouts Spin's interfaces use (regression: these were hand-counted before) ----

    enum ErrorKind { INVALID_ADDRESS, TOO_MANY_CONNECTIONS, TYPE_ERROR, OTHER }

    record Err(ErrorKind kind, String message) {}

    static final VariantType<Err> ERROR = Wit.variant("error",
            Wit.<Err>unitCase("invalid-address", e -> e.kind() == ErrorKind.INVALID_ADDRESS, () -> new Err(ErrorKind.INVALID_ADDRESS, null)),
            Wit.<Err>unitCase("too-many-connections", e -> e.kind() == ErrorKind.TOO_MANY_CONNECTIONS, () -> new Err(ErrorKind.TOO_MANY_CONNECTIONS, null)),
            Wit.<Err>unitCase("type-error", e -> e.kind() == ErrorKind.TYPE_ERROR, () -> new Err(ErrorKind.TYPE_ERROR, null)),
            Wit.<Err, String>valueCase("other", STRING, e -> e.kind() == ErrorKind.OTHER, m -> new Err(ErrorKind.OTHER, m), Err::message));

    @Test
    void spinRedisLayouts() {
        layout(ERROR, 12, 4, I32, I32, I32); // disc @0, other's string @4; flat: disc, ptr, len
        assertEquals(4, ERROR.payloadOffset());
        assertEquals("variant error { invalid-address, too-many-connections, type-error, other(string) }", ERROR.definition());
        ResourceType<Object> connection = ResourceType.of("connection", Object.class, x -> {});
        layout(result(Wit.own(connection), ERROR), 16, 4, I32, I32, I32, I32); // open: handle @4, error @4
        layout(resultErr(ERROR), 16, 4, I32, I32, I32, I32); // publish, set: error @4
        ResultType<Optional<byte[]>, Err> get = result(option(BYTES), ERROR);
        layout(get, 16, 4, I32, I32, I32, I32); // get: option disc @4, ptr @8, len @12
        assertEquals(4, get.payloadOffset());
        ResultType<Long, Err> incr = result(S64, ERROR);
        layout(incr, 24, 8, I32, I64, I32, I32); // incr: s64 @8, error @8
        assertEquals(8, incr.payloadOffset());
        layout(result(U32, ERROR), 16, 4, I32, I32, I32, I32); // del, sadd, srem
        layout(result(list(STRING), ERROR), 16, 4, I32, I32, I32, I32); // smembers: list @4
        layout(result(tuple(S64, BYTES), ERROR), 24, 8, I32, I64, I32, I32); // (no such function; a 3-slot join)
    }

    sealed interface P permits P.I, P.B {
        record I(long v) implements P {}
        record B(byte[] b) implements P {}
    }

    @Test
    void extendedRedisLayouts() {
        record Status(boolean allowed, long count, long remaining, long resetMs) {}
        RecordType<Status> status = Wit.record("rate-limit-status", field("allowed", BOOL, Status::allowed),
                field("count", U32, Status::count), field("remaining", U32, Status::remaining),
                field("reset-ms", U64, Status::resetMs), Status::new);
        layout(status, 24, 8, I32, I32, I32, I64);
        assertEquals(List.of(0, 4, 8, 16), List.of(status.offset(0), status.offset(1), status.offset(2), status.offset(3)));
        layout(result(status, ERROR), 32, 8, I32, I32, I32, I32, I64); // record @8
        layout(result(BOOL, ERROR), 16, 4, I32, I32, I32, I32); // has, expire: u8 @4
        layout(result(list(BYTES), ERROR), 16, 4, I32, I32, I32, I32);

        VariantType<P> parameter = Wit.variant("redis-parameter",
                Wit.<P, P.I, Long>valueCase("int64", S64, P.I.class, P.I::new, P.I::v),
                Wit.<P, P.B, byte[]>valueCase("binary", BYTES, P.B.class, P.B::new, P.B::b));
        layout(parameter, 16, 8, I32, I64, I32); // payload @8
        record Command(String name, List<P> arguments) {}
        layout(Wit.record("command", field("name", STRING, Command::name), field("arguments", list(parameter), Command::arguments),
                Command::new), 16, 4, I32, I32, I32, I32);
        layout(result(list(STRING), STRING), 12, 4, I32, I32, I32); // the shape of `reply`
    }

    @Test
    void triggerExportLayouts() {
        record Response(int status, Optional<List<java.util.Map.Entry<String, String>>> headers, Optional<byte[]> body) {}
        RecordType<Response> response = Wit.record("response", field("status", U16, Response::status),
                field("headers", option(list(tuple(STRING, STRING))), Response::headers),
                field("body", option(BYTES), Response::body), Response::new);
        layout(response, 28, 4, I32, I32, I32, I32, I32, I32, I32);
        assertEquals(List.of(0, 4, 16), List.of(response.offset(0), response.offset(1), response.offset(2)));
        layout(resultErr(Wit.enumIndex("error", "success", "error")), 2, 1, I32, I32); // inbound-redis: enum @1
    }
}
