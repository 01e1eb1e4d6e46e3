package dev.spindle.host.abi;

import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.GuestTrapException;
import java.util.ArrayList;
import java.util.List;

/**
 * The layout every variant-like type shares ({@code variant}, {@code option}, {@code result},
 * {@code enum}): the discriminant (u8 up to 256 cases, u16 up to 65536, else u32) at offset 0,
 * the payload at the discriminant's end rounded up to the largest case alignment, the size
 * rounded up to the variant's alignment. Flat: the discriminant as an i32, then the payload slots
 * joined across cases (same type stays; i32 with f32 is i32; anything else is i64).
 */
final class VariantLayout {
    final int cases;
    final int discriminantSize;
    final int payloadOffset;
    final int size;
    final int alignment;
    final ValType[] flat;

    private VariantLayout(int cases, int discriminantSize, int payloadOffset, int size, int alignment, ValType[] flat) {
        this.cases = cases;
        this.discriminantSize = discriminantSize;
        this.payloadOffset = payloadOffset;
        this.size = size;
        this.alignment = alignment;
        this.flat = flat;
    }

    /** @param payloads one entry per case, null for a case without payload */
    static VariantLayout of(List<? extends WitType<?>> payloads) {
        int n = payloads.size();
        if (n == 0) {
            throw new IllegalArgumentException("a variant needs at least one case");
        }
        int disc = n <= 0x100 ? 1 : n <= 0x10000 ? 2 : 4;
        int maxCaseAlignment = 1;
        int maxCaseSize = 0;
        List<ValType> joined = new ArrayList<>();
        for (WitType<?> p : payloads) {
            if (p == null) {
                continue;
            }
            maxCaseAlignment = Math.max(maxCaseAlignment, p.alignment());
            maxCaseSize = Math.max(maxCaseSize, p.size());
            ValType[] f = p.flatArray();
            for (int i = 0; i < f.length; i++) {
                if (i < joined.size()) {
                    joined.set(i, join(joined.get(i), f[i]));
                } else {
                    joined.add(f[i]);
                }
            }
        }
        int alignment = Math.max(disc, maxCaseAlignment);
        int payloadOffset = WitType.alignTo(disc, maxCaseAlignment);
        int size = WitType.alignTo(payloadOffset + maxCaseSize, alignment);
        ValType[] flat = new ValType[1 + joined.size()];
        flat[0] = ValType.I32;
        for (int i = 0; i < joined.size(); i++) {
            flat[1 + i] = joined.get(i);
        }
        return new VariantLayout(n, disc, payloadOffset, size, alignment, flat);
    }

    private static ValType join(ValType a, ValType b) {
        if (a.equals(b)) {
            return a;
        }
        if ((a.equals(ValType.I32) && b.equals(ValType.F32)) || (a.equals(ValType.F32) && b.equals(ValType.I32))) {
            return ValType.I32;
        }
        return ValType.I64;
    }

    /** Reads and checks the discriminant stored at {@code address}. */
    int loadCase(GuestMemory m, int address, String what) {
        long c;
        switch (discriminantSize) {
            case 1:
                c = m.readU8(address);
                break;
            case 2:
                c = m.readU16(address);
                break;
            default:
                c = Integer.toUnsignedLong(m.readI32(address));
        }
        return checkCase(c, what);
    }

    int liftCase(long[] core, int at, String what) {
        return checkCase(core[at] & 0xFFFF_FFFFL, what);
    }

    private int checkCase(long c, String what) {
        if (c >= cases) {
            throw new GuestTrapException(what + " discriminant " + c + " is out of range (" + cases + " cases)");
        }
        return (int) c;
    }

    void storeCase(GuestMemory m, int address, int c) {
        switch (discriminantSize) {
            case 1:
                m.writeU8(address, c);
                break;
            case 2:
                m.writeU16(address, c);
                break;
            default:
                m.writeI32(address, c);
        }
    }

    /** Flat lowering writes the case and zeroes the slots the case does not use. */
    void lowerCase(long[] core, int at, int c) {
        core[at] = c;
        for (int i = 1; i < flat.length; i++) {
            core[at + i] = 0;
        }
    }
}
