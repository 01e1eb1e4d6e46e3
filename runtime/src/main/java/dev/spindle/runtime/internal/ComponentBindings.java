package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.FunctionType;
import dev.spindle.component.ComponentHost;
import dev.spindle.component.InterfaceVersions;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.HostCalls;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostCapability;
import dev.spindle.host.HostImport;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.abi.InstanceScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The host side of one component instance: every capability bound once, to one
 * {@link InstanceScope} (one resource table, one memory), so a handle made through one lowering is
 * valid in all, and everything is released when the invocation ends. Each {@code canon lower} is
 * answered with the same host function a core module importing it gets. The memory is the one the
 * lowerings name (the producers Spindle runs use one memory per component; a second one traps);
 * the realloc is switched to the lowering's own around each call, because the WASI adapter's
 * lowerings allocate with its {@code cabi_import_realloc} while the main module's use
 * {@code cabi_realloc}.
 */
final class ComponentBindings implements ComponentHost, AutoCloseable {
    private final InstanceScope scope = new InstanceScope();
    private final List<InstanceBinding> bindings = new ArrayList<>();
    /** Interface name -> function name -> import. */
    private final Map<String, Map<String, HostImport>> interfaces = new HashMap<>();

    ComponentBindings(ComponentContext context, List<HostCapability> capabilities) {
        for (HostCapability capability : capabilities) {
            InstanceBinding binding = capability.bind(context, scope);
            bindings.add(binding);
            for (HostImport imp : binding.imports()) {
                interfaces.computeIfAbsent(imp.module(), m -> new HashMap<>()).put(imp.name(), imp);
            }
        }
    }

    /** The one scope every capability is bound to (the invocation's). */
    InstanceScope scope() {
        return scope;
    }

    /** The host's import {@code module} {@code name}, the module matched by semver-compatible version. */
    Optional<HostImport> find(String module, String name) {
        return InterfaceVersions.resolve(module, interfaces.keySet()).map(m -> interfaces.get(m).get(name));
    }

    /** The interfaces the host provides, for error messages. */
    Set<String> provided() {
        return new TreeSet<>(interfaces.keySet());
    }

    @Override
    public Optional<HostFunction> function(String module, String name, FunctionType type, LoweringContext lowering) {
        return find(module, name).map(imp -> {
            HostImport.Call call = imp.call();
            // Inside the one host-call wrapper, as for core modules: no call runs past the deadline.
            return new HostFunction(module, name, type, (caller, args) -> HostCalls.call(caller, args, (c, a) -> {
                GuestMemory memory = attach(scope, lowering);
                ExportFunction previous = memory.useRealloc(lowering.realloc().map(java.util.function.Supplier::get).orElse(null));
                try {
                    return call.apply(memory, a);
                } finally {
                    memory.useRealloc(previous);
                }
            }));
        });
    }

    /** The scope, attached to the memory of {@code lowering} (a lifted export's options, for export calls). */
    InstanceScope scope(LoweringContext lowering) {
        return exportScope(scope, lowering);
    }

    /** {@code scope} attached to the memory of a lifted export's options, its realloc the options' one. */
    static InstanceScope exportScope(InstanceScope scope, LoweringContext lowering) {
        GuestMemory memory = attach(scope, lowering);
        lowering.realloc().map(java.util.function.Supplier::get).ifPresent(memory::useRealloc);
        return scope;
    }

    /** Attaches {@code scope} to the lowering's memory on first use: by then the instance owning it exists. */
    static GuestMemory attach(InstanceScope scope, LoweringContext lowering) {
        Instance owner = lowering.memoryOwner().get();
        Instance attached = scope.instance();
        if (attached == null) {
            return scope.attach(owner);
        }
        if (attached != owner) {
            throw new GuestTrapException("the component's lowerings use more than one memory (not supported)");
        }
        return scope.memory();
    }

    /** Releases every binding, then every resource the instance still holds; failures are returned. */
    List<RuntimeException> closeAll() {
        for (InstanceBinding binding : bindings) {
            binding.close();
        }
        return scope.close();
    }

    @Override
    public void close() {
        closeAll();
    }
}
