package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasi.WasiPreview1;
import dev.spindle.component.InterfaceVersions;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostCapability;
import dev.spindle.host.HostImport;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.abi.InstanceScope;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where each host function a component can import comes from, learned once at load by binding
 * every capability to a throwaway scope: WASI preview 1 (its position in Chicory's list of WASI
 * functions) or a capability (its position in the app's capability list and in that capability's
 * imports). A pooled instance is linked once, to functions that look the provider up here and call
 * the current invocation's binding of it ({@link InvocationHost}).
 */
final class HostLinks {
    /** Capability index of WASI preview 1. */
    static final int WASI = -1;

    /** One host function: {@code capability} is {@link #WASI} or an index into the app's capabilities; {@code index} the function's position in that provider's list. */
    record Link(int capability, int index, String module, String name, HostImport declared, HostFunction wasi) {}

    private final List<String> wasiNames;
    private final List<List<String>> capabilityImports; // per capability: module#name in bind order
    private final List<List<Link>> capabilityLinks = new java.util.ArrayList<>();
    private final Map<String, Link> byKey = new HashMap<>();
    private final Map<String, Map<String, Link>> byModule = new HashMap<>();

    private final java.util.Set<String> boundModules;

    private HostLinks(List<String> wasiNames, List<List<String>> capabilityImports, java.util.Set<String> boundModules) {
        this.boundModules = boundModules;
        this.wasiNames = wasiNames;
        this.capabilityImports = capabilityImports;
    }

    /**
     * @param boundModules the host modules a core module imports, which capabilities then bind alone
     *     ({@link HostCapability#bind(ComponentContext, InstanceScope, java.util.Set)}); null binds all
     */
    static HostLinks probe(ComponentContext context, List<HostCapability> capabilities, java.util.Set<String> boundModules) {
        HostFunction[] wasi;
        try (WasiPreview1 probe = WasiPreview1.builder().withLogger(QuietWasiLogger.INSTANCE).build()) {
            wasi = probe.toHostFunctions();
        }
        List<String> wasiNames = new java.util.ArrayList<>();
        for (HostFunction fn : wasi) {
            wasiNames.add(Linker.key(fn.module(), fn.name()));
        }
        List<List<String>> perCapability = new java.util.ArrayList<>();
        HostLinks links = new HostLinks(List.copyOf(wasiNames), perCapability, boundModules);
        for (int w = 0; w < wasi.length; w++) {
            links.add(new Link(WASI, w, wasi[w].module(), wasi[w].name(), null, wasi[w]));
        }
        for (int c = 0; c < capabilities.size(); c++) {
            List<String> keys = new java.util.ArrayList<>();
            List<Link> capabilityLinks = new java.util.ArrayList<>();
            try (InstanceBinding probe = capabilities.get(c).bind(context, new InstanceScope(), boundModules)) {
                List<HostImport> imports = probe.imports();
                for (int i = 0; i < imports.size(); i++) {
                    HostImport imp = imports.get(i);
                    keys.add(Linker.key(imp.module(), imp.name()));
                    Link link = new Link(c, i, imp.module(), imp.name(), imp, null);
                    capabilityLinks.add(link);
                    links.add(link);
                }
            }
            perCapability.add(List.copyOf(keys));
            links.capabilityLinks.add(List.copyOf(capabilityLinks));
        }
        return links;
    }

    private void add(Link link) {
        // The first provider wins; checkLinks refuses an app where two provide the same import.
        byKey.putIfAbsent(Linker.key(link.module(), link.name()), link);
        byModule.computeIfAbsent(link.module(), m -> new HashMap<>()).putIfAbsent(link.name(), link);
    }

    /**
     * The provider of a core module's import: by exact module and name, else the same function of
     * the semver-compatible interface version the host implements ({@link Linker#resolve}).
     */
    Optional<Link> find(String module, String name) {
        Link exact = byKey.get(Linker.key(module, name));
        return exact != null ? Optional.of(exact) : findVersioned(module, name);
    }

    /** The provider of a component's lowering: the module matched by semver-compatible version, as {@link ComponentBindings} does. */
    Optional<Link> findVersioned(String module, String name) {
        return InterfaceVersions.resolve(module, byModule.keySet()).map(m -> byModule.get(m).get(name));
    }

    /** The import a capability's binding must list at {@code index} (the same every time it binds). */
    Link capabilityImport(int capability, int index) {
        return capabilityLinks.get(capability).get(index);
    }

    /** What capabilities are bound with, every time (null: everything they offer). */
    java.util.Set<String> boundModules() {
        return boundModules;
    }

    /** WASI's functions by position, as {@link WasiPreview1#toHostFunctions()} lists them. */
    List<String> wasiNames() {
        return wasiNames;
    }

    /** A capability's imports (module#name) in the order its binding lists them. */
    List<String> capabilityImports(int capability) {
        return capabilityImports.get(capability);
    }
}
