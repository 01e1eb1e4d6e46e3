package dev.spindle.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.testing.Guests;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link GuestMemory#allocate} reuses one argument array for its calls of the guest's allocator.
 * The {@code host-realloc} guest re-exports a host import as its {@code cabi_realloc}, so the
 * allocator here is Java code that sees the very array it was called with and can allocate again
 * while it runs: each allocation must be asked with its own alignment and size, and the outer
 * call's arguments must be what they were after the inner one has returned.
 */
class GuestMemoryReallocTest {

    @Test
    void anAllocationMadeWhileAnotherIsUnderWayGetsItsOwnArguments() {
        List<String> seen = new ArrayList<>();
        GuestMemory[] memory = new GuestMemory[1];
        int[] next = {1024};
        HostFunction realloc = new HostFunction("test:host", "realloc",
                FunctionType.of(List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32), List.of(ValType.I32)),
                (instance, args) -> {
                    long align = args[2];
                    long size = args[3];
                    if (size == 100) { // the outer allocation allocates once more while it runs
                        assertEquals(16, memory[0].allocate(8, 16));
                    }
                    // read again after the inner call: the outer call's own arguments, untouched
                    seen.add(args[0] + "," + args[1] + "," + args[2] + "," + args[3] + " (asked " + align + "," + size + ")");
                    if (size == 16) {
                        return new long[] {16};
                    }
                    int ptr = next[0];
                    next[0] += (int) size;
                    return new long[] {ptr};
                });
        Instance instance = Instance.builder(Parser.parse(Guests.bytes("host-realloc")))
                .withImportValues(ImportValues.builder().addFunction(realloc).build()).build();
        memory[0] = GuestMemory.of(instance);

        assertEquals(1024, memory[0].allocate(4, 100));
        assertEquals(1124, memory[0].allocate(2, 7), "and the array is back for the next call");
        assertEquals(List.of("0,0,8,16 (asked 8,16)", "0,0,4,100 (asked 4,100)", "0,0,2,7 (asked 2,7)"), seen);
    }
}
