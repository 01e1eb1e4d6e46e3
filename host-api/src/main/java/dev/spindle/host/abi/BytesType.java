package dev.spindle.host.abi;

import dev.spindle.host.GuestMemory;

/**
 * {@code list<u8>} as a Java {@code byte[]}: the same layout as any list (pointer, length; size
 * 8, align 4), without boxing each byte. Payloads, bodies and Redis values use it.
 */
public final class BytesType extends WitType<byte[]> {

    BytesType() {
        super(8, 4, I32_2, true, false);
    }

    @Override
    public String wit() {
        return "list<u8>";
    }



    @Override
    public byte[] load(AbiContext cx, int address) {
        GuestMemory m = cx.memory();
        return lift(cx, m.readI32(address), m.readI32(address + 4));
    }

    @Override
    long hostBytes(AbiContext cx, int address) {
        return Integer.toUnsignedLong(cx.memory().readI32(address + 4));
    }

    @Override
    public byte[] liftFlat(AbiContext cx, long[] core, int at) {
        return lift(cx, (int) core[at], (int) core[at + 1]);
    }

    private static byte[] lift(AbiContext cx, int ptr, int len) {
        ListType.checkByteLength(len, 1);
        byte[] b = cx.memory().readBytes(ptr, len);
        cx.returnedBuffer(ptr, len, 1);
        return b;
    }

    @Override
    public void store(AbiContext cx, int address, byte[] value) {
        GuestMemory m = cx.memory();
        int ptr = cx.allocateBytes(value);
        m.writeI32(address, ptr);
        m.writeI32(address + 4, value.length);
    }

    @Override
    public void lowerFlat(AbiContext cx, byte[] value, long[] core, int at) {
        core[at] = Integer.toUnsignedLong(cx.allocateBytes(value));
        core[at + 1] = value.length;
    }
}
