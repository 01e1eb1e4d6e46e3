package dev.spindle.host.abi;

import com.dylibso.chicory.wasm.types.ValType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A {@code record} (named fields) or a {@code tuple} (positional fields), mapped to a Java type
 * {@code R} (usually a Java record) by one getter per field and a constructor.
 *
 * <p>Layout per the canonical ABI: each field at the running offset rounded up to the field's
 * alignment; the record's alignment is its largest field alignment and its size is rounded up to
 * it. Flat, the fields' flat values follow each other. Offsets are computed once, here.
 */
public final class RecordType<R> extends WitType<R> {

    /** One field: its label (a WIT name, or its index for tuples), type, and how to read it from {@code R}. */
    public record Field<R, F>(String label, WitType<F> type, Function<? super R, ? extends F> getter) {}

    private final String name; // null for tuples
    private final List<Field<R, ?>> fields;
    private final Function<Object[], R> constructor;
    private final int[] offsets;
    private final int[] flatOffsets;
    private final WitType<?>[] types; // the fields' types, as an array for the per-element loads

    private RecordType(String name, List<Field<R, ?>> fields, Function<Object[], R> constructor, Layout layout) {
        super(layout.size, layout.alignment, layout.flat, anyAllocates(layout.types), anyHoldsHandles(layout.types));
        this.name = name;
        this.fields = List.copyOf(fields);
        this.constructor = constructor;
        this.offsets = layout.offsets;
        this.flatOffsets = layout.flatOffsets;
        this.types = layout.types.toArray(new WitType<?>[0]);
    }

    static <R> RecordType<R> of(String name, List<Field<R, ?>> fields, Function<Object[], R> constructor) {
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("a record or tuple needs at least one field");
        }
        List<WitType<?>> types = new ArrayList<>();
        fields.forEach(f -> types.add(f.type()));
        return new RecordType<>(name, fields, constructor, Layout.of(types));
    }

    /** The record's WIT name; empty for a tuple. */
    public java.util.Optional<String> name() {
        return java.util.Optional.ofNullable(name);
    }

    public List<Field<R, ?>> fields() {
        return fields;
    }

    /** Byte offset of field {@code i} from the start of the record. */
    public int offset(int i) {
        return offsets[i];
    }

    @Override
    public String wit() {
        if (name != null) {
            return name;
        }
        StringBuilder b = new StringBuilder("tuple<");
        for (int i = 0; i < fields.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(fields.get(i).type().wit());
        }
        return b.append('>').toString();
    }

    /** The WIT definition, {@code record name { a: t, ... }}; for a tuple, its {@link #wit()}. */
    public String definition() {
        if (name == null) {
            return wit();
        }
        StringBuilder b = new StringBuilder("record ").append(name).append(" { ");
        for (int i = 0; i < fields.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(fields.get(i).label()).append(": ").append(fields.get(i).type().wit());
        }
        return b.append(" }").toString();
    }



    @Override
    public R load(AbiContext cx, int address) {
        Object[] values = new Object[types.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = types[i].load(cx, address + offsets[i]);
        }
        return constructor.apply(values);
    }

    @Override
    long hostBytes(AbiContext cx, int address) {
        long total = 0;
        for (int i = 0; i < offsets.length; i++) {
            WitType<?> t = types[i];
            if (t.allocates()) {
                total += t.hostBytes(cx, address + offsets[i]);
            }
        }
        return total;
    }

    @Override
    public R liftFlat(AbiContext cx, long[] core, int at) {
        Object[] values = new Object[fields.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = fields.get(i).type().liftFlat(cx, core, at + flatOffsets[i]);
        }
        return constructor.apply(values);
    }

    @Override
    public void store(AbiContext cx, int address, R value) {
        for (int i = 0; i < offsets.length; i++) {
            storeField(cx, fields.get(i), address + offsets[i], value);
        }
    }

    @Override
    public void lowerFlat(AbiContext cx, R value, long[] core, int at) {
        for (int i = 0; i < offsets.length; i++) {
            lowerField(cx, fields.get(i), value, core, at + flatOffsets[i]);
        }
    }

    private static <R, F> void storeField(AbiContext cx, Field<R, F> field, int address, R value) {
        field.type().store(cx, address, field.getter().apply(value));
    }

    private static <R, F> void lowerField(AbiContext cx, Field<R, F> field, R value, long[] core, int at) {
        field.type().lowerFlat(cx, field.getter().apply(value), core, at);
    }

    /** Offsets, size, alignment and flat types of consecutive fields (records, tuples, spilled parameters). */
    static final class Layout {
        final int size;
        final int alignment;
        final int[] offsets;
        final int[] flatOffsets;
        final ValType[] flat;
        final List<WitType<?>> types;

        private Layout(int size, int alignment, int[] offsets, int[] flatOffsets, ValType[] flat, List<WitType<?>> types) {
            this.size = size;
            this.alignment = alignment;
            this.offsets = offsets;
            this.flatOffsets = flatOffsets;
            this.flat = flat;
            this.types = types;
        }

        static Layout of(List<? extends WitType<?>> types) {
            int n = types.size();
            int[] offsets = new int[n];
            int[] flatOffsets = new int[n];
            ValType[][] flats = new ValType[n][];
            int offset = 0;
            int alignment = 1;
            int flatCount = 0;
            for (int i = 0; i < n; i++) {
                WitType<?> t = types.get(i);
                offset = alignTo(offset, t.alignment());
                offsets[i] = offset;
                offset += t.size();
                alignment = Math.max(alignment, t.alignment());
                flatOffsets[i] = flatCount;
                flatCount += t.flatCount();
                flats[i] = t.flatArray();
            }
            return new Layout(alignTo(offset, alignment), alignment, offsets, flatOffsets, concat(flats), List.copyOf(types));
        }
    }
}
