package dev.spindle.host.abi;

import static dev.spindle.host.abi.Wit.BOOL;
import static dev.spindle.host.abi.Wit.BYTES;
import static dev.spindle.host.abi.Wit.CHAR;
import static dev.spindle.host.abi.Wit.F32;
import static dev.spindle.host.abi.Wit.F64;
import static dev.spindle.host.abi.Wit.S16;
import static dev.spindle.host.abi.Wit.S32;
import static dev.spindle.host.abi.Wit.S64;
import static dev.spindle.host.abi.Wit.S8;
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
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Memory;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostCalls;
import dev.spindle.host.HostMemoryBudget;
import dev.spindle.host.HostMemoryExceededException;
import dev.spindle.host.InvocationContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Values lifted from and lowered into a real guest's memory: round trips in memory and flat, the
 * exact bytes of stored values (read back with plain memory reads, not the layer under test), and
 * every ABI violation lifting must trap on.
 */
class LiftLowerTest {
    final AbiGuest g = new AbiGuest();
    final Memory mem = g.memory();

    /** A scratch area below the heap, prefilled with 0xAA so untouched padding shows. */
    int area(int size) {
        int at = 1024;
        byte[] fill = new byte[size];
        Arrays.fill(fill, (byte) 0xAA);
        mem.write(at, fill);
        return at;
    }

    <T> T viaMemory(WitType<T> t, T value) {
        int at = area(t.size() + 8) ;
        at = WitType.alignTo(at, t.alignment());
        t.store(g.cx, at, value);
        return t.load(g.cx, at);
    }

    <T> T viaFlat(WitType<T> t, T value) {
        long[] core = new long[t.flatCount()];
        t.lowerFlat(g.cx, value, core, 0);
        return t.liftFlat(g.cx, core, 0);
    }

    <T> void roundTrip(WitType<T> t, T value) {
        assertEquals(value, viaMemory(t, value), t.wit() + " via memory");
        assertEquals(value, viaFlat(t, value), t.wit() + " via flat");
    }

    @Test
    void primitivesRoundTrip() {
        roundTrip(BOOL, true);
        roundTrip(BOOL, false);
        roundTrip(U8, 255);
        roundTrip(S8, -128);
        roundTrip(U16, 65535);
        roundTrip(S16, -32768);
        roundTrip(U32, 0xFFFF_FFFFL);
        roundTrip(S32, Integer.MIN_VALUE);
        roundTrip(U64, -1L); // 2^64 - 1
        roundTrip(S64, Long.MIN_VALUE);
        roundTrip(F32, -1.5f);
        roundTrip(F64, Math.PI);
        roundTrip(CHAR, 0x1F600);
        assertTrue(Float.isNaN(viaFlat(F32, Float.intBitsToFloat(0x7fc0_0001))));
        assertThrows(IllegalArgumentException.class, () -> viaFlat(U8, 256), "out-of-range values are host bugs");
        assertThrows(IllegalArgumentException.class, () -> viaFlat(U32, -1L));
    }

    @Test
    void flatIntegersTruncateAndSignExtendAsTheCanonicalAbiSays() {
        assertEquals(0x34, U8.liftFlat(g.cx, new long[] {0x1234}, 0));
        assertEquals(-1, S8.liftFlat(g.cx, new long[] {0xFF}, 0));
        assertEquals(0xFFFF_FFFFL, U32.liftFlat(g.cx, new long[] {-1}, 0));
        assertEquals(true, BOOL.liftFlat(g.cx, new long[] {2}, 0), "any nonzero i32 is true");
        long[] core = new long[1];
        S32.lowerFlat(g.cx, -1, core, 0);
        assertEquals(0xFFFF_FFFFL, core[0], "i32 values travel zero-extended");
    }

    @Test
    void stringsAndBytesRoundTrip() {
        roundTrip(STRING, "");
        roundTrip(STRING, "hello");
        roundTrip(STRING, "grüße 👋");
        // ASCII is written char by char in chunks of 256; anything else is encoded as UTF-8
        // (U+0141 and U+0100 have ASCII low bytes, 'A' and NUL: they must not be taken for ASCII).
        roundTrip(STRING, "x".repeat(600) + "/end");
        roundTrip(STRING, "\u0141\u0100 é");
        roundTrip(STRING, "a".repeat(300) + "\u0141");
        assertArrayEquals("raw\0bytes".getBytes(StandardCharsets.UTF_8), viaMemory(BYTES, "raw\0bytes".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals(new byte[0], viaFlat(BYTES, new byte[0]));
    }

    @Test
    void compoundTypesRoundTrip() {
        roundTrip(list(STRING), List.of("a", "bc", ""));
        roundTrip(list(U64), List.of(1L, -1L, 42L));
        roundTrip(list(list(U8)), List.of(List.of(1, 2), List.of()));
        roundTrip(option(U64), Optional.of(7L));
        roundTrip(option(U64), Optional.empty());
        roundTrip(option(option(STRING)), Optional.of(Optional.empty()));
        roundTrip(result(S64, STRING), Result.ok(5L));
        roundTrip(result(S64, STRING), Result.err("nope"));
        roundTrip(result(), Result.ok());
        roundTrip(result(), Result.err());
        roundTrip(resultErr(STRING), Result.ok());
        roundTrip(tuple(STRING, STRING), Map.entry("k", "v"));
        roundTrip(list(tuple(STRING, U8)), List.of(Map.entry("x", 1), Map.entry("y", 2)));
        roundTrip(tuple(U8, STRING, F64), List.of(1, "two", 3.0));
        roundTrip(Wit.flags("perm", "read", "write", "exec"), 0b101);
        assertEquals(0b001, viaFlat(Wit.flags("perm", "read", "write", "exec"), 0b1001), "bits past the last label are dropped");
    }

    record Point(int x, long y, String label) {}

    static final RecordType<Point> POINT = Wit.record("point", field("x", U8, Point::x), field("y", S64, Point::y),
            field("label", STRING, Point::label), Point::new);

    sealed interface Shape permits Shape.Circle, Shape.Square, Shape.Empty {
        record Circle(double radius) implements Shape {}
        record Square(long side) implements Shape {}
        record Empty() implements Shape {}
    }

    static final VariantType<Shape> SHAPE = Wit.variant("shape",
            Wit.<Shape, Shape.Circle, Double>valueCase("circle", F64, Shape.Circle.class, Shape.Circle::new, Shape.Circle::radius),
            Wit.<Shape, Shape.Square, Long>valueCase("square", U32, Shape.Square.class, Shape.Square::new, Shape.Square::side),
            Wit.<Shape, Shape.Empty>unitCase("empty", Shape.Empty.class, Shape.Empty::new));

    enum Method { GET, POST, PUT_ALL }

    @Test
    void recordsVariantsAndEnumsMapToJavaTypes() {
        roundTrip(POINT, new Point(200, -5, "p"));
        roundTrip(list(POINT), List.of(new Point(1, 2, "a"), new Point(3, 4, "b")));
        roundTrip(SHAPE, new Shape.Circle(2.5));
        roundTrip(SHAPE, new Shape.Square(9));
        roundTrip(SHAPE, new Shape.Empty());
        EnumType<Method> method = Wit.enumOf("method", Method.class);
        assertEquals(List.of("get", "post", "put-all"), method.labels());
        roundTrip(method, Method.PUT_ALL);
        roundTrip(Wit.enumIndex("e", "a", "b"), 1);
    }

    @Test
    void storedBytesAreExactlyTheCanonicalLayoutAndPaddingIsUntouched() {
        ResultType<Optional<byte[]>, String> type = result(option(BYTES), STRING);
        int at = area(16);
        type.store(g.cx, at, Result.ok(Optional.of(new byte[] {9, 8, 7})));
        assertEquals(0, mem.read(at) & 0xFF, "ok");
        assertEquals(0xAA, mem.read(at + 1) & 0xFF, "padding untouched");
        assertEquals(1, mem.read(at + 4) & 0xFF, "some");
        int ptr = mem.readInt(at + 8);
        assertEquals(3, mem.readInt(at + 12));
        assertArrayEquals(new byte[] {9, 8, 7}, mem.readBytes(ptr, 3));

        at = area(24);
        result(S64, STRING).store(g.cx, at, Result.err("bad"));
        assertEquals(1, mem.read(at) & 0xFF);
        assertEquals("bad", mem.readString(mem.readInt(at + 8), mem.readInt(at + 12)), "err payload @8 (s64 aligns it)");

        at = area(24);
        POINT.store(g.cx, at, new Point(7, 0x0102030405060708L, "xy"));
        assertEquals(7, mem.read(at));
        assertEquals(0x0102030405060708L, mem.readLong(at + 8));
        assertEquals("xy", mem.readString(mem.readInt(at + 16), mem.readInt(at + 20)));
    }

    @Test
    void flatVariantsZeroUnusedSlotsAndJoinPayloads() {
        ResultType<Long, String> t = result(S64, STRING); // [i32, i64, i32]
        long[] core = {-1, -1, -1};
        t.lowerFlat(g.cx, Result.ok(3L), core, 0);
        assertArrayEquals(new long[] {0, 3, 0}, core);
        t.lowerFlat(g.cx, Result.err(""), core, 0);
        assertEquals(1, core[0]);
        assertEquals(0, core[2], "the empty string's length");
        ResultType<Float, Long> f = result(F32, S64); // f32 in an i64 slot: its bits, zero-extended
        f.lowerFlat(g.cx, Result.ok(-2.0f), core, 0);
        assertEquals(Integer.toUnsignedLong(Float.floatToIntBits(-2.0f)), core[1]);
        assertEquals(Result.ok(-2.0f), f.liftFlat(g.cx, core, 0));
    }

    @Test
    void listsAreAllocatedAlignedThroughTheGuestsRealloc() {
        int before = g.heapTop();
        long[] core = new long[2];
        list(U64).lowerFlat(g.cx, List.of(1L, 2L), core, 0);
        assertEquals(0, core[0] % 8, "list<u64> is 8-aligned");
        assertTrue(core[0] >= before, "allocated from the guest's heap");
        assertEquals(2, core[1]);
        int top = g.heapTop();
        STRING.lowerFlat(g.cx, "", core, 0);
        list(U64).lowerFlat(g.cx, List.of(), core, 0);
        assertEquals(top, g.heapTop(), "empty strings and lists do not call realloc");
    }

    // ---- ABI violations trap ----

    static void traps(Runnable r) {
        assertThrows(GuestTrapException.class, r::run);
    }

    @Test
    void invalidUtf8Traps() {
        mem.write(2000, new byte[] {(byte) 0xC3, (byte) 0x28});
        traps(() -> STRING.liftFlat(g.cx, new long[] {2000, 2}, 0));
        mem.write(2000, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}); // an encoded surrogate
        traps(() -> STRING.liftFlat(g.cx, new long[] {2000, 3}, 0));
    }

    @Test
    void outOfBoundsAndMisalignedPointersTrap() {
        int size = mem.pages() * 65536;
        traps(() -> STRING.liftFlat(g.cx, new long[] {size - 2, 4}, 0));
        traps(() -> BYTES.liftFlat(g.cx, new long[] {-1, 2}, 0)); // 0xFFFFFFFF as u32
        traps(() -> list(U64).liftFlat(g.cx, new long[] {1028, 1}, 0)); // 4-aligned, needs 8
        traps(() -> list(STRING).liftFlat(g.cx, new long[] {1026, 0}, 0)); // even empty lists are checked
        traps(() -> list(U32).liftFlat(g.cx, new long[] {size - 4, 2}, 0));
        traps(() -> BYTES.liftFlat(g.cx, new long[] {0, 1 << 28}, 0)); // past the canonical ABI's length limit
        mem.writeI32(3000, size); // a string field pointing past memory
        mem.writeI32(3004, 1);
        traps(() -> STRING.load(g.cx, 3000));
    }

    @Test
    void outOfRangeDiscriminantsAndCharsTrap() {
        traps(() -> option(U8).liftFlat(g.cx, new long[] {2, 0}, 0));
        traps(() -> result(U8, U8).liftFlat(g.cx, new long[] {2, 0}, 0));
        traps(() -> SHAPE.liftFlat(g.cx, new long[] {3, 0}, 0));
        traps(() -> Wit.enumIndex("e", "a", "b").liftFlat(g.cx, new long[] {2}, 0));
        mem.write(3000, new byte[] {5});
        traps(() -> Wit.enumIndex("e", "a", "b").load(g.cx, 3000));
        traps(() -> CHAR.liftFlat(g.cx, new long[] {0xD800}, 0));
        traps(() -> CHAR.liftFlat(g.cx, new long[] {0x110000}, 0));
    }

    @Test
    void aLimitedListIsRefusedAfterItsBoundsCheckAndBeforeItsElements() {
        class TooLong extends RuntimeException {
            TooLong(long n) {
                super("too long: " + n);
            }
        }
        ListType<String> limited = list(STRING).limited(2, TooLong::new);
        int arr = 3000;
        for (int i = 0; i < 3; i++) {
            mem.writeI32(arr + i * 8, -1); // element pointers that would trap if read
            mem.writeI32(arr + i * 8 + 4, 5);
        }
        TooLong e = assertThrows(TooLong.class, () -> limited.liftFlat(g.cx, new long[] {arr, 3}, 0));
        assertEquals("too long: 3", e.getMessage());
        traps(() -> limited.liftFlat(g.cx, new long[] {mem.pages() * 65536 - 8, 3}, 0)); // bounds first
        assertEquals("list<string>", limited.wit());
    }

    /** Runs {@code lift} as one host call of an invocation charged to {@code budget}, as the engine does. */
    <T> T inHostCall(HostMemoryBudget budget, java.util.function.Supplier<T> lift) throws Exception {
        return InvocationContext.start("budget", java.time.Duration.ofSeconds(30), budget).runAsCurrent(() -> {
            Object[] out = new Object[1];
            HostCalls.call(g.instance, new long[0], (inst, a) -> {
                out[0] = lift.get();
                return null;
            });
            @SuppressWarnings("unchecked")
            T t = (T) out[0];
            return t;
        });
    }

    @Test
    void aListAliasingOneBufferIsChargedInFullBeforeItsFirstCopy() throws Exception {
        int buffer = 8192;
        int size = 64 << 10;
        int arr = 2048;
        for (int i = 0; i < 100; i++) { // 100 list<u8> elements, all pointing at the same 64 KiB
            mem.writeI32(arr + i * 8, buffer);
            mem.writeI32(arr + i * 8 + 4, size);
        }
        HostMemoryBudget budget = new HostMemoryBudget(1 << 20, 64 << 20);
        ListType<byte[]> type = list(BYTES).chargedAs("test payloads");
        HostMemoryExceededException e = assertThrows(HostMemoryExceededException.class,
                () -> inHostCall(budget, () -> type.liftFlat(g.cx, new long[] {arr, 100}, 0)));
        assertEquals("host memory for test payloads (" + (100L * (size + 16)) + " bytes) exceeds the budget of "
                + (1 << 20) + " bytes per invocation", e.getMessage());
        assertEquals(0, budget.inFlightBytes());
        List<byte[]> fits = inHostCall(budget, () -> type.liftFlat(g.cx, new long[] {arr, 10}, 0));
        assertEquals(10, fits.size());
        assertEquals(0, budget.inFlightBytes(), "released when the call returned");
        // nested lists are paid for by the outermost one: list<list<list<u8>>> of 2 x the 100 above
        mem.writeI32(1500, arr);
        mem.writeI32(1504, 100);
        mem.writeI32(1508, arr);
        mem.writeI32(1512, 100);
        e = assertThrows(HostMemoryExceededException.class,
                () -> inHostCall(budget, () -> list(list(BYTES)).liftFlat(g.cx, new long[] {1500, 2}, 0)));
        assertTrue(e.getMessage().contains("(" + (2 * 16 + 2 * 100L * (size + 16)) + " bytes)"), e.getMessage());
    }

    @Test
    void aMisalignedOrMissingAllocatorTraps() {
        g.misalignAllocations();
        traps(() -> list(U32).lowerFlat(g.cx, List.of(1L), new long[2], 0));
        AbiContext noRealloc = new AbiContext(g.scope, new AbiOptions("no_such_realloc", Optional.empty()));
        GuestTrapException e = assertThrows(GuestTrapException.class, () -> STRING.lowerFlat(noRealloc, "x", new long[2], 0));
        assertTrue(e.getMessage().contains("no_such_realloc"), e.getMessage());
    }

    @Test
    void witBindgen02GuestsAllocateThroughTheirOwnAllocator() {
        AbiContext legacy = new AbiContext(g.scope, AbiOptions.WIT_BINDGEN_0_2);
        int before = g.heapTop();
        long[] core = new long[2];
        STRING.lowerFlat(legacy, "legacy", core, 0);
        assertTrue(g.heapTop() > before, "canonical_abi_realloc allocated it");
        assertEquals("legacy", STRING.liftFlat(legacy, core, 0));
    }

    @Test
    void liftedValuesAreCopiesNotViewsOfGuestMemory() {
        byte[] original = {1, 2, 3};
        long[] core = new long[2];
        BYTES.lowerFlat(g.cx, original, core, 0);
        byte[] lifted = BYTES.liftFlat(g.cx, core, 0);
        mem.write((int) core[0], new byte[] {9});
        assertEquals(1, lifted[0]);
        assertSame(BYTES, Wit.BYTES);
    }
}
