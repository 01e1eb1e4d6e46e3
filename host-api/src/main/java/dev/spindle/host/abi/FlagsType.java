package dev.spindle.host.abi;

import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.GuestMemory;
import java.util.List;

/**
 * {@code flags}: up to 32 labels as a bit set, label {@code i} in bit {@code i}; the Java value is
 * the {@link Integer} bit mask. Stored in 1, 2 or 4 bytes (up to 8, 16, 32 labels), one i32 flat.
 * Bits beyond the last label are dropped when lifting, as the canonical ABI ignores them.
 */
public final class FlagsType extends WitType<Integer> {

    /** The canonical ABI's current limit on flags labels. */
    public static final int MAX_LABELS = 32;

    private final String name;
    private final List<String> labels;
    private final int mask;

    FlagsType(String name, List<String> labels) {
        super(bytes(labels.size()), bytes(labels.size()), new ValType[] {ValType.I32});
        this.name = name;
        this.labels = List.copyOf(labels);
        this.mask = labels.size() == 32 ? -1 : (1 << labels.size()) - 1;
    }

    private static int bytes(int n) {
        if (n < 1 || n > MAX_LABELS) {
            throw new IllegalArgumentException("flags need 1 to " + MAX_LABELS + " labels, not " + n);
        }
        return n <= 8 ? 1 : n <= 16 ? 2 : 4;
    }

    public String name() {
        return name;
    }

    public List<String> labels() {
        return labels;
    }

    /** The bit of {@code label}. */
    public int bit(String label) {
        int i = labels.indexOf(label);
        if (i < 0) {
            throw new IllegalArgumentException("flags " + name + " have no label " + label);
        }
        return 1 << i;
    }

    @Override
    public String wit() {
        return name;
    }

    public String definition() {
        return "flags " + name + " { " + String.join(", ", labels) + " }";
    }



    @Override
    public Integer load(AbiContext cx, int address) {
        GuestMemory m = cx.memory();
        int v = size() == 1 ? m.readU8(address) : size() == 2 ? m.readU16(address) : m.readI32(address);
        return v & mask;
    }

    @Override
    public Integer liftFlat(AbiContext cx, long[] core, int at) {
        return (int) core[at] & mask;
    }

    @Override
    public void store(AbiContext cx, int address, Integer value) {
        GuestMemory m = cx.memory();
        int v = value & mask;
        if (size() == 1) {
            m.writeU8(address, v);
        } else if (size() == 2) {
            m.writeU16(address, v);
        } else {
            m.writeI32(address, v);
        }
    }

    @Override
    public void lowerFlat(AbiContext cx, Integer value, long[] core, int at) {
        core[at] = Integer.toUnsignedLong(value & mask);
    }
}
