package dev.spindle.host.abi;

import java.util.Arrays;
import java.util.Optional;

/** {@code option<T>} as a Java {@link Optional}: a variant {@code none | some(T)}. */
public final class OptionType<T> extends WitType<Optional<T>> {

    private final WitType<T> some;
    private final VariantLayout layout;

    OptionType(WitType<T> some) {
        this(some, VariantLayout.of(Arrays.asList(null, some)));
    }

    private OptionType(WitType<T> some, VariantLayout layout) {
        super(layout.size, layout.alignment, layout.flat, some.allocates(), some.holdsHandles());
        this.some = some;
        this.layout = layout;
    }

    public WitType<T> some() {
        return some;
    }

    /** Offset of the {@code some} payload. */
    public int payloadOffset() {
        return layout.payloadOffset;
    }

    @Override
    public String wit() {
        return "option<" + some.wit() + ">";
    }



    @Override
    public Optional<T> load(AbiContext cx, int address) {
        if (layout.loadCase(cx.memory(), address, "option") == 0) {
            return Optional.empty();
        }
        return Optional.of(some.load(cx, address + layout.payloadOffset));
    }

    @Override
    long hostBytes(AbiContext cx, int address) {
        return layout.loadCase(cx.memory(), address, "option") == 0 || !some.allocates()
                ? 0 : some.hostBytes(cx, address + layout.payloadOffset);
    }

    @Override
    public Optional<T> liftFlat(AbiContext cx, long[] core, int at) {
        if (layout.liftCase(core, at, "option") == 0) {
            return Optional.empty();
        }
        return Optional.of(some.liftFlat(cx, core, at + 1));
    }

    @Override
    public void store(AbiContext cx, int address, Optional<T> value) {
        if (value.isEmpty()) {
            layout.storeCase(cx.memory(), address, 0);
            return;
        }
        layout.storeCase(cx.memory(), address, 1);
        some.store(cx, address + layout.payloadOffset, value.get());
    }

    @Override
    public void lowerFlat(AbiContext cx, Optional<T> value, long[] core, int at) {
        layout.lowerCase(core, at, value.isPresent() ? 1 : 0);
        if (value.isPresent()) {
            some.lowerFlat(cx, value.get(), core, at + 1);
        }
    }
}
