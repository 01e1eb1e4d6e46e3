package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostCapability;
import dev.spindle.host.HostImport;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.abi.InstanceScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The host state of one invocation of a pooled instance, made fresh for every invocation and
 * released when it ends: the {@link InstanceScope} (resource table, memory), the WASI context
 * (descriptors, environment, streams) and each capability's binding. So nothing of the host side
 * survives an invocation either, whatever the instance it ran in.
 *
 * <p>WASI and each capability are set up on their first call only: an invocation that never
 * touches WASI or Redis does not pay for building them (an empty handler touches neither).
 *
 * <p>Used by one thread (the invocation's).
 */
final class InvocationHost {
    /**
     * WASI calls whose results do not depend on the invocation (the component's environment and
     * argv, its preopened directories, its output streams): a template's {@code _initialize} may
     * make them and still be shared. Anything else (clocks, randomness, files, a capability) makes
     * the template's state specific to the run that built it, so it is not shared.
     */
    private static final Set<String> TEMPLATE_SAFE_WASI = Set.of(
            "fd_write", "fd_fdstat_get", "fd_prestat_get", "fd_prestat_dir_name",
            "environ_get", "environ_sizes_get", "args_get", "args_sizes_get");
    private static final Set<String> ENVIRONMENT_WASI = Set.of("environ_get", "environ_sizes_get", "args_get", "args_sizes_get");

    private final ComponentContext context;
    private final List<HostCapability> capabilities;
    private final HostLinks links;
    private final Supplier<WasiOptions> wasiOptions;
    private final InstanceScope scope;
    private WasiPreview1 wasi;
    private WasmFunctionHandle[] wasiFunctions;
    private final InstanceBinding[] bindings;
    private final HostImport.Call[][] calls;
    /** True while building a template: calls are recorded ({@link #noteCall}). */
    final boolean recording;
    private boolean unsharedCall;
    private boolean readEnvironment;
    private boolean aborted;

    InvocationHost(ComponentContext context, List<HostCapability> capabilities, HostLinks links, Supplier<WasiOptions> wasiOptions,
                   boolean recording) {
        this(context, capabilities, links, wasiOptions, recording, new InstanceScope());
    }

    /** With {@code scope} as the invocation's scope (fresh: its resource table must be empty). */
    InvocationHost(ComponentContext context, List<HostCapability> capabilities, HostLinks links, Supplier<WasiOptions> wasiOptions,
                   boolean recording, InstanceScope scope) {
        this.scope = scope;
        this.recording = recording;
        this.context = context;
        this.capabilities = capabilities;
        this.links = links;
        this.wasiOptions = wasiOptions;
        this.bindings = new InstanceBinding[capabilities.size()];
        this.calls = new HostImport.Call[capabilities.size()][];
    }

    InstanceScope scope() {
        return scope;
    }

    /** WASI function {@code index} (in {@link HostLinks#wasiNames()} order), read-only where it touches files. */
    WasmFunctionHandle wasi(int index) {
        WasmFunctionHandle[] fns = wasiFunctions;
        if (fns == null) {
            fns = startWasi();
        }
        return fns[index];
    }

    private WasmFunctionHandle[] startWasi() {
        wasi = WasiPreview1.builder().withLogger(QuietWasiLogger.INSTANCE).withOptions(wasiOptions.get()).build();
        HostFunction[] fns = GuestFiles.readOnly(wasi.toHostFunctions());
        List<String> names = links.wasiNames();
        if (fns.length != names.size()) {
            throw new IllegalStateException("WASI lists " + fns.length + " functions, " + names.size() + " at load");
        }
        WasmFunctionHandle[] handles = new WasmFunctionHandle[fns.length];
        for (int i = 0; i < fns.length; i++) {
            if (!names.get(i).equals(Linker.key(fns[i].module(), fns[i].name()))) {
                throw new IllegalStateException("WASI's functions changed order since load: " + names.get(i));
            }
            handles[i] = fns[i].handle();
        }
        wasiFunctions = handles;
        return handles;
    }

    /** Function {@code index} of capability {@code capability}, bound to this invocation's scope on first use. */
    HostImport.Call call(int capability, int index) {
        HostImport.Call[] bound = calls[capability];
        if (bound == null) {
            bound = bind(capability);
        }
        HostImport.Call call = bound[index];
        return call != null ? call : resolve(capability, index);
    }

    /** Binds a capability on its first call; its functions are taken from the binding one by one, as they are called. */
    private HostImport.Call[] bind(int capability) {
        InstanceBinding binding = capabilities.get(capability).bind(context, scope, links.boundModules());
        bindings[capability] = binding;
        int count = links.capabilityImports(capability).size();
        if (binding.imports().size() != count) {
            throw new IllegalStateException(capabilities.get(capability).getClass().getName()
                    + " bound " + binding.imports().size() + " imports, " + count + " at load");
        }
        HostImport.Call[] bound = new HostImport.Call[count];
        calls[capability] = bound;
        return bound;
    }

    /**
     * Takes function {@code index} from the capability's binding, checking it is the one linked at
     * load. Only called functions are taken: a bound interface ({@link dev.spindle.host.abi.WitInterface#bindAll})
     * makes each host function when it is read, and a guest calls a few of the dozens a capability declares.
     */
    private HostImport.Call resolve(int capability, int index) {
        HostImport imp = bindings[capability].imports().get(index);
        HostLinks.Link expected = links.capabilityImport(capability, index);
        // Usually the same String objects (constants of the declaration): equals is an identity test.
        if (!expected.name().equals(imp.name()) || !expected.module().equals(imp.module())) {
            throw new IllegalStateException(capabilities.get(capability).getClass().getName()
                    + " must list its imports in the same order every time it binds (" + expected.module() + " " + expected.name() + ")");
        }
        HostImport.Call call = imp.call();
        calls[capability][index] = call;
        return call;
    }

    /** Records a call for the template check ({@link #sharable()}). */
    void noteCall(HostLinks.Link link) {
        if (link.capability() != HostLinks.WASI || !TEMPLATE_SAFE_WASI.contains(link.name())) {
            unsharedCall = true;
        } else if (ENVIRONMENT_WASI.contains(link.name())) {
            readEnvironment = true;
        }
    }

    /**
     * Records that a host call ended the guest's run abnormally ({@code proc_exit}, a trap, a
     * timeout): the caller may catch it (a command's exit code), but the instance is not reused.
     */
    void noteAbort() {
        aborted = true;
    }

    boolean aborted() {
        return aborted;
    }

    /** True if every host call so far leaves state that any invocation may share (see {@link #TEMPLATE_SAFE_WASI}). */
    boolean sharable() {
        return !unsharedCall;
    }

    /** True if a call read the environment or argv (a template that did suits only invocations with the component's own). */
    boolean readEnvironment() {
        return readEnvironment;
    }

    /** Releases every binding, the resource table and the WASI context; failures are returned, never thrown. */
    List<RuntimeException> close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (InstanceBinding binding : bindings) {
            if (binding != null) {
                try {
                    binding.close();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
        }
        failures.addAll(scope.close());
        if (wasi != null) {
            try {
                wasi.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        return failures;
    }
}
