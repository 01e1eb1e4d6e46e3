package dev.spindle.host.abi;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A {@code variant}, mapped to a Java type {@code V} (usually a sealed interface with one record
 * per case). Each {@link Case} says how to recognise its Java values, how to build one from the
 * lifted payload and how to take the payload out; lowering picks the first case that accepts
 * the value. Layout: {@link VariantLayout}.
 */
public final class VariantType<V> extends WitType<V> {

    /**
     * One case. {@code payload} is null for a case without payload (then {@code make} is given
     * null and {@code get} is never called).
     */
    public record Case<V, P>(
            String label, WitType<P> payload, Predicate<Object> accepts, Function<P, ? extends V> make,
            Function<? super V, ? extends P> get) {}

    private final String name;
    private final List<Case<V, ?>> cases;
    private final VariantLayout layout;
    private final String what;
    private final Case<V, ?>[] caseArray; // the cases as an array, for the per-value lookups

    VariantType(String name, List<Case<V, ?>> cases) {
        this(name, List.copyOf(cases), payloadsOf(cases));
    }

    private VariantType(String name, List<Case<V, ?>> cases, List<WitType<?>> payloads) {
        this(name, cases, payloads, VariantLayout.of(payloads));
    }

    private VariantType(String name, List<Case<V, ?>> cases, List<WitType<?>> payloads, VariantLayout layout) {
        super(layout.size, layout.alignment, layout.flat, anyAllocates(payloads), anyHoldsHandles(payloads));
        this.name = name;
        this.cases = cases;
        this.layout = layout;
        this.what = "variant " + name;
        @SuppressWarnings("unchecked")
        Case<V, ?>[] array = cases.toArray(new Case[0]);
        this.caseArray = array;
    }

    private static List<WitType<?>> payloadsOf(List<? extends Case<?, ?>> cases) {
        List<WitType<?>> payloads = new ArrayList<>();
        cases.forEach(c -> payloads.add(c.payload()));
        return payloads;
    }

    public String name() {
        return name;
    }

    public List<Case<V, ?>> cases() {
        return cases;
    }

    /** Offset of the payload from the start of the variant. */
    public int payloadOffset() {
        return layout.payloadOffset;
    }

    @Override
    public String wit() {
        return name;
    }

    /** The WIT definition, {@code variant name { a, b(t), ... }}. */
    public String definition() {
        StringBuilder b = new StringBuilder("variant ").append(name).append(" { ");
        for (int i = 0; i < cases.size(); i++) {
            Case<V, ?> c = cases.get(i);
            b.append(i == 0 ? "" : ", ").append(c.label());
            if (c.payload() != null) {
                b.append('(').append(c.payload().wit()).append(')');
            }
        }
        return b.append(" }").toString();
    }



    @Override
    public V load(AbiContext cx, int address) {
        Case<V, ?> c = caseArray[layout.loadCase(cx.memory(), address, what)];
        return loadCase(cx, c, address + layout.payloadOffset);
    }

    private static <V, P> V loadCase(AbiContext cx, Case<V, P> c, int address) {
        return c.make().apply(c.payload() == null ? null : c.payload().load(cx, address));
    }

    @Override
    long hostBytes(AbiContext cx, int address) {
        WitType<?> payload = caseArray[layout.loadCase(cx.memory(), address, what)].payload();
        return payload == null || !payload.allocates() ? 0 : payload.hostBytes(cx, address + layout.payloadOffset);
    }

    @Override
    public V liftFlat(AbiContext cx, long[] core, int at) {
        Case<V, ?> c = caseArray[layout.liftCase(core, at, what)];
        return liftCase(cx, c, core, at + 1);
    }

    private static <V, P> V liftCase(AbiContext cx, Case<V, P> c, long[] core, int at) {
        return c.make().apply(c.payload() == null ? null : c.payload().liftFlat(cx, core, at));
    }

    private int caseOf(V value) {
        for (int i = 0; i < caseArray.length; i++) {
            if (caseArray[i].accepts().test(value)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no case of variant " + name + " accepts " + value);
    }

    @Override
    public void store(AbiContext cx, int address, V value) {
        int i = caseOf(value);
        layout.storeCase(cx.memory(), address, i);
        storeCase(cx, caseArray[i], address + layout.payloadOffset, value);
    }

    private static <V, P> void storeCase(AbiContext cx, Case<V, P> c, int address, V value) {
        if (c.payload() != null) {
            c.payload().store(cx, address, c.get().apply(value));
        }
    }

    @Override
    public void lowerFlat(AbiContext cx, V value, long[] core, int at) {
        int i = caseOf(value);
        layout.lowerCase(core, at, i);
        lowerCase(cx, caseArray[i], value, core, at + 1);
    }

    private static <V, P> void lowerCase(AbiContext cx, Case<V, P> c, V value, long[] core, int at) {
        if (c.payload() != null) {
            c.payload().lowerFlat(cx, c.get().apply(value), core, at);
        }
    }
}
