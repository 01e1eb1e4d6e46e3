package dev.spindle.host.abi;

import com.dylibso.chicory.runtime.ExportFunction;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.GuestTrapException;
import java.util.List;

/**
 * A function a guest exports and the host calls (a trigger's handler), declared once by its WIT
 * signature. A call lowers the arguments (strings and lists allocated through the guest's realloc,
 * parameters spilled to memory past 16 core values, resources handed over or lent), calls the
 * export, lifts the result (from the returned pointer when it does not fit one core value; the
 * pointer is checked first), and releases the guest's result memory: {@code cabi_post_<name>}
 * when the guest has it, or wit-bindgen 0.2's {@code canonical_abi_free} per returned buffer
 * ({@link AbiOptions}).
 *
 * @param <R> the Java type of the result (Void when there is none)
 */
public class GuestExport<R> {
    private final WitFunction signature;
    private final String postReturn;

    GuestExport(WitFunction signature) {
        this.signature = signature;
        this.postReturn = AbiOptions.postReturnExport(signature.name());
    }

    /** An export of any arity; prefer the typed {@link #of(String, Param, WitType)} forms. */
    public static <R> GuestExport<R> of(String name, List<Param<?>> params, WitType<R> result) {
        return new GuestExport<>(new WitFunction(name, params, result));
    }

    public static <R> Nullary<R> of(String name, WitType<R> result) {
        return new Nullary<>(new WitFunction(name, List.of(), result));
    }

    public static <A, R> Unary<A, R> of(String name, Param<A> a, WitType<R> result) {
        return new Unary<>(new WitFunction(name, List.of(a), result));
    }

    public static <A, B, R> Binary<A, B, R> of(String name, Param<A> a, Param<B> b, WitType<R> result) {
        return new Binary<>(new WitFunction(name, List.of(a, b), result));
    }

    /** The same export under another name (wit-bindgen 0.2 guests export some entry points under older names). */
    @SuppressWarnings("unchecked")
    public <E extends GuestExport<R>> E named(String name) {
        WitFunction renamed = new WitFunction(name, signature.params(), signature.resultOrNull());
        if (this instanceof Nullary) {
            return (E) new Nullary<R>(renamed);
        }
        if (this instanceof Unary) {
            return (E) new Unary<>(renamed);
        }
        if (this instanceof Binary) {
            return (E) new Binary<>(renamed);
        }
        return (E) new GuestExport<R>(renamed);
    }

    public WitFunction signature() {
        return signature;
    }

    public String name() {
        return signature.name();
    }

    /** The post-return export the canonical convention calls, {@code cabi_post_<name>}. */
    public String postReturnExport() {
        return postReturn;
    }

    /**
     * Calls the export {@code fn} of the instance {@code cx} is attached to.
     *
     * @throws GuestTrapException when the guest's results break the ABI (wrong count, a bad
     *     pointer, invalid UTF-8, an out-of-range discriminant)
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public R callWith(AbiContext cx, ExportFunction fn, Object... args) {
        List<Param<?>> params = signature.params();
        if (args.length != params.size()) {
            throw new IllegalArgumentException(name() + " takes " + params.size() + " arguments, not " + args.length);
        }
        GuestMemory m = cx.memory();
        cx.startLending();
        try {
            long[] core;
            if (signature.paramsInMemory()) {
                int ptr = cx.allocate(signature.paramAreaAlignment(), signature.paramAreaSize());
                for (int i = 0; i < args.length; i++) {
                    ((WitType) params.get(i).type()).store(cx, ptr + signature.paramMemoryOffset(i), args[i]);
                }
                core = new long[] {Integer.toUnsignedLong(ptr)};
            } else {
                core = new long[signature.exportType().params().size()];
                for (int i = 0; i < args.length; i++) {
                    ((WitType) params.get(i).type()).lowerFlat(cx, args[i], core, signature.paramFlatOffset(i));
                }
            }
            long[] results = fn.apply(core);
            WitType<R> result = (WitType<R>) signature.resultOrNull();
            int expected = signature.exportType().returns().size();
            if ((results == null ? 0 : results.length) != expected) {
                throw new GuestTrapException(name() + " must return " + expected + " core value" + (expected == 1 ? "" : "s")
                        + (signature.resultInMemory() ? " (a pointer to the result)" : ""));
            }
            if (result == null) {
                postReturn(cx, m, results, List.of());
                return null;
            }
            R value;
            List<int[]> buffers;
            cx.startCollectingReturnedBuffers();
            try {
                if (signature.resultInMemory()) {
                    int ptr = (int) results[0];
                    signature.checkReturnArea(m, ptr);
                    value = result.load(cx, ptr);
                } else {
                    value = result.liftFlat(cx, results, 0);
                }
            } finally {
                buffers = cx.stopCollectingReturnedBuffers();
            }
            postReturn(cx, m, results, buffers);
            return value;
        } finally {
            cx.endLending();
        }
    }

    private void postReturn(AbiContext cx, GuestMemory m, long[] results, List<int[]> buffers) {
        if (cx.options().freeExport().isPresent()) {
            ExportFunction free = m.export(cx.options().freeExport().get());
            if (free != null) { // a guest without it keeps its memory: that only costs the guest
                for (int[] b : buffers) {
                    free.apply(b[0], b[1], b[2]);
                }
            }
            return;
        }
        ExportFunction post = m.export(postReturn);
        if (post != null) {
            post.apply(results == null ? new long[0] : results);
        }
    }

    @Override
    public String toString() {
        return signature.wit();
    }

    /** An export without parameters. */
    public static final class Nullary<R> extends GuestExport<R> {
        Nullary(WitFunction signature) {
            super(signature);
        }

        public R call(AbiContext cx, ExportFunction fn) {
            return callWith(cx, fn);
        }
    }

    /** An export of one parameter. */
    public static final class Unary<A, R> extends GuestExport<R> {
        Unary(WitFunction signature) {
            super(signature);
        }

        public R call(AbiContext cx, ExportFunction fn, A a) {
            return callWith(cx, fn, a);
        }
    }

    /** An export of two parameters. */
    public static final class Binary<A, B, R> extends GuestExport<R> {
        Binary(WitFunction signature) {
            super(signature);
        }

        public R call(AbiContext cx, ExportFunction fn, A a, B b) {
            return callWith(cx, fn, a, b);
        }
    }
}
