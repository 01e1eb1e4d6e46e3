package dev.spindle.host.abi;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.U32;
import static dev.spindle.host.abi.Wit.U8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.GuestTrapException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Export calls: arguments lowered, result lifted from the returned pointer, memory given back. */
class GuestExportTest {
    static final GuestExport.Unary<String, String> ECHO = GuestExport.of("echo", param("s", STRING), STRING);

    final AbiGuest g = new AbiGuest();
    final Memory mem = g.memory();

    @Test
    void signatureIsDerived() {
        assertEquals(FunctionType.of(List.of(ValType.I32, ValType.I32), List.of(ValType.I32)), ECHO.signature().exportType(),
                "a string result comes back as a pointer");
        assertEquals("cabi_post_echo", ECHO.postReturnExport());
    }

    @Test
    void argumentsAreLoweredAndTheResultLiftedThenPostReturnIsCalled() {
        String out = ECHO.call(g.cx, g.instance.export("echo"), "héllo");
        assertEquals("héllo", out);
        assertEquals(1, g.i32(AbiGuest.POST_CALLS), "cabi_post_echo ran once");
        assertEquals(64, g.i32(AbiGuest.LAST_POST_ARG), "with the returned pointer");
        assertEquals(0, g.i32(AbiGuest.FREE_CALLS));
    }

    @Test
    void witBindgen02FreesEveryReturnedBufferInstead() {
        AbiContext legacy = new AbiContext(g.scope, AbiOptions.WIT_BINDGEN_0_2);
        String out = ECHO.call(legacy, g.instance.export("echo"), "four");
        assertEquals("four", out);
        assertEquals(0, g.i32(AbiGuest.POST_CALLS), "no cabi_post_ under wit-bindgen 0.2");
        assertEquals(1, g.i32(AbiGuest.FREE_CALLS));
        int ptr = mem.readInt(64);
        assertEquals(ptr, g.i32(AbiGuest.LAST_FREE));
        assertEquals(4, g.i32(AbiGuest.LAST_FREE + 4), "size");
        assertEquals(1, g.i32(AbiGuest.LAST_FREE + 8), "align");
    }

    @Test
    void aFlatResultIsReturnedDirectly() {
        GuestExport.Unary<Long, Long> ident = GuestExport.of("ident", param("x", U32), U32);
        assertEquals(0xFFFF_FFF0L, ident.call(g.cx, g.instance.export("ident"), 0xFFFF_FFF0L));
    }

    record Pair(int a, String b) {}

    static final RecordType<Pair> PAIR = Wit.record("pair", Wit.field("a", U8, Pair::a), Wit.field("b", STRING, Pair::b), Pair::new);

    @Test
    void aResultInMemoryIsCheckedBeforeItIsRead() {
        GuestExport.Nullary<Pair> returnsAt = GuestExport.of("returns-at", PAIR);
        mem.write(2100, "xyz".getBytes(StandardCharsets.UTF_8));
        mem.writeByte(2000, (byte) 7);
        mem.writeI32(2004, 2100);
        mem.writeI32(2008, 3);
        mem.writeI32(AbiGuest.RETURNS_AT, 2000);
        assertEquals(new Pair(7, "xyz"), returnsAt.call(g.cx, g.instance.export("returns-at")));

        mem.writeI32(AbiGuest.RETURNS_AT, 2001);
        assertThrows(GuestTrapException.class, () -> returnsAt.call(g.cx, g.instance.export("returns-at")), "misaligned");
        mem.writeI32(AbiGuest.RETURNS_AT, mem.pages() * 65536 - 4);
        assertThrows(GuestTrapException.class, () -> returnsAt.call(g.cx, g.instance.export("returns-at")), "past memory");
    }

    @Test
    void theWrongNumberOfResultsTraps() {
        GuestExport.Nullary<Long> two = GuestExport.of("two-results", U32);
        GuestTrapException e = assertThrows(GuestTrapException.class, () -> two.call(g.cx, g.instance.export("two-results")));
        assertTrue(e.getMessage().contains("must return 1 core value"), e.getMessage());
    }

    @Test
    void moreThanSixteenFlatArgumentsAreSpilledToGuestMemory() {
        List<Param<?>> params = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            params.add(param("p" + i, U32));
            args.add((long) (100 + i));
        }
        GuestExport<Long> spill = GuestExport.of("spill-export", params, U32);
        assertEquals(FunctionType.of(List.of(ValType.I32), List.of(ValType.I32)), spill.signature().exportType());
        long ptr = spill.callWith(g.cx, g.instance.export("spill-export"), args.toArray());
        for (int i = 0; i < 17; i++) {
            assertEquals(100 + i, mem.readInt((int) ptr + 4 * i));
        }
    }

    static final class Thing {}

    @Test
    void ownArgumentsAreHandedOverAndBorrowsLentForTheCallOnly() {
        ResourceType<Thing> thing = ResourceType.of("thing", Thing.class, t -> {});
        GuestExport.Unary<Thing, Long> giveOwn = GuestExport.of("ident", param("t", Wit.own(thing)), U32);
        Thing owned = new Thing();
        long handle = giveOwn.call(g.cx, g.instance.export("ident"), owned);
        assertSame(owned, g.scope.resources().get(thing, (int) handle), "the guest holds it now");

        GuestExport.Unary<Thing, Long> lend = GuestExport.of("ident", param("t", Wit.borrow(thing)), U32);
        Thing lent = new Thing();
        long lentHandle = lend.call(g.cx, g.instance.export("ident"), lent);
        assertThrows(GuestTrapException.class, () -> g.scope.resources().get(thing, (int) lentHandle), "the loan ended");
        assertEquals(handle, lend.call(g.cx, g.instance.export("ident"), owned), "a resource the guest owns is borrowed by its handle");
        assertSame(owned, g.scope.resources().get(thing, (int) handle), "and stays the guest's");
    }

    @Test
    void theArgumentCountIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> ECHO.callWith(g.cx, g.instance.export("echo")));
    }
}
