package dev.spindle.component;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.FunctionType;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the engine gives a component instance: the host functions its {@code canon lower}s and
 * {@code resource.drop}s of imported resources become. One per component instance, so that all of
 * its lowerings share the instance's host state (one resource table).
 */
public interface ComponentHost {

    /**
     * The host function {@code module} {@code name} (the same key a core module importing it
     * uses, e.g. {@code fermyon:spin/redis@2.0.0} {@code [method]connection.get}), of core type
     * {@code type}, that reads and writes the memory of {@code context} and allocates through its
     * realloc; empty when the host has no such function.
     */
    Optional<HostFunction> function(String module, String name, FunctionType type, LoweringContext context);

    /**
     * The canonical options of one {@code canon lower}: the core instance whose exported memory
     * the function uses, and the realloc it allocates with (absent when the function never hands
     * the guest strings or lists). Both are resolved on the first call — a lowering is bound
     * before the instance owning its memory exists. A lowering without a memory option gets the
     * component's main memory (the first core instance that exports one); it never touches it.
     *
     * @param key equal for lowerings with the same memory and realloc (they can share host state)
     */
    record LoweringContext(String key, Supplier<Instance> memoryOwner, Optional<Supplier<ExportFunction>> realloc) {}
}
