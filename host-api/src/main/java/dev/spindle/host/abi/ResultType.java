package dev.spindle.host.abi;

import java.util.Arrays;

/**
 * {@code result<T, E>} as a {@link Result}: a variant {@code ok(T) | err(E)}, either side
 * possibly without a payload ({@code result<_, E>}, {@code result<T>}, {@code result}); a missing
 * side's Java value is null.
 */
public final class ResultType<T, E> extends WitType<Result<T, E>> {

    private final WitType<T> ok;
    private final WitType<E> err;
    private final VariantLayout layout;

    ResultType(WitType<T> ok, WitType<E> err) {
        this(ok, err, VariantLayout.of(Arrays.asList(ok, err)));
    }

    private ResultType(WitType<T> ok, WitType<E> err, VariantLayout layout) {
        super(layout.size, layout.alignment, layout.flat, anyAllocates(Arrays.asList(ok, err)), anyHoldsHandles(Arrays.asList(ok, err)));
        this.ok = ok;
        this.err = err;
        this.layout = layout;
    }

    /** The ok type, or null for none. */
    public WitType<T> ok() {
        return ok;
    }

    /** The error type, or null for none. */
    public WitType<E> err() {
        return err;
    }

    /** Offset of the payload (ok or err) from the start of the result. */
    public int payloadOffset() {
        return layout.payloadOffset;
    }

    @Override
    public String wit() {
        if (ok == null && err == null) {
            return "result";
        }
        if (err == null) {
            return "result<" + ok.wit() + ">";
        }
        return "result<" + (ok == null ? "_" : ok.wit()) + ", " + err.wit() + ">";
    }



    @Override
    public Result<T, E> load(AbiContext cx, int address) {
        int at = address + layout.payloadOffset;
        if (layout.loadCase(cx.memory(), address, "result") == 0) {
            return ok == null ? Result.ok() : Result.ok(ok.load(cx, at));
        }
        return Result.err(err == null ? null : err.load(cx, at));
    }

    @Override
    long hostBytes(AbiContext cx, int address) {
        WitType<?> payload = layout.loadCase(cx.memory(), address, "result") == 0 ? ok : err;
        return payload == null || !payload.allocates() ? 0 : payload.hostBytes(cx, address + layout.payloadOffset);
    }

    @Override
    public Result<T, E> liftFlat(AbiContext cx, long[] core, int at) {
        if (layout.liftCase(core, at, "result") == 0) {
            return ok == null ? Result.ok() : Result.ok(ok.liftFlat(cx, core, at + 1));
        }
        return Result.err(err == null ? null : err.liftFlat(cx, core, at + 1));
    }

    @Override
    public void store(AbiContext cx, int address, Result<T, E> value) {
        int at = address + layout.payloadOffset;
        if (value instanceof Result.Ok<T, E> o) {
            layout.storeCase(cx.memory(), address, 0);
            if (ok != null) {
                ok.store(cx, at, o.value());
            }
        } else {
            layout.storeCase(cx.memory(), address, 1);
            if (err != null) {
                err.store(cx, at, ((Result.Err<T, E>) value).error());
            }
        }
    }

    @Override
    public void lowerFlat(AbiContext cx, Result<T, E> value, long[] core, int at) {
        if (value instanceof Result.Ok<T, E> o) {
            layout.lowerCase(core, at, 0);
            if (ok != null) {
                ok.lowerFlat(cx, o.value(), core, at + 1);
            }
        } else {
            layout.lowerCase(core, at, 1);
            if (err != null) {
                err.lowerFlat(cx, ((Result.Err<T, E>) value).error(), core, at + 1);
            }
        }
    }
}
