package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.FunctionType;
import dev.spindle.component.ComponentHost;
import dev.spindle.component.InterfaceVersions;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.HostCapability;
import dev.spindle.host.HostImport;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.abi.InstanceScope;
import dev.spindle.host.abi.ResourceTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The host side of one component instance. Each {@code canon lower} is answered with the same
 * host function a core module importing it gets, run against the memory and realloc its canonical
 * options name. Lowerings with the same options share one {@link InstanceScope} (capabilities are
 * bound once per such context, usually one or two: the main module's, and the WASI adapter's own
 * realloc); every scope shares the instance's one {@link ResourceTable}, so a handle made through
 * one lowering is valid in all, and all are closed when the invocation ends.
 */
final class ComponentBindings implements ComponentHost, AutoCloseable {
    private final ComponentContext context;
    private final List<HostCapability> capabilities;
    private final ResourceTable resources = new ResourceTable();
    private final Map<String, Context> contexts = new HashMap<>();
    private final List<InstanceBinding> bindings = new ArrayList<>();

    /** One lowering context's scope and the imports bound to it (interface -> function -> import). */
    private record Context(InstanceScope scope, Map<String, Map<String, HostImport>> interfaces) {}

    ComponentBindings(ComponentContext context, List<HostCapability> capabilities) {
        this.context = context;
        this.capabilities = capabilities;
    }

    private Context bound(String key) {
        return contexts.computeIfAbsent(key, k -> {
            InstanceScope scope = new InstanceScope(resources);
            Map<String, Map<String, HostImport>> interfaces = new HashMap<>();
            for (HostCapability capability : capabilities) {
                InstanceBinding binding = capability.bind(context, scope);
                bindings.add(binding);
                for (HostImport imp : binding.imports()) {
                    interfaces.computeIfAbsent(imp.module(), m -> new HashMap<>()).put(imp.name(), imp);
                }
            }
            return new Context(scope, interfaces);
        });
    }

    /** For load-time checks: the host's import {@code module} {@code name}, the module matched by semver-compatible version. */
    Optional<HostImport> find(String module, String name) {
        return find(bound("probe"), module, name);
    }

    private static Optional<HostImport> find(Context c, String module, String name) {
        return InterfaceVersions.resolve(module, c.interfaces().keySet()).map(m -> c.interfaces().get(m).get(name));
    }

    /** The interfaces the host provides, for error messages. */
    Set<String> provided() {
        return new TreeSet<>(bound("probe").interfaces().keySet());
    }

    @Override
    public Optional<HostFunction> function(String module, String name, FunctionType type, LoweringContext lowering) {
        Context c = bound(lowering.key());
        return find(c, module, name).map(imp -> {
            HostImport.Call call = imp.call();
            return new HostFunction(module, name, type, (caller, args) -> call.apply(attach(c.scope(), lowering), args));
        });
    }

    /** The scope for a lifted export's options (an export call lowers its arguments there). */
    InstanceScope scope(LoweringContext lowering) {
        InstanceScope scope = bound(lowering.key()).scope();
        attach(scope, lowering);
        return scope;
    }

    /** Attaches a scope to its lowering's memory on first use: by then the instance owning it exists. */
    private static GuestMemory attach(InstanceScope scope, LoweringContext lowering) {
        Instance owner = scope.instance();
        if (owner != null) {
            return scope.memory();
        }
        Instance memoryOwner = lowering.memoryOwner().get();
        Optional<ExportFunction> realloc = lowering.realloc().map(java.util.function.Supplier::get);
        return scope.attach(realloc.isPresent() ? GuestMemory.of(memoryOwner, realloc.get()) : GuestMemory.of(memoryOwner));
    }

    /** Releases every binding, then every resource the instance still holds; failures are returned. */
    List<RuntimeException> closeAll() {
        for (InstanceBinding binding : bindings) {
            binding.close();
        }
        return resources.closeAll();
    }

    @Override
    public void close() {
        closeAll();
    }
}
