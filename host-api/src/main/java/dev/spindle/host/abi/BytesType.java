package dev.spindle.host.abi;

import dev.spindle.host.GuestMemory;

/**
 * {@code list<u8>} as a Java {@code byte[]}: the same layout as any list (pointer, length; size
 * 8, align 4), without boxing each byte. Payloads, bodies and Redis values use it.
 *
 * <p>{@link Wit#STRING_BYTES} is a {@code string} (same layout) held as its UTF-8 bytes: lifting
 * checks the UTF-8 as {@link Wit#STRING} does (invalid UTF-8 traps) but makes no {@code String},
 * for a host that passes the bytes on unchanged (a Redis command name).
 */
public final class BytesType extends WitType<byte[]> {

    private final boolean string;

    BytesType(boolean string) {
        super(8, 4, I32_2, true, false);
        this.string = string;
    }

    /** True for {@link Wit#STRING_BYTES}: a WIT {@code string}, UTF-8 checked both ways. */
    public boolean isString() {
        return string;
    }

    @Override
    public String wit() {
        return string ? "string" : "list<u8>";
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

    private byte[] lift(AbiContext cx, int ptr, int len) {
        ListType.checkByteLength(len, 1);
        byte[] b = string ? cx.memory().readUtf8(ptr, len) : cx.memory().readBytes(ptr, len);
        cx.returnedBuffer(ptr, len, 1);
        return b;
    }

    @Override
    public void store(AbiContext cx, int address, byte[] value) {
        checkLowered(value);
        GuestMemory m = cx.memory();
        int ptr = cx.allocateBytes(value);
        m.writeI32(address, ptr);
        m.writeI32(address + 4, value.length);
    }

    @Override
    public void lowerFlat(AbiContext cx, byte[] value, long[] core, int at) {
        checkLowered(value);
        core[at] = Integer.toUnsignedLong(cx.allocateBytes(value));
        core[at + 1] = value.length;
    }

    /** A string the host hands the guest must be UTF-8 (a host bug otherwise, never the guest's). */
    private void checkLowered(byte[] value) {
        if (string && !GuestMemory.isUtf8(value)) {
            throw new IllegalArgumentException("a string lowered to the guest is not valid UTF-8");
        }
    }
}
