package dev.spindle.host;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.List;

/**
 * One function a host capability offers to guests, declared with its exact core signature.
 *
 * @param module the import module name, e.g. {@code fermyon:spin/redis@2.0.0}
 * @param name the import name, e.g. {@code [method]connection.get}
 * @param params core parameter types after canonical-ABI flattening
 * @param results core result types (empty when the import writes to a return area)
 * @param allocates true when the host hands the guest a string or list, so the guest must
 *     export {@code cabi_realloc}; a module importing such a function without one is refused at load
 * @param call the implementation, given the calling instance's memory and the core arguments
 */
public record HostImport(
        String module, String name, List<ValType> params, List<ValType> results, boolean allocates, Call call) {

    public HostImport {
        params = List.copyOf(params);
        results = List.copyOf(results);
    }

    /** The Chicory host function that runs {@link #call} against the calling instance's memory. */
    public HostFunction toHostFunction() {
        return new HostFunction(
                module, name, FunctionType.of(params, results), (instance, args) -> call.apply(GuestMemory.of(instance), args));
    }

    /** The body of a host function. Returns the core results, or null when there are none. */
    @FunctionalInterface
    public interface Call {
        long[] apply(GuestMemory memory, long[] args);
    }
}
