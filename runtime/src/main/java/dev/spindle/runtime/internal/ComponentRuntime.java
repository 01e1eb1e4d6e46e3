package dev.spindle.runtime.internal;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.spindle.component.ComponentDecoder;
import dev.spindle.component.ComponentFormatException;
import dev.spindle.component.ComponentInstance;
import dev.spindle.component.ComponentInstantiator;
import dev.spindle.component.Inliner;
import dev.spindle.component.InstantiationPlan;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostCalls;
import dev.spindle.host.HostCapability;
import dev.spindle.host.HostImport;
import dev.spindle.host.HostLog;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.abi.InstanceScope;
import dev.spindle.host.abi.ResourceTable;
import dev.spindle.runtime.LoadException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One component, parsed, validated, linked and compiled once at load; it stamps out a fresh
 * instance for every invocation (Spin's isolation model) and tears it down afterwards.
 *
 * <p>The compiled machine factory is shared by all instances and threads; an instance itself
 * is confined to the invocation thread that created it.
 */
public final class ComponentRuntime {
    private static final String INITIALIZE_EXPORT = "_initialize";

    private final ComponentContext context;
    private final WasmModule module; // null for a Component Model binary
    private final ComponentInstantiator component; // null for a core module
    private final ComponentInstantiator pooledComponent; // the same, building memories and tables that can be restored
    private final Function<Instance, Machine> machineFactory; // null: Chicory's interpreter
    private final MemoryLimits memoryLimits; // null: the module has no memory
    private final Map<String, String> environment;
    private final List<HostCapability> capabilities;
    private final Optional<Path> files; // the in-memory copy of the component's `files`, mounted at /
    /** Host function key -> the module names the guest imports it under; only these are bound per instance. */
    private final Map<String, List<String>> importedAs;
    private final HostLinks links;
    private InstancePool pool; // null: a fresh instance per invocation (see InstanceImage.notPoolable)
    /** The host's module names the guest imports from (after version matching): an unpooled instance binds only these. */
    private final java.util.Set<String> importedModules;

    private ComponentRuntime(
            ComponentContext context,
            WasmModule module,
            ComponentInstantiator component,
            ComponentInstantiator pooledComponent,
            Function<Instance, Machine> machineFactory,
            MemoryLimits memoryLimits,
            Map<String, String> environment,
            List<HostCapability> capabilities,
            Optional<Path> files,
            Map<String, List<String>> importedAs) {
        this.context = context;
        this.module = module;
        this.component = component;
        this.pooledComponent = pooledComponent;
        this.machineFactory = machineFactory;
        this.memoryLimits = memoryLimits;
        this.environment = Map.copyOf(environment);
        this.capabilities = List.copyOf(capabilities);
        this.files = files;
        this.importedAs = Map.copyOf(importedAs);
        java.util.Set<String> modules = new java.util.HashSet<>();
        importedAs.keySet().forEach(key -> modules.add(key.substring(0, key.lastIndexOf('#'))));
        this.importedModules = java.util.Set.copyOf(modules);
        // A core module's imports are known by host module; a component's lowerings are matched by
        // version later (HostLinks.findVersioned), so its capabilities bind everything.
        this.links = HostLinks.probe(context, this.capabilities, component != null ? null : this.importedModules);
        this.pool = poolable() ? new InstancePool(component != null ? new ComponentInstances() : new ModuleInstances(),
                links, new NeutralHosts()) : null;
    }

    /** This runtime, without its pool when {@code reuse} is false (set once, at load). */
    private ComponentRuntime reusing(boolean reuse) {
        if (!reuse) {
            pool = null;
        }
        return this;
    }

    private boolean poolable() {
        if (component != null) {
            return component.plan().modules().stream().allMatch(InstanceImage::poolable);
        }
        return InstanceImage.poolable(module);
    }

    /** {@link #load(ComponentContext, byte[], boolean, long, Map, List, Optional, CompileCache)} without a compile cache. */
    public static ComponentRuntime load(
            ComponentContext context,
            byte[] wasm,
            boolean interpreter,
            long memoryLimitBytes,
            Map<String, String> environment,
            List<HostCapability> capabilities,
            Optional<Path> files) {
        return load(context, wasm, interpreter, memoryLimitBytes, environment, capabilities, files, null);
    }

    /**
     * Parses, validates, links and (unless {@code interpreter}) compiles a component — a core
     * module, or a Component Model binary whose core modules are each compiled; {@code files} is
     * mounted read-only at {@code /}. With a {@code cache}, compiled classes are loaded from it when
     * present and stored in it otherwise; a module found there is not validated again (its entry
     * exists because the same bytes were validated and compiled before).
     */
    public static ComponentRuntime load(
            ComponentContext context,
            byte[] wasm,
            boolean interpreter,
            long memoryLimitBytes,
            Map<String, String> environment,
            List<HostCapability> capabilities,
            Optional<Path> files,
            CompileCache cache) {
        return load(context, wasm, interpreter, memoryLimitBytes, environment, capabilities, files, cache, true);
    }

    /** ... with {@code reuseInstances} false, a fresh instance for every invocation (no {@link InstancePool}). */
    public static ComponentRuntime load(
            ComponentContext context,
            byte[] wasm,
            boolean interpreter,
            long memoryLimitBytes,
            Map<String, String> environment,
            List<HostCapability> capabilities,
            Optional<Path> files,
            CompileCache cache,
            boolean reuseInstances) {
        String id = context.componentId();
        if (ComponentDecoder.kind(wasm) == ComponentDecoder.Kind.COMPONENT) {
            return loadComponent(context, wasm, interpreter, memoryLimitBytes, environment, capabilities, files, cache)
                    .reusing(reuseInstances);
        }
        CoreModules modules = new CoreModules(id, !interpreter, cache);
        WasmModule module = modules.parse(wasm, "source is not a valid WebAssembly module");
        Map<String, List<String>> importedAs = checkLinks(context, module, capabilities);
        MemoryLimits limits = memoryLimits(id, module, memoryLimitBytes);
        Function<Instance, Machine> factory = interpreter ? null : modules.compile(module);
        return new ComponentRuntime(context, module, null, null, factory, limits, environment, capabilities, files, importedAs)
                .reusing(reuseInstances);
    }

    private static ComponentRuntime loadComponent(
            ComponentContext context,
            byte[] wasm,
            boolean interpreter,
            long memoryLimitBytes,
            Map<String, String> environment,
            List<HostCapability> capabilities,
            Optional<Path> files,
            CompileCache cache) {
        String id = context.componentId();
        CoreModules modules = new CoreModules(id, !interpreter, cache);
        InstantiationPlan plan;
        try {
            plan = Inliner.plan(ComponentDecoder.decode(wasm),
                    bytes -> modules.parse(bytes, "an embedded core module is not valid"));
        } catch (ComponentFormatException e) {
            throw new LoadException("component \"" + id + "\": " + oneLine(e));
        }
        ComponentInstantiator probe = new ComponentInstantiator(plan, (m, b) -> { });
        checkComponentLinks(context, probe.hostNeeds(), capabilities);
        Map<WasmModule, Function<Instance, Machine>> factories = new IdentityHashMap<>();
        Map<WasmModule, MemoryLimits> limits = new IdentityHashMap<>();
        for (WasmModule m : plan.modules()) {
            if (!interpreter) {
                factories.put(m, modules.compile(m));
            }
            MemoryLimits l = memoryLimits(id, m, memoryLimitBytes);
            if (l != null) {
                limits.put(m, l);
            }
        }
        ComponentInstantiator instantiator = new ComponentInstantiator(plan, (m, builder) -> {
            builder.withMemoryFactory(ByteArrayMemory::new);
            configure(builder, limits.get(m), factories.get(m));
        });
        ComponentInstantiator pooled = new ComponentInstantiator(plan, (m, builder) -> {
            builder.withMemoryFactory(SnapshotMemory::new).withTableFactory(SnapshotTable::new);
            configure(builder, limits.get(m), factories.get(m));
        });
        return new ComponentRuntime(context, null, instantiator, pooled, null, null, environment, capabilities, files, Map.of());
    }

    private static void configure(Instance.Builder builder, MemoryLimits limits, Function<Instance, Machine> factory) {
        if (limits != null) {
            builder.withMemoryLimits(limits);
        }
        if (factory != null) {
            builder.withMachineFactory(factory);
        }
    }

    /** Every host function a component's lowerings name must exist with the same core type. */
    private static void checkComponentLinks(ComponentContext context, List<ComponentInstantiator.HostNeed> needs,
                                            List<HostCapability> capabilities) {
        List<String> problems = new ArrayList<>();
        try (ComponentBindings probe = new ComponentBindings(context, capabilities)) {
            for (ComponentInstantiator.HostNeed need : needs) {
                String what = "\"" + need.module() + "\" \"" + need.name() + "\"";
                Optional<HostImport> imp = probe.find(need.module(), need.name());
                if (imp.isEmpty()) {
                    problems.add("imports " + what + ", which the host does not provide (interfaces provided: "
                            + String.join(", ", probe.provided()) + ")");
                    continue;
                }
                var type = com.dylibso.chicory.wasm.types.FunctionType.of(imp.get().params(), imp.get().results());
                if (!type.equals(need.type())) {
                    problems.add("imports " + what + " with core type " + need.type() + ", but the host's has type " + type);
                } else if (imp.get().allocates() && !need.hasRealloc()) {
                    problems.add("lowers " + what + " without a realloc option, but it returns strings or lists");
                }
            }
        }
        if (!problems.isEmpty()) {
            // Said at the end, so every "cannot be linked" message starts alike for modules and components.
            throw new LoadException("component \"" + context.componentId() + "\" cannot be linked: " + String.join("; ", problems)
                    + " (it is a Component Model binary; spindle run refuses it until those imports are provided)");
        }
    }

    /** Copies a component's {@code files} into memory; empty when it has none. */
    public static Optional<Path> snapshotFiles(String componentId, Path baseDir, List<dev.spindle.manifest.FileMount> mounts, List<String> excludes) {
        return GuestFiles.snapshot(componentId, baseDir, mounts, excludes);
    }

    /**
     * Every import of the module must be provided, with its core type; each function is provided
     * once: two capabilities (or one and WASI) offering the same import would leave it to chance
     * which one a guest reaches, so that refuses the app, naming both.
     */
    private static Map<String, List<String>> checkLinks(ComponentContext context, WasmModule module, List<HostCapability> capabilities) {
        Map<String, HostFunction> provided = new HashMap<>();
        Map<String, String> providers = new HashMap<>();
        Map<String, String> allocating = new HashMap<>();
        try (WasiPreview1 wasi = WasiPreview1.builder().withLogger(QuietWasiLogger.INSTANCE).build()) {
            for (HostFunction fn : wasi.toHostFunctions()) {
                String key = Linker.key(fn.module(), fn.name());
                provided.put(key, fn);
                providers.put(key, "WASI preview1");
            }
        }
        for (HostCapability capability : capabilities) {
            try (InstanceBinding probe = capability.bind(context, new InstanceScope())) {
                for (HostImport imp : probe.imports()) {
                    String key = Linker.key(imp.module(), imp.name());
                    String other = providers.putIfAbsent(key, capability.getClass().getName());
                    if (other != null) {
                        throw new LoadException("host capabilities " + other + " and " + capability.getClass().getName()
                                + " both provide \"" + imp.module() + "\" \"" + imp.name() + "\"; give each import one provider");
                    }
                    provided.put(key, imp.toHostFunction());
                    if (imp.allocates()) {
                        allocating.put(key, imp.allocator());
                    }
                }
            }
        }
        return Linker.check(context.componentId(), module, provided, allocating);
    }

    /** Keeps the module's declared initial size and caps the maximum, never loosening the module's own. */
    private static MemoryLimits memoryLimits(String id, WasmModule module, long memoryLimitBytes) {
        if (module.memorySection().isEmpty() || module.memorySection().get().memoryCount() == 0) {
            return null;
        }
        MemoryLimits declared = module.memorySection().get().getMemory(0).limits();
        int capPages = (int) Math.min(MemoryLimits.MAX_PAGES, memoryLimitBytes / 65536);
        if (declared.initialPages() > capPages) {
            throw new LoadException("component \"" + id + "\": its memory starts at " + declared.initialPages() * 64L
                    + " KiB, above the limit of " + capPages * 64L + " KiB (raise --memory-limit)");
        }
        return new MemoryLimits(declared.initialPages(), Math.min(declared.maximumPages(), capPages), declared.shared());
    }

    public String componentId() {
        return context.componentId();
    }

    public boolean exports(String name) {
        return component != null ? component.plan().findExport(name).isPresent() : Linker.exports(module, name);
    }

    /** True for a Component Model binary, false for a core module. */
    public boolean isComponent() {
        return component != null;
    }

    /** The interfaces the component imports: a core module's import module names, a component's imported interfaces. */
    public java.util.Set<String> importedModules() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        if (component != null) {
            out.addAll(component.plan().imports());
            return out;
        }
        for (int i = 0; i < module.importSection().importCount(); i++) {
            out.add(module.importSection().getImport(i).module());
        }
        return out;
    }

    /** The names of the function exports (a component's lifted ones by core-style name), in order. */
    public List<String> functionExports() {
        List<String> out = new ArrayList<>();
        if (component != null) {
            component.plan().exports().forEach(e -> out.add(e.coreName()));
            return out;
        }
        var section = module.exportSection();
        for (int i = 0; i < section.exportCount(); i++) {
            if (section.getExport(i).exportType() == com.dylibso.chicory.wasm.types.ExternalType.FUNCTION) {
                out.add(section.getExport(i).name());
            }
        }
        return out;
    }

    /**
     * Where an instance's WASI streams go, plus per-invocation additions to its WASI context:
     * {@code environment} is added to (and overrides) the component's own environment, and a
     * non-empty {@code arguments} replaces the default argv {@code [component-id]} (WAGI uses both).
     */
    public record Io(InputStream stdin, OutputStream stdout, OutputStream stderr,
                     Map<String, String> environment, List<String> arguments) {
        public Io {
            environment = Map.copyOf(environment);
            arguments = List.copyOf(arguments);
        }

        public Io(InputStream stdin, OutputStream stdout, OutputStream stderr) {
            this(stdin, stdout, stderr, Map.of(), List.of());
        }

        /** Captures stdout into {@code stdout} (WAGI responses); stderr goes to the log prefixed with the component id. */
        public static Io captured(InputStream stdin, OutputStream stdout, String componentId,
                                  Map<String, String> environment, List<String> arguments, HostLog log) {
            return new Io(stdin, stdout, GuestOutput.logged(componentId, "stderr", log), environment, arguments);
        }

        /** A command's output is its product: passed through untouched. */
        public static Io passThrough(InputStream stdin, PrintStream stdout, PrintStream stderr) {
            return new Io(stdin, GuestOutput.passThrough(stdout), GuestOutput.passThrough(stderr));
        }

        /** A server's guests write log lines: each goes to the log ({@link HostLog#guestOutput}) naming the component and stream. */
        public static Io prefixed(InputStream stdin, String componentId, HostLog log) {
            return new Io(stdin, GuestOutput.logged(componentId, "stdout", log), GuestOutput.logged(componentId, "stderr", log));
        }
    }

    /**
     * Runs {@code body} on an instance in the component's initial state with fresh host state,
     * and releases everything the invocation held — on success, trap or interrupt alike. The
     * instance comes from the component's pool of pre-initialized instances ({@link InstancePool})
     * when it can, else it is built afresh. Must run on the invocation thread.
     */
    public <T> T withInstance(Io io, Function<GuestInstance, T> body) {
        if (pool != null) {
            Optional<InstancePool.Pooled> pooled = pool.acquire(!io.environment().isEmpty() || !io.arguments().isEmpty());
            if (pooled.isPresent()) {
                return withPooledInstance(pooled.get(), io, body);
            }
        }
        if (component != null) {
            return withComponentInstance(io, body);
        }
        return withInstance(io, (instance, scope) -> body.apply(GuestInstance.of(instance, scope)));
    }

    /** Why this component does not reuse instances, once known (after its first invocation); empty if it does. */
    public Optional<String> freshInstanceReason() {
        if (pool == null) {
            return Optional.of(poolable() ? "instance reuse is off (SpindleOptions.reuseInstances)"
                    : "its modules keep state outside memories, globals and tables (shared memory, exceptions or GC types)");
        }
        return pool.freshReason();
    }

    /** Instances this component has built so far (0 before the first pooled invocation), for tests and benchmarks. */
    public int instancesBuilt() {
        return pool == null ? 0 : pool.created();
    }

    private <T> T withPooledInstance(InstancePool.Pooled instance, Io io, Function<GuestInstance, T> body) {
        InvocationHost host = new InvocationHost(context, capabilities, links, () -> wasiOptions(io), false, instance.newScope());
        instance.host().begin(host);
        boolean clean = false;
        try {
            T result = body.apply(instance.guest(host.scope()));
            clean = !host.aborted();
            return result;
        } finally {
            instance.host().end();
            logCloseFailures(host.close());
            closeQuietly(io.stdout());
            closeQuietly(io.stderr());
            pool.release(instance, clean);
        }
    }

    private void logCloseFailures(List<RuntimeException> failures) {
        for (RuntimeException e : failures) {
            context.log().warn(context.componentId(), "closing a resource at the end of the invocation failed: " + oneLine(e));
        }
    }

    /** The host state instances are built with outside an invocation: the component's own environment and argv, output to the log. */
    private final class NeutralHosts implements InstancePool.NeutralHosts {
        private final Map<InvocationHost, Io> streams = java.util.Collections.synchronizedMap(new IdentityHashMap<>());

        @Override
        public InvocationHost open(boolean recording) {
            Io io = Io.prefixed(InputStream.nullInputStream(), context.componentId(), context.log());
            InvocationHost host = new InvocationHost(context, capabilities, links, () -> wasiOptions(io), recording);
            streams.put(host, io);
            return host;
        }

        @Override
        public void close(InvocationHost host) {
            logCloseFailures(host.close());
            Io io = streams.remove(host);
            if (io != null) {
                closeQuietly(io.stdout());
                closeQuietly(io.stderr());
            }
        }
    }

    /** Pooled instances of a core module: every import linked through a {@link HostSwitch}. */
    private final class ModuleInstances implements InstancePool.Factory {
        @Override
        public InstancePool.Pooled instantiate(HostSwitch host) {
            ImportValues.Builder imports = ImportValues.builder();
            var section = module.importSection();
            for (int i = 0; i < section.importCount(); i++) {
                var imp = section.getImport(i);
                if (imp instanceof com.dylibso.chicory.wasm.types.FunctionImport f) {
                    imports.addFunction(host.coreImport(imp.module(), imp.name(), module.typeSection().getType(f.typeIndex())));
                }
            }
            Instance.Builder builder = Instance.builder(module)
                    .withImportValues(imports.build())
                    .withStart(false)
                    .withMemoryFactory(SnapshotMemory::new)
                    .withTableFactory(SnapshotTable::new);
            configure(builder, memoryLimits, machineFactory);
            Instance instance = builder.build();
            // One memory view per instance, kept across its invocations: it holds no guest data,
            // only the instance's export lookups (cabi_realloc, the trigger's export).
            return new PooledModule(instance, host, instance.memory() == null ? null : GuestMemory.of(instance));
        }

        @Override
        public void initialize(InstancePool.Pooled instance) {
            if (exports(INITIALIZE_EXPORT)) {
                ((PooledModule) instance).instance().exports().function(INITIALIZE_EXPORT).apply();
            }
        }
    }

    private record PooledModule(Instance instance, HostSwitch host, GuestMemory memory) implements InstancePool.Pooled {
        @Override
        public InstanceScope newScope() {
            return memory == null ? new InstanceScope() : new InstanceScope(new ResourceTable(), memory);
        }

        @Override
        public GuestInstance guest(InstanceScope scope) {
            return GuestInstance.of(instance, scope);
        }

        @Override
        public InstancePool.Image capture() {
            InstanceImage image = InstanceImage.capture(instance);
            return new InstancePool.Image(new InstanceImage[] {image}, image.memoryBytes());
        }

        @Override
        public void restore(InstancePool.Image image, boolean full) {
            image.instances()[0].restore(instance, full);
        }

        @Override
        public long bytes() {
            return memoryBytes(instance);
        }
    }

    /** Pooled instances of a Component Model binary: every lowering linked through a {@link HostSwitch}. */
    private final class ComponentInstances implements InstancePool.Factory {
        @Override
        public InstancePool.Pooled instantiate(HostSwitch host) {
            try {
                return new PooledComponent(pooledComponent.instantiate(host), host);
            } catch (ComponentFormatException e) {
                throw new GuestTrapException(oneLine(e));
            }
        }

        @Override
        public void initialize(InstancePool.Pooled instance) {
            // A component's core instances are initialized by instantiation (start functions).
        }
    }

    private record PooledComponent(ComponentInstance instance, HostSwitch host) implements InstancePool.Pooled {
        @Override
        public GuestInstance guest(InstanceScope scope) {
            return new ComponentGuest(instance, scope);
        }

        @Override
        public InstancePool.Image capture() {
            InstanceImage[] images = new InstanceImage[instance.coreInstanceCount()];
            long bytes = 0;
            for (int i = 0; i < images.length; i++) {
                images[i] = InstanceImage.capture(instance.coreInstance(i));
                bytes += images[i].memoryBytes();
            }
            return new InstancePool.Image(images, bytes);
        }

        @Override
        public void restore(InstancePool.Image image, boolean full) {
            InstanceImage[] images = image.instances();
            java.util.Map<Instance, Instance> rebind = new java.util.IdentityHashMap<>();
            for (int i = 0; i < images.length; i++) {
                rebind.put(images[i].source(), instance.coreInstance(i));
            }
            for (int i = 0; i < images.length; i++) {
                images[i].restore(instance.coreInstance(i), full, owner -> rebind.getOrDefault(owner, owner));
            }
            instance.clearGuestResources();
        }

        @Override
        public long bytes() {
            long total = 0;
            for (int i = 0; i < instance.coreInstanceCount(); i++) {
                total += memoryBytes(instance.coreInstance(i));
            }
            return total;
        }
    }

    /** Bytes the memories an instance defines hold. */
    private static long memoryBytes(Instance instance) {
        int defined = instance.module().memorySection().map(m -> m.memoryCount()).orElse(0);
        long total = 0;
        for (int i = 0; i < defined; i++) {
            if (instance.memory(instance.imports().memoryCount() + i) instanceof SnapshotMemory m) {
                total += m.capacityBytes();
            }
        }
        return total;
    }

    /** A component's core instances in plan order, its lowerings bound to fresh host state. */
    private <T> T withComponentInstance(Io io, Function<GuestInstance, T> body) {
        ComponentBindings host = new ComponentBindings(context, capabilities);
        try {
            ComponentInstance instance;
            try {
                instance = component.instantiate(host);
            } catch (ComponentFormatException e) {
                throw new GuestTrapException(oneLine(e));
            }
            return body.apply(new ComponentGuest(instance, host.scope()));
        } finally {
            logCloseFailures(host.closeAll());
            closeQuietly(io.stdout());
            closeQuietly(io.stderr());
        }
    }

    /**
     * {@link #withInstance(Io, Function)} for a core module, also handing {@code body} the instance's
     * {@link InstanceScope}: its memory and the resource table every capability bound to it
     * shares, closed (every resource released, failures logged) when the invocation ends.
     */
    public <T> T withInstance(Io io, BiFunction<Instance, InstanceScope, T> body) {
        if (component != null) {
            throw new IllegalStateException("component \"" + context.componentId() + "\" is a Component Model binary: use withInstance(Io, Function<GuestInstance, T>)");
        }
        List<InstanceBinding> bindings = new ArrayList<>(capabilities.size());
        InstanceScope scope = new InstanceScope();
        try (WasiPreview1 wasi = WasiPreview1.builder().withLogger(QuietWasiLogger.INSTANCE).withOptions(wasiOptions(io)).build()) {
            ImportValues.Builder imports = ImportValues.builder();
            // WASI goes through the same host-call wrapper as our own imports: no call runs past the deadline.
            // Chicory matches each import against every value it is given: give it only what is imported.
            for (HostFunction fn : GuestFiles.readOnly(wasi.toHostFunctions())) {
                if (importedAs.containsKey(Linker.key(fn.module(), fn.name()))) {
                    imports.addFunction(HostCalls.guard(fn));
                }
            }
            for (HostCapability capability : capabilities) {
                InstanceBinding binding = capability.bind(context, scope, importedModules);
                bindings.add(binding);
                for (HostImport imp : binding.imports()) {
                    // Only what the module imports: capabilities offer hundreds of functions (every
                    // wasi:http version), a guest links a few dozen.
                    List<String> modules = importedAs.get(Linker.key(imp.module(), imp.name()));
                    if (modules == null) {
                        continue;
                    }
                    for (String m : modules) {
                        HostImport named = m.equals(imp.module()) ? imp
                                : new HostImport(m, imp.name(), imp.params(), imp.results(), imp.allocator(), imp.call());
                        imports.addFunction(named.toHostFunction(scope));
                    }
                }
            }
            Instance.Builder builder = Instance.builder(module)
                    .withImportValues(imports.build())
                    .withStart(false)
                    .withMemoryFactory(ByteArrayMemory::new);
            if (memoryLimits != null) {
                builder.withMemoryLimits(memoryLimits);
            }
            if (machineFactory != null) {
                builder.withMachineFactory(machineFactory);
            }
            Instance instance = builder.build();
            if (exports(INITIALIZE_EXPORT)) {
                ExportFunction init = instance.exports().function(INITIALIZE_EXPORT);
                init.apply();
            }
            return body.apply(instance, scope);
        } finally {
            for (InstanceBinding binding : bindings) {
                binding.close();
            }
            for (RuntimeException e : scope.close()) {
                context.log().warn(context.componentId(), "closing a resource at the end of the invocation failed: " + oneLine(e));
            }
            closeQuietly(io.stdout());
            closeQuietly(io.stderr());
        }
    }

    private WasiOptions wasiOptions(Io io) {
        WasiOptions.Builder b = WasiOptions.builder()
                .withStdin(io.stdin(), false)
                .withStdout(io.stdout(), false)
                .withStderr(io.stderr(), false)
                .withArguments(io.arguments().isEmpty() ? List.of(context.componentId()) : io.arguments())
                .withThrowOnExit0(true);
        Map<String, String> env = new LinkedHashMap<>(environment); // the trigger's (e.g. CGI) variables win
        env.putAll(io.environment());
        env.forEach(b::withEnvironment);
        files.ifPresent(root -> b.withDirectory("/", root));
        return b.build();
    }

    /** Flushes a guest stream (closing a prefixed one emits its last partial line). */
    private static void closeQuietly(OutputStream out) {
        try {
            if (out instanceof GuestOutput) {
                out.close();
            } else {
                out.flush();
            }
        } catch (Exception ignored) {
            // A broken output stream must not turn a finished invocation into a failure.
        }
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ").trim();
    }
}
