package dev.spindle.host.abi;

import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.HostImport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A host interface declared once: its import module, its functions (WIT signature plus the Java
 * implementation), and the resources whose {@code [resource-drop]} it exports. Everything about
 * the core ABI — core signatures, return areas, spilled parameters, which imports need the
 * guest's allocator — is derived from the declaration when it is built.
 *
 * <pre>{@code
 * static final WitInterface<Vars> VARIABLES = WitInterface.<Vars>builder("fermyon:spin/variables@2.0.0")
 *         .func("get", param("name", STRING), result(STRING, ERROR), Vars::get)
 *         .build();
 * ...
 * List<HostImport> imports = VARIABLES.bind(new Vars(...), scope);  // per instance, no layout work
 * }</pre>
 *
 * <p>A call runs: check the return area (a bad {@code retptr} traps before anything happens),
 * then, inside the interface's {@link Interceptor}, lift the parameters in order (a bad pointer,
 * invalid UTF-8 or an unknown handle traps) and run the implementation; then lower its result.
 *
 * @param <S> the per-instance state the implementations receive first
 */
public final class WitInterface<S> {

    /** Wraps every call of an interface: deadlines, accounting, mapping exceptions to error values. */
    @FunctionalInterface
    public interface Interceptor<S> {
        /**
         * @param function the function being called
         * @param call lifts the arguments and runs the implementation; returns its Java result
         * @return the Java value of the function's result (null when it has none)
         */
        Object intercept(S state, WitFunction function, Supplier<Object> call);
    }

    /** An implementation, as the builder stores it: reads its own arguments, returns its result. */
    private interface Body<S> {
        Object run(S state, AbiContext cx, long[] core, int base);
    }

    /** Reads one parameter: flat from the core values, or from the spilled parameter tuple at {@code base}. */
    private interface Arg<T> {
        T read(AbiContext cx, long[] core, int base);
    }

    /** One declared function. */
    public static final class Function<S> {
        private final WitFunction signature;
        private final Body<S> body;
        // Its import's core signature, copied once: bind runs per invocation, and HostImport's
        // List.copyOf of an immutable list returns it as it is.
        private final List<ValType> coreParams;
        private final List<ValType> coreResults;

        private Function(WitFunction signature, Body<S> body) {
            this.signature = signature;
            this.body = body;
            this.coreParams = List.copyOf(signature.importType().params());
            this.coreResults = List.copyOf(signature.importType().returns());
        }

        public WitFunction signature() {
            return signature;
        }
    }

    private final String module;
    private final AbiOptions options;
    private final List<Function<S>> functions;
    private final List<ResourceType<?>> resources;
    private final Interceptor<S> interceptor;

    private WitInterface(String module, AbiOptions options, List<Function<S>> functions, List<ResourceType<?>> resources,
            Interceptor<S> interceptor) {
        this.module = module;
        this.options = options;
        this.functions = List.copyOf(functions);
        this.resources = List.copyOf(resources);
        this.interceptor = interceptor;
    }

    public static <S> Builder<S> builder(String module) {
        return new Builder<>(module, AbiOptions.CANONICAL);
    }

    /** For guests built with other conventions ({@link AbiOptions#WIT_BINDGEN_0_2}). */
    public static <S> Builder<S> builder(String module, AbiOptions options) {
        return new Builder<>(module, options);
    }

    public String module() {
        return module;
    }

    public AbiOptions options() {
        return options;
    }

    /** The declared functions, {@code [resource-drop]} ones included, in declaration order. */
    public List<WitFunction> functions() {
        List<WitFunction> out = new ArrayList<>();
        functions.forEach(f -> out.add(f.signature));
        return Collections.unmodifiableList(out);
    }

    public List<ResourceType<?>> resources() {
        return resources;
    }

    /**
     * The host functions of this interface for one instance: cheap (closures over {@code state}
     * and {@code scope}), no I/O, no layout work; each is made when it is first read
     * ({@link #bindAll}).
     */
    public List<HostImport> bind(S state, InstanceScope scope) {
        return bindAll(List.of(this), null, state, scope);
    }

    /**
     * The host functions of {@code interfaces} (those among {@code importedModules}; null: all),
     * in order, for one instance. Engines bind on every invocation that calls a capability, and a
     * guest calls a few of the dozens of functions a capability declares, so the list makes each
     * host function when it is read ({@link Bound}).
     */
    public static <S> List<HostImport> bindAll(List<WitInterface<S>> interfaces, java.util.Set<String> importedModules,
                                               S state, InstanceScope scope) {
        List<WitInterface<S>> chosen = new ArrayList<>(interfaces.size());
        for (WitInterface<S> i : interfaces) {
            if (importedModules == null || importedModules.contains(i.module)) {
                chosen.add(i);
            }
        }
        return new Bound<>(chosen, state, scope);
    }

    /**
     * Bound interfaces as an immutable list of host functions, each made when it is first read
     * (an {@link AbiContext} per interface, shared by its functions, as eager binding had).
     */
    public static final class Bound<S> extends java.util.AbstractList<HostImport> implements java.util.RandomAccess {
        private final List<WitInterface<S>> interfaces;
        private final S state;
        private final InstanceScope scope;
        private final AbiContext[] contexts;
        private final int size;

        private Bound(List<WitInterface<S>> interfaces, S state, InstanceScope scope) {
            this.interfaces = interfaces;
            this.state = state;
            this.scope = scope;
            this.contexts = new AbiContext[interfaces.size()];
            int n = 0;
            for (WitInterface<S> i : interfaces) {
                n += i.functions.size();
            }
            this.size = n;
        }

        @Override
        public HostImport get(int index) {
            java.util.Objects.checkIndex(index, size);
            int at = index;
            for (int k = 0; ; k++) {
                WitInterface<S> i = interfaces.get(k);
                if (at < i.functions.size()) {
                    AbiContext cx = contexts[k];
                    if (cx == null) {
                        cx = contexts[k] = new AbiContext(scope, i.options);
                    }
                    return i.hostImport(i.functions.get(at), state, cx);
                }
                at -= i.functions.size();
            }
        }

        @Override
        public int size() {
            return size;
        }
    }

    private HostImport hostImport(Function<S> f, S state, AbiContext cx) {
        WitFunction sig = f.signature;
        return new HostImport(module, sig.name(), f.coreParams, f.coreResults,
                sig.importAllocates() ? options.reallocExport() : null,
                (memory, core) -> call(f, state, cx, memory, core));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private long[] call(Function<S> f, S state, AbiContext cx, GuestMemory memory, long[] core) {
        WitFunction sig = f.signature;
        GuestMemory m = cx.scope().attach(memory.instance());
        int retptr = 0;
        if (sig.resultInMemory()) {
            retptr = (int) core[core.length - 1];
            sig.checkReturnArea(m, retptr);
        }
        int base = 0;
        if (sig.paramsInMemory()) {
            base = (int) core[0];
            m.checkReturnArea(base, sig.paramAreaSize(), sig.paramAreaAlignment());
        }
        int spilled = base;
        Object value = interceptor == null
                ? f.body.run(state, cx, core, spilled)
                : interceptor.intercept(state, sig, () -> f.body.run(state, cx, core, spilled));
        WitType result = sig.resultOrNull();
        if (result == null) {
            return null;
        }
        if (sig.resultInMemory()) {
            result.store(cx, retptr, value);
            return null;
        }
        long[] out = new long[1];
        result.lowerFlat(cx, value, out, 0);
        return out;
    }

    // ---- implementations by arity ----

    @FunctionalInterface
    public interface Fn0<S, R> { R apply(S s); }

    @FunctionalInterface
    public interface Fn1<S, A, R> { R apply(S s, A a); }

    @FunctionalInterface
    public interface Fn2<S, A, B, R> { R apply(S s, A a, B b); }

    @FunctionalInterface
    public interface Fn3<S, A, B, C, R> { R apply(S s, A a, B b, C c); }

    @FunctionalInterface
    public interface Fn4<S, A, B, C, D, R> { R apply(S s, A a, B b, C c, D d); }

    @FunctionalInterface
    public interface Fn5<S, A, B, C, D, E, R> { R apply(S s, A a, B b, C c, D d, E e); }

    @FunctionalInterface
    public interface Fn6<S, A, B, C, D, E, F, R> { R apply(S s, A a, B b, C c, D d, E e, F f); }

    /** An implementation taking its arguments as an array, for functions with many parameters. */
    @FunctionalInterface
    public interface FnN<S, R> { R apply(S s, Object[] args); }

    /** Declares an interface's functions and resources; {@link #build} computes every layout. */
    public static final class Builder<S> {
        private final String module;
        private final AbiOptions options;
        private final List<Function<S>> functions = new ArrayList<>();
        private final List<ResourceType<?>> resources = new ArrayList<>();
        private Interceptor<S> interceptor;

        private Builder(String module, AbiOptions options) {
            this.module = Objects.requireNonNull(module, "module");
            this.options = Objects.requireNonNull(options, "options");
        }

        /** Wraps every call (one per interface). */
        public Builder<S> intercept(Interceptor<S> interceptor) {
            this.interceptor = Objects.requireNonNull(interceptor, "interceptor");
            return this;
        }

        /**
         * Declares {@code resource} and its {@code [resource-drop]<name>} import, which removes the
         * handle from the instance's table and closes the resource (an unknown handle, or a parent
         * with live children, traps).
         */
        public Builder<S> resource(ResourceType<?> resource) {
            resources.add(resource);
            WitFunction sig = new WitFunction("[resource-drop]" + resource.name(),
                    List.of(Param.param("handle", Wit.U32)), null);
            functions.add(new Function<>(sig, (s, cx, core, base) -> {
                cx.resources().drop(resource, (int) core[0]);
                return null;
            }));
            return this;
        }

        private <T> Arg<T> arg(WitFunction sig, int i, Param<T> p) {
            WitType<T> t = p.type();
            if (sig.paramsInMemory()) {
                int offset = sig.paramMemoryOffset(i);
                return (cx, core, base) -> t.load(cx, base + offset);
            }
            int at = sig.paramFlatOffset(i);
            return (cx, core, base) -> t.liftFlat(cx, core, at);
        }

        private Builder<S> add(String name, List<Param<?>> params, WitType<?> result, java.util.function.Function<WitFunction, Body<S>> body) {
            WitFunction sig = new WitFunction(name, params, result);
            for (Function<S> f : functions) {
                if (f.signature.name().equals(name)) {
                    throw new IllegalArgumentException(module + " declares " + name + " twice");
                }
            }
            functions.add(new Function<>(sig, body.apply(sig)));
            return this;
        }

        public <R> Builder<S> func(String name, WitType<R> result, Fn0<S, R> impl) {
            return add(name, List.of(), result, sig -> (s, cx, core, base) -> impl.apply(s));
        }

        public <A, R> Builder<S> func(String name, Param<A> a, WitType<R> result, Fn1<S, A, R> impl) {
            return add(name, List.of(a), result, sig -> {
                Arg<A> ra = arg(sig, 0, a);
                return (s, cx, core, base) -> impl.apply(s, ra.read(cx, core, base));
            });
        }

        public <A, B, R> Builder<S> func(String name, Param<A> a, Param<B> b, WitType<R> result, Fn2<S, A, B, R> impl) {
            return add(name, List.of(a, b), result, sig -> {
                Arg<A> ra = arg(sig, 0, a);
                Arg<B> rb = arg(sig, 1, b);
                return (s, cx, core, base) -> impl.apply(s, ra.read(cx, core, base), rb.read(cx, core, base));
            });
        }

        public <A, B, C, R> Builder<S> func(String name, Param<A> a, Param<B> b, Param<C> c, WitType<R> result,
                Fn3<S, A, B, C, R> impl) {
            return add(name, List.of(a, b, c), result, sig -> {
                Arg<A> ra = arg(sig, 0, a);
                Arg<B> rb = arg(sig, 1, b);
                Arg<C> rc = arg(sig, 2, c);
                return (s, cx, core, base) -> impl.apply(s, ra.read(cx, core, base), rb.read(cx, core, base),
                        rc.read(cx, core, base));
            });
        }

        public <A, B, C, D, R> Builder<S> func(String name, Param<A> a, Param<B> b, Param<C> c, Param<D> d,
                WitType<R> result, Fn4<S, A, B, C, D, R> impl) {
            return add(name, List.of(a, b, c, d), result, sig -> {
                Arg<A> ra = arg(sig, 0, a);
                Arg<B> rb = arg(sig, 1, b);
                Arg<C> rc = arg(sig, 2, c);
                Arg<D> rd = arg(sig, 3, d);
                return (s, cx, core, base) -> impl.apply(s, ra.read(cx, core, base), rb.read(cx, core, base),
                        rc.read(cx, core, base), rd.read(cx, core, base));
            });
        }

        public <A, B, C, D, E, R> Builder<S> func(String name, Param<A> a, Param<B> b, Param<C> c, Param<D> d,
                Param<E> e, WitType<R> result, Fn5<S, A, B, C, D, E, R> impl) {
            return add(name, List.of(a, b, c, d, e), result, sig -> {
                Arg<A> ra = arg(sig, 0, a);
                Arg<B> rb = arg(sig, 1, b);
                Arg<C> rc = arg(sig, 2, c);
                Arg<D> rd = arg(sig, 3, d);
                Arg<E> re = arg(sig, 4, e);
                return (s, cx, core, base) -> impl.apply(s, ra.read(cx, core, base), rb.read(cx, core, base),
                        rc.read(cx, core, base), rd.read(cx, core, base), re.read(cx, core, base));
            });
        }

        public <A, B, C, D, E, F, R> Builder<S> func(String name, Param<A> a, Param<B> b, Param<C> c, Param<D> d,
                Param<E> e, Param<F> f, WitType<R> result, Fn6<S, A, B, C, D, E, F, R> impl) {
            return add(name, List.of(a, b, c, d, e, f), result, sig -> {
                Arg<A> ra = arg(sig, 0, a);
                Arg<B> rb = arg(sig, 1, b);
                Arg<C> rc = arg(sig, 2, c);
                Arg<D> rd = arg(sig, 3, d);
                Arg<E> re = arg(sig, 4, e);
                Arg<F> rf = arg(sig, 5, f);
                return (s, cx, core, base) -> impl.apply(s, ra.read(cx, core, base), rb.read(cx, core, base),
                        rc.read(cx, core, base), rd.read(cx, core, base), re.read(cx, core, base), rf.read(cx, core, base));
            });
        }

        /** Any number of parameters; {@code result} may be null for a function without result. */
        public <R> Builder<S> func(String name, List<Param<?>> params, WitType<R> result, FnN<S, R> impl) {
            return add(name, params, result, sig -> {
                List<Arg<?>> readers = new ArrayList<>();
                for (int i = 0; i < params.size(); i++) {
                    readers.add(arg(sig, i, params.get(i)));
                }
                return (s, cx, core, base) -> {
                    Object[] args = new Object[readers.size()];
                    for (int i = 0; i < args.length; i++) {
                        args[i] = readers.get(i).read(cx, core, base);
                    }
                    return impl.apply(s, args);
                };
            });
        }

        // Functions without a result: the implementation returns nothing.

        @FunctionalInterface
        public interface Act1<S, A> { void apply(S s, A a); }

        @FunctionalInterface
        public interface Act2<S, A, B> { void apply(S s, A a, B b); }

        @FunctionalInterface
        public interface Act3<S, A, B, C> { void apply(S s, A a, B b, C c); }

        public <A> Builder<S> action(String name, Param<A> a, Act1<S, A> impl) {
            return add(name, List.of(a), null, sig -> {
                Arg<A> ra = arg(sig, 0, a);
                return (s, cx, core, base) -> {
                    impl.apply(s, ra.read(cx, core, base));
                    return null;
                };
            });
        }

        public <A, B> Builder<S> action(String name, Param<A> a, Param<B> b, Act2<S, A, B> impl) {
            return add(name, List.of(a, b), null, sig -> {
                Arg<A> ra = arg(sig, 0, a);
                Arg<B> rb = arg(sig, 1, b);
                return (s, cx, core, base) -> {
                    impl.apply(s, ra.read(cx, core, base), rb.read(cx, core, base));
                    return null;
                };
            });
        }

        public <A, B, C> Builder<S> action(String name, Param<A> a, Param<B> b, Param<C> c, Act3<S, A, B, C> impl) {
            return add(name, List.of(a, b, c), null, sig -> {
                Arg<A> ra = arg(sig, 0, a);
                Arg<B> rb = arg(sig, 1, b);
                Arg<C> rc = arg(sig, 2, c);
                return (s, cx, core, base) -> {
                    impl.apply(s, ra.read(cx, core, base), rb.read(cx, core, base), rc.read(cx, core, base));
                    return null;
                };
            });
        }

        public WitInterface<S> build() {
            return new WitInterface<>(module, options, functions, resources, interceptor);
        }
    }
}
