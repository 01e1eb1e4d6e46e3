package dev.spindle.host.abi;

import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.GuestTrapException;

/**
 * The fixed-size scalar types: {@code bool}, the integers, {@code f32}/{@code f64} and
 * {@code char}. Their Java types are listed with the constants in {@link Wit}.
 *
 * <p>Unsigned 32-bit values are {@link Long}s in 0..2<sup>32</sup>-1 (lowering anything else is
 * a host bug); {@code u64} is a {@link Long} holding the 64 bits ({@link Long#toUnsignedString}).
 * A {@code char} is an {@link Integer} Unicode scalar value; lifting a surrogate or a value past
 * U+10FFFF traps, as the canonical ABI requires. NaNs are canonicalized in both directions.
 */
public final class Primitive<T> extends WitType<T> {

    /** The primitive kinds, with their WIT names. */
    public enum Kind {
        BOOL("bool", 1), U8("u8", 1), S8("s8", 1), U16("u16", 2), S16("s16", 2), U32("u32", 4), S32("s32", 4),
        U64("u64", 8), S64("s64", 8), F32("f32", 4), F64("f64", 8), CHAR("char", 4);

        final String wit;
        final int size;

        Kind(String wit, int size) {
            this.wit = wit;
            this.size = size;
        }
    }

    private final Kind kind;

    Primitive(Kind kind) {
        super(kind.size, kind.size, new ValType[] {flatType(kind)});
        this.kind = kind;
    }

    private static ValType flatType(Kind kind) {
        switch (kind) {
            case U64:
            case S64:
                return ValType.I64;
            case F32:
                return ValType.F32;
            case F64:
                return ValType.F64;
            default:
                return ValType.I32;
        }
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String wit() {
        return kind.wit;
    }



    @Override
    @SuppressWarnings("unchecked")
    public T load(AbiContext cx, int address) {
        GuestMemory m = cx.memory();
        switch (kind) {
            case BOOL:
                return (T) Boolean.valueOf(m.readU8(address) != 0);
            case U8:
                return (T) Integer.valueOf(m.readU8(address));
            case S8:
                return (T) Integer.valueOf((byte) m.readU8(address));
            case U16:
                return (T) Integer.valueOf(m.readU16(address));
            case S16:
                return (T) Integer.valueOf((short) m.readU16(address));
            case U32:
                return (T) Long.valueOf(Integer.toUnsignedLong(m.readI32(address)));
            case S32:
                return (T) Integer.valueOf(m.readI32(address));
            case U64:
            case S64:
                return (T) Long.valueOf(m.readI64(address));
            case F32:
                return (T) Float.valueOf(canonical(Float.intBitsToFloat(m.readI32(address))));
            case F64:
                return (T) Double.valueOf(canonical(Double.longBitsToDouble(m.readI64(address))));
            case CHAR:
                return (T) Integer.valueOf(checkedChar(m.readI32(address)));
            default:
                throw new AssertionError(kind);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T liftFlat(AbiContext cx, long[] core, int at) {
        long v = core[at];
        switch (kind) {
            case BOOL:
                return (T) Boolean.valueOf((int) v != 0);
            case U8:
                return (T) Integer.valueOf((int) v & 0xFF);
            case S8:
                return (T) Integer.valueOf((byte) v);
            case U16:
                return (T) Integer.valueOf((int) v & 0xFFFF);
            case S16:
                return (T) Integer.valueOf((short) v);
            case U32:
                return (T) Long.valueOf(v & 0xFFFF_FFFFL);
            case S32:
                return (T) Integer.valueOf((int) v);
            case U64:
            case S64:
                return (T) Long.valueOf(v);
            case F32:
                return (T) Float.valueOf(canonical(Float.intBitsToFloat((int) v)));
            case F64:
                return (T) Double.valueOf(canonical(Double.longBitsToDouble(v)));
            case CHAR:
                return (T) Integer.valueOf(checkedChar((int) v));
            default:
                throw new AssertionError(kind);
        }
    }

    @Override
    public void store(AbiContext cx, int address, T value) {
        GuestMemory m = cx.memory();
        long bits = bits(value);
        switch (kind.size) {
            case 1:
                m.writeU8(address, (int) bits);
                break;
            case 2:
                m.writeU16(address, (int) bits);
                break;
            case 4:
                m.writeI32(address, (int) bits);
                break;
            default:
                m.writeI64(address, bits);
        }
    }

    @Override
    public void lowerFlat(AbiContext cx, T value, long[] core, int at) {
        long bits = bits(value);
        // 32-bit values travel zero-extended: the canonical ABI's i32 is unsigned, and the guest
        // wraps an i64 variant slot back to i32 anyway.
        core[at] = kind.size == 8 ? bits : bits & 0xFFFF_FFFFL;
    }

    /** The value's bits as the core representation wants them; range errors are host bugs. */
    private long bits(T value) {
        switch (kind) {
            case BOOL:
                return ((Boolean) value) ? 1 : 0;
            case U8:
                return checkRange((Integer) value, 0, 0xFF);
            case S8:
                return checkRange((Integer) value, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case U16:
                return checkRange((Integer) value, 0, 0xFFFF);
            case S16:
                return checkRange((Integer) value, Short.MIN_VALUE, Short.MAX_VALUE);
            case U32: {
                long v = (Long) value;
                if (v < 0 || v > 0xFFFF_FFFFL) {
                    throw new IllegalArgumentException("u32 value out of range: " + v);
                }
                return v;
            }
            case S32:
                return (Integer) value;
            case U64:
            case S64:
                return (Long) value;
            case F32:
                return Float.floatToIntBits((Float) value); // canonical NaN
            case F64:
                return Double.doubleToLongBits((Double) value);
            case CHAR: {
                int c = (Integer) value;
                if (!validChar(c)) {
                    throw new IllegalArgumentException("not a Unicode scalar value: " + c);
                }
                return c;
            }
            default:
                throw new AssertionError(kind);
        }
    }

    private long checkRange(int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(kind.wit + " value out of range: " + v);
        }
        return v;
    }

    private static float canonical(float f) {
        return Float.isNaN(f) ? Float.NaN : f;
    }

    private static double canonical(double d) {
        return Double.isNaN(d) ? Double.NaN : d;
    }

    private static boolean validChar(int c) {
        return c >= 0 && c < 0x110000 && !(c >= 0xD800 && c <= 0xDFFF);
    }

    private static int checkedChar(int c) {
        if (!validChar(c)) {
            throw new GuestTrapException("char " + Integer.toUnsignedString(c) + " is not a Unicode scalar value");
        }
        return c;
    }
}
