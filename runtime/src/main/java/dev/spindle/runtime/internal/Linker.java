package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
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
     * @param provided every host function by {@code module + "#" + name}
     * @param allocating keys of the imports that hand the guest strings or lists, to the allocator export they call
     */
    static void check(String componentId, WasmModule module, Map<String, HostFunction> provided, Map<String, String> allocating) {
        List<String> problems = new ArrayList<>();
        Set<String> allocators = new TreeSet<>();
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            String what = "\"" + imp.module() + "\" \"" + imp.name() + "\"";
            if (imp.importType() != ExternalType.FUNCTION) {
                problems.add("imports " + imp.importType().name().toLowerCase() + " " + what + ", but the host provides only functions");
                continue;
            }
            String key = key(imp.module(), imp.name());
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

    private static String modules(Map<String, HostFunction> provided) {
        Set<String> names = new TreeSet<>();
        provided.values().forEach(f -> names.add(f.module()));
        return String.join(", ", names);
    }
}
