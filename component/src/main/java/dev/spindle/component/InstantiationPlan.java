package dev.spindle.component;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import java.util.List;
import java.util.Optional;

/**
 * A component flattened into what a core engine runs: its core modules, the core instantiations
 * in order with every import wired, and the lifted exports. This is the shape wasmtime's
 * component translator and jco's {@code transpile} reduce a component to: nested components and
 * instance bags are gone; what remains are core instances, the host functions that
 * {@code canon lower} turns imports into, and the core functions that {@code canon lift} exports.
 *
 * @param modules every core module, parsed (and validated) once; referenced by index
 * @param instantiations in the order they must run; an import may refer only to earlier instances
 * @param exports the component's exported functions, by interface and name
 * @param imports the component's import names, in order (e.g. {@code wasi:io/streams@0.2.3})
 */
public record InstantiationPlan(
        List<WasmModule> modules, List<CoreInstantiation> instantiations, List<LiftedExport> exports, List<String> imports) {

    public InstantiationPlan {
        modules = List.copyOf(modules);
        instantiations = List.copyOf(instantiations);
        exports = List.copyOf(exports);
        imports = List.copyOf(imports);
    }

    /** One core instantiation: instance {@code id} of module {@code module}, with each import of the module bound. */
    public record CoreInstantiation(int id, int module, List<ImportBinding> imports) {
        public CoreInstantiation {
            imports = List.copyOf(imports);
        }
    }

    /** What one core import ({@code module} {@code name}, of {@code kind}) is bound to. */
    public record ImportBinding(String module, String name, ExternalType kind, CoreDef definition) {}

    /** A core definition an import or option can refer to. */
    public sealed interface CoreDef {}

    /** An export of an earlier core instance. */
    public record InstanceExport(int instance, String name) implements CoreDef {}

    /**
     * {@code canon lower} of an imported function: the host function {@code module} {@code name}
     * (the same key a core module importing it directly uses), reading and writing the memory
     * and allocating with the realloc the options name.
     */
    public record HostLowering(String module, String name, Optional<InstanceExport> memory, Optional<InstanceExport> realloc)
            implements CoreDef {}

    /** {@code canon resource.drop} of an imported resource: the host's {@code [resource-drop]<resource>} in {@code module}. */
    public record HostResourceDrop(String module, String resource) implements CoreDef {
        /** The core import name a module importing the drop directly uses. */
        public String importName() {
            return "[resource-drop]" + resource;
        }
    }

    /**
     * {@code canon resource.new/rep/drop} of a resource type the component defines itself; {@code resource}
     * identifies the type within the plan, {@code destructor} is called when a handle is dropped.
     */
    public record GuestResourceBuiltin(ComponentAst.ResourceOp op, int resource, Optional<InstanceExport> destructor)
            implements CoreDef {}

    /**
     * An exported function: {@code canon lift} of the core function {@code core}.
     *
     * @param instance the exported interface ({@code wasi:http/incoming-handler@0.2.0}); empty for a function exported by the component itself
     * @param name the function's name in that interface ({@code handle})
     */
    public record LiftedExport(
            String instance,
            String name,
            InstanceExport core,
            Optional<InstanceExport> memory,
            Optional<InstanceExport> realloc,
            Optional<InstanceExport> postReturn,
            ComponentTypes.FuncType type) {

        /** The name a core module would export this function under ({@code <interface>#<name>}), as wit-bindgen writes it. */
        public String coreName() {
            return instance.isEmpty() ? name : instance + "#" + name;
        }
    }

    /** The lifted export with this core-style name ({@code <interface>#<name>}), if any. */
    public Optional<LiftedExport> export(String coreName) {
        return exports.stream().filter(e -> e.coreName().equals(coreName)).findFirst();
    }

    /**
     * The lifted export a host asks for by its core-style name: exactly; for an unversioned
     * interface name ({@code fermyon:spin/inbound-redis#handle-message}, as Spin's core-module
     * triggers call it), the export of any version of that interface; for a versioned one
     * ({@code wasi:http/incoming-handler@0.2.0#handle}), the export of the highest
     * semver-compatible version ({@link InterfaceVersions}) — a host written against 0.2.0 calls
     * a guest built against 0.2.3.
     */
    public Optional<LiftedExport> findExport(String coreName) {
        Optional<LiftedExport> exact = export(coreName);
        int hash = coreName.indexOf('#');
        if (exact.isPresent() || hash < 0) {
            return exact;
        }
        String iface = coreName.substring(0, hash);
        String func = coreName.substring(hash + 1);
        if (iface.lastIndexOf('@') < 0) {
            return exports.stream().filter(e -> e.name().equals(func) && e.instance().startsWith(iface + "@")).findFirst();
        }
        java.util.Set<String> versions = new java.util.HashSet<>();
        exports.stream().filter(e -> e.name().equals(func)).forEach(e -> versions.add(e.instance()));
        return InterfaceVersions.resolveExport(iface, versions).flatMap(v -> export(v + "#" + func));
    }
}
