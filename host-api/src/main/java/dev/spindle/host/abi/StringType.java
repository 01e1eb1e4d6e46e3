package dev.spindle.host.abi;

import dev.spindle.host.GuestMemory;
import java.nio.charset.StandardCharsets;

/**
 * {@code string}: UTF-8 in guest memory, passed as (pointer, byte length); size 8, align 4,
 * two i32 when flat. Lifting checks bounds and UTF-8 (a violation traps); lowering allocates the
 * bytes through the guest's realloc.
 */
public final class StringType extends WitType<String> {

    StringType() {
        super(8, 4, I32_2, true, false);
    }

    @Override
    public String wit() {
        return "string";
    }



    @Override
    public String load(AbiContext cx, int address) {
        GuestMemory m = cx.memory();
        return lift(cx, m.readI32(address), m.readI32(address + 4));
    }

    @Override
    long hostBytes(AbiContext cx, int address) {
        return Integer.toUnsignedLong(cx.memory().readI32(address + 4));
    }

    @Override
    public String liftFlat(AbiContext cx, long[] core, int at) {
        return lift(cx, (int) core[at], (int) core[at + 1]);
    }

    private static String lift(AbiContext cx, int ptr, int len) {
        ListType.checkByteLength(len, 1);
        String s = cx.memory().readString(ptr, len);
        cx.returnedBuffer(ptr, len, 1);
        return s;
    }

    @Override
    public void store(AbiContext cx, int address, String value) {
        long slice = lower(cx, value);
        GuestMemory m = cx.memory();
        m.writeI32(address, (int) (slice >>> 32));
        m.writeI32(address + 4, (int) slice);
    }

    @Override
    public void lowerFlat(AbiContext cx, String value, long[] core, int at) {
        long slice = lower(cx, value);
        core[at] = slice >>> 32;
        core[at + 1] = slice & 0xFFFF_FFFFL;
    }

    /**
     * Allocates and writes {@code value}'s UTF-8, an ASCII string (the usual one) without encoding
     * it into an array first. Returns the pointer in the high 32 bits and the byte length in the
     * low 32: a record here was not scalar-replaced, one object per string lowered.
     */
    private static long lower(AbiContext cx, String value) {
        int length = GuestMemory.asciiLength(value);
        int ptr;
        if (length < 0) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            ptr = cx.allocateBytes(bytes);
            length = bytes.length;
        } else {
            ptr = cx.allocate(1, length);
            if (length > 0) {
                cx.memory().writeAscii(ptr, value);
            }
        }
        return (long) ptr << 32 | Integer.toUnsignedLong(length);
    }
}
