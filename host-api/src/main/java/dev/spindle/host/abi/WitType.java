package dev.spindle.host.abi;

import com.dylibso.chicory.wasm.types.ValType;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A WIT value type with its canonical-ABI layout and its Java representation {@code T}.
 *
 * <p>Size, alignment and the flattened core types are computed once, when the descriptor is
 * built (declaration time), following the Component Model's canonical ABI: {@code elem_size},
 * {@code alignment} and {@code flatten_type}. Lifting and lowering then walk precomputed
 * offsets; nothing about the layout is recomputed per call.
 *
 * <p>The four operations are the canonical ABI's {@code load}/{@code store} (a value in guest
 * memory at an address) and {@code lift_flat}/{@code lower_flat} (a value as consecutive core
 * values). Flat values travel as Chicory passes them: i32 and i64 as their bits in a
 * {@code long}, f32 as its raw bits in the low 32 bits, f64 as its raw bits. Because every
 * reader takes exactly the bits it needs, the variant "join" coercions of the canonical ABI
 * (an i32 payload in an i64 slot, an f32 in an i32 slot) need no extra code.
 *
 * <p>Descriptors are immutable and thread-safe. The concrete kinds are public so that tools
 * (the guest ABI document, a component loader) can walk a type's structure.
 */
public abstract sealed class WitType<T>
        permits Primitive, StringType, ListType, BytesType, RecordType, VariantType, OptionType, ResultType, EnumType,
                FlagsType, HandleType {

    private final int size;
    private final int alignment;
    private final ValType[] flat;
    private final boolean allocates;
    private final boolean holdsHandles;

    WitType(int size, int alignment, ValType[] flat, boolean allocates, boolean holdsHandles) {
        this.size = size;
        this.alignment = alignment;
        this.flat = flat;
        this.allocates = allocates;
        this.holdsHandles = holdsHandles;
    }

    /** A type holding no strings, lists or handles. */
    WitType(int size, int alignment, ValType[] flat) {
        this(size, alignment, flat, false, false);
    }

    /** The canonical ABI's {@code elem_size}: bytes the value occupies in memory (padding included). */
    public final int size() {
        return size;
    }

    /** The canonical ABI's {@code alignment}. */
    public final int alignment() {
        return alignment;
    }

    /** The canonical ABI's {@code flatten_type}: the core values this type passes as. */
    public final List<ValType> flat() {
        return Collections.unmodifiableList(Arrays.asList(flat));
    }

    /** Number of core values in {@link #flat()}. */
    public final int flatCount() {
        return flat.length;
    }

    final ValType[] flatArray() {
        return flat;
    }

    /** The type as WIT writes it where it is used: a named type by its name, others structurally. */
    public abstract String wit();

    /** True when lowering a value of this type allocates in the guest (it holds a string or list). */
    public final boolean allocates() {
        return allocates;
    }

    /** True when the type holds an {@code own} or {@code borrow} handle. */
    public final boolean holdsHandles() {
        return holdsHandles;
    }

    static boolean anyAllocates(Iterable<? extends WitType<?>> types) {
        for (WitType<?> t : types) {
            if (t != null && t.allocates()) {
                return true;
            }
        }
        return false;
    }

    static boolean anyHoldsHandles(Iterable<? extends WitType<?>> types) {
        for (WitType<?> t : types) {
            if (t != null && t.holdsHandles()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads a value stored at {@code address}. The caller has checked that the whole value lies in
     * memory and is aligned; strings and lists it points to are checked here.
     */
    public abstract T load(AbiContext cx, int address);

    /**
     * Host memory lifting the value stored at {@code address} will take: the bytes of its strings
     * and lists (aliased ones each time) plus the per-element overhead of its lists, read from the
     * lengths alone so a list can be charged to the host-memory budget before anything is copied.
     * Zero for types without strings or lists.
     */
    long hostBytes(AbiContext cx, int address) {
        return 0;
    }

    /** Writes {@code value} at {@code address} (checked by the caller), allocating strings and lists in the guest. */
    public abstract void store(AbiContext cx, int address, T value);

    /** Reads a value from the core values {@code core[at .. at + flatCount())}. */
    public abstract T liftFlat(AbiContext cx, long[] core, int at);

    /** Writes {@code value} as core values into {@code core[at .. at + flatCount())}. */
    public abstract void lowerFlat(AbiContext cx, T value, long[] core, int at);

    @Override
    public String toString() {
        return wit();
    }

    static int alignTo(int offset, int alignment) {
        return (offset + alignment - 1) & -alignment;
    }

    static ValType[] concat(ValType[]... parts) {
        int n = 0;
        for (ValType[] p : parts) {
            n += p.length;
        }
        ValType[] out = new ValType[n];
        int i = 0;
        for (ValType[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    static final ValType[] I32_1 = {ValType.I32};
    static final ValType[] I32_2 = {ValType.I32, ValType.I32};
}
