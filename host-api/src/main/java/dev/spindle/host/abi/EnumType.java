package dev.spindle.host.abi;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * An {@code enum}: a variant whose cases carry no payload, stored as its discriminant alone
 * (u8 up to 256 labels). Mapped to a Java type {@code E}: a Java enum in label order
 * ({@link Wit#enumOf(String, Class)}) or the case index ({@link Wit#enumIndex}).
 */
public final class EnumType<E> extends WitType<E> {

    private final String name;
    private final List<String> labels;
    private final VariantLayout layout;
    private final IntFunction<E> fromIndex;
    private final ToIntFunction<? super E> toIndex;
    private final String what;

    EnumType(String name, List<String> labels, IntFunction<E> fromIndex, ToIntFunction<? super E> toIndex) {
        this(name, List.copyOf(labels), layoutOf(labels.size()), fromIndex, toIndex);
    }

    private EnumType(String name, List<String> labels, VariantLayout layout, IntFunction<E> fromIndex,
            ToIntFunction<? super E> toIndex) {
        super(layout.size, layout.alignment, layout.flat);
        this.name = name;
        this.labels = labels;
        this.layout = layout;
        this.fromIndex = fromIndex;
        this.toIndex = toIndex;
        this.what = "enum " + name;
    }

    private static VariantLayout layoutOf(int n) {
        List<WitType<?>> none = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            none.add(null);
        }
        return VariantLayout.of(none);
    }

    public String name() {
        return name;
    }

    public List<String> labels() {
        return labels;
    }

    @Override
    public String wit() {
        return name;
    }

    /** The WIT definition, {@code enum name { a, b, ... }}. */
    public String definition() {
        return "enum " + name + " { " + String.join(", ", labels) + " }";
    }



    @Override
    public E load(AbiContext cx, int address) {
        return fromIndex.apply(layout.loadCase(cx.memory(), address, what));
    }

    @Override
    public E liftFlat(AbiContext cx, long[] core, int at) {
        return fromIndex.apply(layout.liftCase(core, at, what));
    }

    private int index(E value) {
        int i = toIndex.applyAsInt(value);
        if (i < 0 || i >= labels.size()) {
            throw new IllegalArgumentException("enum " + name + " has no case " + i);
        }
        return i;
    }

    @Override
    public void store(AbiContext cx, int address, E value) {
        layout.storeCase(cx.memory(), address, index(value));
    }

    @Override
    public void lowerFlat(AbiContext cx, E value, long[] core, int at) {
        core[at] = index(value);
    }
}
