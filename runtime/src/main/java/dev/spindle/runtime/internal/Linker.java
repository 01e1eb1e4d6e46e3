package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import dev.spindle.component.InterfaceVersions;
import dev.spindle.host.GuestMemory;
import dev.spindle.runtime.LoadException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks, at load time, that every import of a module is something the host provides with the
 * same core type — so a mismatch is a startup error naming the component and the import, not a
 * trap on the first request.
 */
final class Linker {
    private Linker() {}

    /**
     * The host function key that serves an import: the import's own, or the same function of the
     * semver-compatible interface version the host implements ({@link InterfaceVersions}, as
     * wasmtime links): a guest built against {@code wasi:http/types@0.2.3} is served by the 0.2.0
     * declarations, whose ABI is the same. A function the later version added and the host's lacks
     * stays unprovided and is reported by name.
     */
    static String resolve(String module, String name, Map<String, ?> provided, Set<String> providedModules) {
        String key = key(module, name);
        if (provided.containsKey(key)) {
            return key;
        }
        return InterfaceVersions.resolve(module, providedModules).map(m -> key(m, name)).filter(provided::containsKey).orElse(key);
    }

    /**
     * @param provided every host function by {@code module + "#" + name}
     * @param allocating keys of the imports that hand the guest strings or lists, to the allocator export they call
     * @return for every provided key the module imports, the module names it imports it under
     *     (its own, or the 0.2.x versions {@link #resolve} mapped onto it)
     */
    static Map<String, List<String>> check(String componentId, WasmModule module, Map<String, HostFunction> provided, Map<String, String> allocating) {
        Map<String, List<String>> importedAs = new java.util.HashMap<>();
        Set<String> providedModules = new java.util.HashSet<>();
        provided.values().forEach(f -> providedModules.add(f.module()));
        List<String> problems = new ArrayList<>();
        Set<String> allocators = new TreeSet<>();
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            String what = "\"" + imp.module() + "\" \"" + imp.name() + "\"";
            if (imp.importType() != ExternalType.FUNCTION) {
                problems.add("imports " + imp.importType().name().toLowerCase() + " " + what + ", but the host provides only functions");
                continue;
            }
            String key = resolve(imp.module(), imp.name(), provided, providedModules);
            HostFunction fn = provided.get(key);
            if (fn == null) {
                problems.add("imports " + what + ", which the host does not provide (interfaces provided: " + modules(provided) + ")");
                continue;
            }
            FunctionType wanted = module.typeSection().getType(((FunctionImport) imp).typeIndex());
            if (!wanted.equals(fn.functionType())) {
                problems.add("imports " + what + " with type " + wanted + ", but the host's has type " + fn.functionType());
                continue;
            }
            if (allocating.containsKey(key)) {
                allocators.add(allocating.get(key));
            }
            List<String> names = importedAs.computeIfAbsent(key, k -> new ArrayList<>());
            if (!names.contains(imp.module())) {
                names.add(imp.module());
            }
        }
        for (String allocator : allocators) {
            if (allocator.equals(GuestMemory.REALLOC_EXPORT)) {
                if (!exports(module, GuestMemory.REALLOC_EXPORT) && !exports(module, GuestMemory.LEGACY_REALLOC_EXPORT)) {
                    problems.add("imports functions that return strings or lists but does not export \"" + GuestMemory.REALLOC_EXPORT
                            + "\" (or wit-bindgen 0.2's \"" + GuestMemory.LEGACY_REALLOC_EXPORT + "\"; the canonical ABI needs it to hand results to the guest)");
                }
            } else if (!exports(module, allocator)) {
                problems.add("imports functions that return strings or lists but does not export \"" + allocator
                        + "\" (the host allocates the results there)");
            }
        }
        if (!problems.isEmpty()) {
            throw new LoadException("component \"" + componentId + "\" cannot be linked: " + String.join("; ", problems));
        }
        return importedAs;
    }

    static String key(String module, String name) {
        return module + "#" + name;
    }

    static boolean exports(WasmModule module, String name) {
        var section = module.exportSection();
        for (int i = 0; i < section.exportCount(); i++) {
            if (section.getExport(i).name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The provided interfaces, one package version per entry with its interfaces in braces
     * ({@code wasi:http@0.2.0 {outgoing-handler, types}}): dozens of WASI interfaces stay readable.
     */
    private static String modules(Map<String, HostFunction> provided) {
        Map<String, Set<String>> packages = new java.util.TreeMap<>();
        provided.values().forEach(f -> {
            String m = f.module();
            int slash = m.indexOf('/');
            int at = m.lastIndexOf('@');
            if (slash < 0 || at < slash) {
                packages.computeIfAbsent(m, k -> new TreeSet<>());
            } else {
                packages.computeIfAbsent(m.substring(0, slash) + m.substring(at), k -> new TreeSet<>()).add(m.substring(slash + 1, at));
            }
        });
        List<String> out = new ArrayList<>();
        packages.forEach((pkg, interfaces) -> out.add(interfaces.isEmpty() ? pkg
                : interfaces.size() == 1 ? pkg.replace("@", "/" + interfaces.iterator().next() + "@")
                : pkg + " {" + String.join(", ", interfaces) + "}"));
        return String.join(", ", out);
    }
}
