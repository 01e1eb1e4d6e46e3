package dev.spindle.host;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.abi.InstanceScope;
import java.util.List;
import java.util.Optional;

/**
 * One function a host capability offers to guests, declared with its exact core signature.
 * Interfaces declared with {@link dev.spindle.host.abi.WitInterface} derive all of it.
 *
 * @param module the import module name, e.g. {@code fermyon:spin/redis@2.0.0}
 * @param name the import name, e.g. {@code [method]connection.get}
 * @param params core parameter types after canonical-ABI flattening
 * @param results core result types (empty when the import writes to a return area)
 * @param allocator the guest export the host allocates with when it hands the guest a string or
 *     list ({@code cabi_realloc}, or {@code canonical_abi_realloc} for wit-bindgen 0.2), or null
 *     when the import never allocates; a module importing such a function without that export is
 *     refused at load
 * @param call the implementation, given the calling instance's memory and the core arguments
 */
public record HostImport(
        String module, String name, List<ValType> params, List<ValType> results, String allocator, Call call) {

    public HostImport {
        params = List.copyOf(params);
        results = List.copyOf(results);
    }

    /** @param allocates true when the import hands the guest strings or lists through {@code cabi_realloc} */
    public HostImport(String module, String name, List<ValType> params, List<ValType> results, boolean allocates, Call call) {
        this(module, name, params, results, allocates ? GuestMemory.REALLOC_EXPORT : null, call);
    }

    /** True when the guest must export {@link #allocator()}. */
    public boolean allocates() {
        return allocator != null;
    }

    public Optional<String> allocatorExport() {
        return Optional.ofNullable(allocator);
    }

    public FunctionType type() {
        return FunctionType.of(params, results);
    }

    /**
     * The Chicory host function that runs {@link #call} against the calling instance's memory, one
     * {@link GuestMemory} per call, inside the one host-call wrapper ({@link HostCalls}: no call runs
     * past the invocation's deadline). Engines use {@link #toHostFunction(InstanceScope)}.
     */
    public HostFunction toHostFunction() {
        return new HostFunction(module, name, type(),
                (instance, args) -> HostCalls.call(instance, args, (inst, a) -> call.apply(GuestMemory.of(inst), a)));
    }

    /**
     * The Chicory host function for an instance whose memory {@code scope} holds (one GuestMemory per
     * instance), inside the one host-call wrapper ({@link HostCalls}).
     */
    public HostFunction toHostFunction(InstanceScope scope) {
        return new HostFunction(module, name, type(),
                (instance, args) -> HostCalls.call(instance, args, (inst, a) -> call.apply(scope.attach(inst), a)));
    }

    /** The body of a host function. Returns the core results, or null when there are none. */
    @FunctionalInterface
    public interface Call {
        long[] apply(GuestMemory memory, long[] args);
    }
}
