package dev.spindle.host.abi;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.HostImport;
import dev.spindle.testing.Guests;
import java.util.List;

/**
 * The {@code abi-test} guest (guests/wat/abi-test.wat) instantiated for one test: a bump
 * allocator under both conventions' names, counters at fixed addresses, and small exports.
 */
final class AbiGuest {
    static final WasmModule MODULE = Parser.parse(Guests.bytes("abi-test"));

    static final int POST_CALLS = 0;
    static final int FREE_CALLS = 4;
    static final int LAST_FREE = 8; // ptr, size, align
    static final int LAST_POST_ARG = 20;
    static final int RETURNS_AT = 24;
    static final int MISALIGN = 32;
    static final int HEAP = 4096;

    final Instance instance;
    final InstanceScope scope;
    final AbiContext cx;

    AbiGuest() {
        this(null, AbiOptions.CANONICAL);
    }

    /** @param spilled the host function behind the guest's {@code test:abi/host spilled} import, or null */
    AbiGuest(HostImport spilled, AbiOptions options) {
        scope = new InstanceScope();
        HostFunction imp = spilled != null
                ? spilled.toHostFunction(scope)
                : new HostFunction("test:abi/host", "spilled", FunctionType.of(List.of(ValType.I32, ValType.I32), List.of()),
                        (inst, args) -> {
                            throw new AssertionError("spilled import not bound in this test");
                        });
        instance = Instance.builder(MODULE).withImportValues(ImportValues.builder().addFunction(imp).build()).build();
        scope.attach(instance);
        cx = new AbiContext(scope, options);
    }

    Memory memory() {
        return instance.memory();
    }

    int i32(int addr) {
        return memory().readInt(addr);
    }

    /** Where the next guest allocation will start (after aligning). */
    int heapTop() {
        return (int) instance.global(0).getValue();
    }

    void misalignAllocations() {
        memory().writeI32(MISALIGN, 1);
    }
}
