package dev.spindle.component;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportGlobal;
import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.ImportTable;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import dev.spindle.component.ComponentHost.LoweringContext;
import dev.spindle.component.InstantiationPlan.CoreDef;
import dev.spindle.component.InstantiationPlan.CoreInstantiation;
import dev.spindle.component.InstantiationPlan.GuestResourceBuiltin;
import dev.spindle.component.InstantiationPlan.HostLowering;
import dev.spindle.component.InstantiationPlan.HostResourceDrop;
import dev.spindle.component.InstantiationPlan.ImportBinding;
import dev.spindle.component.InstantiationPlan.InstanceExport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Runs an {@link InstantiationPlan} with Chicory: instantiates the core modules in plan order,
 * binding each import to an earlier instance's export (functions called through, memories, tables
 * and globals shared), to the host function a {@code canon lower} names (bound to the memory and
 * realloc of its options), or to a resource built-in. Start functions run as instantiation runs
 * them; {@code _start} does not.
 *
 * <p>Thread-safe; each {@link #instantiate} returns a new, independent {@link ComponentInstance}.
 */
public final class ComponentInstantiator {
    private final InstantiationPlan plan;
    private final BiConsumer<WasmModule, Instance.Builder> setup;

    /**
     * @param setup configures each core instance's builder (machine factory, memory factory and
     *     limits); it is called with the module being instantiated
     */
    public ComponentInstantiator(InstantiationPlan plan, BiConsumer<WasmModule, Instance.Builder> setup) {
        this.plan = plan;
        this.setup = setup;
    }

    public InstantiationPlan plan() {
        return plan;
    }

    /**
     * The host imports the plan needs, as (module, name, core type, allocates) — for checking at
     * load time that the host provides every one with the right type.
     */
    public List<HostNeed> hostNeeds() {
        List<HostNeed> out = new ArrayList<>();
        for (CoreInstantiation ci : plan.instantiations()) {
            WasmModule module = plan.modules().get(ci.module());
            for (int i = 0; i < ci.imports().size(); i++) {
                ImportBinding b = ci.imports().get(i);
                if (b.definition() instanceof HostLowering l) {
                    out.add(new HostNeed(l.module(), l.name(), importType(module, b), l.realloc().isPresent()));
                } else if (b.definition() instanceof HostResourceDrop d) {
                    out.add(new HostNeed(d.module(), d.importName(), importType(module, b), false));
                }
            }
        }
        return out;
    }

    /** A host function a component needs; {@code hasRealloc} says whether its lowering may allocate. */
    public record HostNeed(String module, String name, FunctionType type, boolean hasRealloc) {}

    public ComponentInstance instantiate(ComponentHost host) {
        List<Instance> instances = new ArrayList<>();
        GuestResources resources = new GuestResources(instances);
        for (CoreInstantiation ci : plan.instantiations()) {
            WasmModule module = plan.modules().get(ci.module());
            ImportValues.Builder imports = ImportValues.builder();
            for (ImportBinding b : ci.imports()) {
                switch (b.kind()) {
                    case FUNCTION -> imports.addFunction(function(module, b, instances, host, resources));
                    case MEMORY -> imports.addMemory(new ImportMemory(b.module(), b.name(),
                            instanceOf(instances, b).exports().memory(exportName(b))));
                    case TABLE -> imports.addTable(new ImportTable(b.module(), b.name(),
                            instanceOf(instances, b).exports().table(exportName(b))));
                    case GLOBAL -> imports.addGlobal(new ImportGlobal(b.module(), b.name(),
                            instanceOf(instances, b).exports().global(exportName(b))));
                    default -> throw new ComponentFormatException("core module " + ci.module() + " imports a " + b.kind()
                            + " (\"" + b.module() + "\" \"" + b.name() + "\"), which components cannot provide");
                }
            }
            Instance.Builder builder = Instance.builder(module).withImportValues(imports.build()).withStart(false);
            setup.accept(module, builder);
            instances.add(builder.build());
        }
        return new ComponentInstance(plan, instances, this, resources::clear);
    }

    private static Instance instanceOf(List<Instance> instances, ImportBinding b) {
        if (b.definition() instanceof InstanceExport e) {
            return instances.get(e.instance());
        }
        throw new ComponentFormatException("\"" + b.module() + "\" \"" + b.name() + "\" must be bound to a core instance's export");
    }

    private static String exportName(ImportBinding b) {
        return ((InstanceExport) b.definition()).name();
    }

    static FunctionType importType(WasmModule module, ImportBinding b) {
        var section = module.importSection();
        for (int i = 0; i < section.importCount(); i++) {
            var imp = section.getImport(i);
            if (imp.module().equals(b.module()) && imp.name().equals(b.name()) && imp instanceof FunctionImport f) {
                return module.typeSection().getType(f.typeIndex());
            }
        }
        throw new IllegalStateException("no function import " + b.module() + " " + b.name());
    }

    private HostFunction function(WasmModule module, ImportBinding b, List<Instance> instances, ComponentHost host,
                                  GuestResources resources) {
        FunctionType type = importType(module, b);
        CoreDef def = b.definition();
        if (def instanceof InstanceExport e) {
            // Another core instance's export: called through (Chicory links instances by host functions).
            Instance target = instances.get(e.instance());
            ExportFunction fn = target.exports().function(e.name());
            return new HostFunction(b.module(), b.name(), type, (caller, args) -> fn.apply(args));
        }
        if (def instanceof HostLowering l) {
            LoweringContext context = context(l.memory(), l.realloc(), instances);
            return rename(b, host.function(l.module(), l.name(), type, context)
                    .orElseThrow(() -> missing(l.module(), l.name())));
        }
        if (def instanceof HostResourceDrop d) {
            return rename(b, host.function(d.module(), d.importName(), type, context(Optional.empty(), Optional.empty(), instances))
                    .orElseThrow(() -> missing(d.module(), d.importName())));
        }
        GuestResourceBuiltin rb = (GuestResourceBuiltin) def;
        return new HostFunction(b.module(), b.name(), type, (caller, args) -> resources.apply(rb, args));
    }

    /** The lowering context of canonical options; see {@link LoweringContext}. */
    LoweringContext context(Optional<InstanceExport> memory, Optional<InstanceExport> realloc, List<Instance> instances) {
        String key = memory.map(m -> m.instance() + "/" + m.name()).orElse("main") + "|"
                + realloc.map(r -> r.instance() + "/" + r.name()).orElse("-");
        java.util.function.Supplier<Instance> owner = memory.isPresent()
                ? () -> instances.get(memory.get().instance())
                : () -> mainMemoryOwner(instances);
        Optional<java.util.function.Supplier<ExportFunction>> fn = realloc.map(
                r -> () -> instances.get(r.instance()).exports().function(r.name()));
        return new LoweringContext(key, owner, fn);
    }

    /** The first core instance that exports a memory (the main module, in every producer's output). */
    private Instance mainMemoryOwner(List<Instance> instances) {
        for (int i = 0; i < instances.size(); i++) {
            WasmModule m = plan.modules().get(plan.instantiations().get(i).module());
            var exports = m.exportSection();
            for (int e = 0; e < exports.exportCount(); e++) {
                if (exports.getExport(e).exportType() == com.dylibso.chicory.wasm.types.ExternalType.MEMORY) {
                    return instances.get(i);
                }
            }
        }
        throw new com.dylibso.chicory.runtime.TrapException("the component has no memory");
    }

    private static ComponentFormatException missing(String module, String name) {
        return new ComponentFormatException("imports \"" + module + "\" \"" + name + "\", which the host does not provide");
    }

    /** The host's function under the name the core module imports it by (a shim's "0", "1", ...). */
    private static HostFunction rename(ImportBinding b, HostFunction fn) {
        return new HostFunction(b.module(), b.name(), fn.functionType(), fn.handle());
    }

    /**
     * Handles of resource types the component defines itself ({@code canon resource.new/rep/drop}),
     * per component instance. Handle 0 is never issued.
     */
    private static final class GuestResources {
        private static final int MAX_HANDLES = 100_000;
        private final List<Instance> instances;
        private final Map<Integer, long[]> handles = new HashMap<>(); // handle -> {resource type id, rep}
        private int next = 1;

        GuestResources(List<Instance> instances) {
            this.instances = instances;
        }

        /** Forgets every handle, as a fresh instance starts (no destructor runs: the instance's state is being reset). */
        void clear() {
            handles.clear();
            next = 1;
        }

        long[] apply(GuestResourceBuiltin rb, long[] args) {
            int value = (int) args[0];
            switch (rb.op()) {
                case NEW -> {
                    if (handles.size() >= MAX_HANDLES) {
                        throw new com.dylibso.chicory.runtime.TrapException("too many resource handles (" + MAX_HANDLES + ")");
                    }
                    int handle = next++;
                    handles.put(handle, new long[] {rb.resource(), value});
                    return new long[] {handle};
                }
                case REP -> {
                    return new long[] {lookup(rb, value)[1]};
                }
                default -> {
                    long[] entry = lookup(rb, value);
                    handles.remove(value);
                    if (rb.destructor().isPresent()) {
                        InstanceExport d = rb.destructor().get();
                        instances.get(d.instance()).exports().function(d.name()).apply(entry[1]);
                    }
                    return null;
                }
            }
        }

        private long[] lookup(GuestResourceBuiltin rb, int handle) {
            long[] entry = handles.get(handle);
            if (entry == null || entry[0] != rb.resource()) {
                throw new com.dylibso.chicory.runtime.TrapException("unknown resource handle " + handle);
            }
            return entry;
        }
    }
}
