package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.types.FunctionType;
import dev.spindle.component.ComponentHost;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.HostCalls;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The host functions of one pooled instance. A Chicory instance is linked once, when it is built,
 * but every invocation must reach fresh host state; so each import is linked to a function that
 * calls the provider's function in whatever {@link InvocationHost} is current — the one of the
 * invocation the instance serves now ({@link #begin}/{@link #end}). Outside an invocation a host
 * call fails (nothing of the previous invocation is reachable).
 *
 * <p>For a component, it is the {@link ComponentHost} its lowerings are bound to: each lowering
 * attaches the current scope to the memory of its canonical options and switches the realloc
 * around the call, as {@link ComponentBindings} does for a fresh instance.
 */
final class HostSwitch implements ComponentHost {
    private final HostLinks links;
    private InvocationHost current;

    HostSwitch(HostLinks links) {
        this.links = links;
    }

    /** Makes {@code host} the state every host call of the instance reaches, until {@link #end}. */
    void begin(InvocationHost host) {
        current = host;
    }

    void end() {
        current = null;
    }

    private InvocationHost current() {
        InvocationHost host = current;
        if (host == null) {
            throw new IllegalStateException("a pooled instance called the host outside an invocation");
        }
        return host;
    }

    /** A core module's import {@code module} {@code name}; the link check at load guarantees a provider. */
    HostFunction coreImport(String module, String name, FunctionType type) {
        HostLinks.Link link = links.find(module, name)
                .orElseThrow(() -> new IllegalStateException("no provider for " + module + " " + name));
        int index = link.index();
        if (link.capability() == HostLinks.WASI) {
            return dispatcher(module, name, type, link, (host, instance, args) -> host.wasi(index).apply(instance, args));
        }
        int capability = link.capability();
        return dispatcher(module, name, type, link,
                (host, instance, args) -> host.call(capability, index).apply(host.scope().attach(instance), args));
    }

    @Override
    public Optional<HostFunction> function(String module, String name, FunctionType type, LoweringContext lowering) {
        return links.findVersioned(module, name).filter(l -> l.capability() != HostLinks.WASI).map(link -> {
            int capability = link.capability();
            int index = link.index();
            return dispatcher(module, name, type, link, (host, caller, args) -> {
                GuestMemory memory = ComponentBindings.attach(host.scope(), lowering);
                ExportFunction previous = memory.useRealloc(lowering.realloc().map(Supplier::get).orElse(null));
                try {
                    return host.call(capability, index).apply(memory, args);
                } finally {
                    memory.useRealloc(previous);
                }
            });
        });
    }

    /** What a linked import does with the current invocation's host state. */
    @FunctionalInterface
    private interface Target {
        long[] call(InvocationHost host, Instance instance, long[] args);
    }

    /**
     * The function an import is linked to: {@code target} against the current invocation's host
     * state, inside the one host-call wrapper ({@link HostCalls}: no call runs past the
     * invocation's deadline), noting the call while a template is built and an abnormal end (the
     * instance is then not reused).
     */
    private HostFunction dispatcher(String module, String name, FunctionType type, HostLinks.Link link, Target target) {
        WasmFunctionHandle body = (instance, args) -> {
            InvocationHost host = current();
            if (host.recording) {
                host.noteCall(link);
            }
            try {
                return target.call(host, instance, args);
            } catch (RuntimeException | Error e) {
                host.noteAbort();
                throw e;
            }
        };
        return new HostFunction(module, name, type, (instance, args) -> HostCalls.call(instance, args, body));
    }
}
