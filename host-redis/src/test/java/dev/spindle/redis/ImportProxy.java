package dev.spindle.redis;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import dev.spindle.host.HostImport;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.abi.InstanceScope;
import dev.spindle.testing.Guests;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trampoline guest ({@code kv-proxy}, {@code legacy-redis-proxy}) instantiated on Chicory with
 * its imports bound to real bindings: a test writes arguments into the guest's scratch memory,
 * calls {@code call:<module>#<name>} (which calls that import with the same core arguments) and
 * decodes the return area itself, byte by byte, as the WIT's canonical-ABI layout says — an
 * independent check of the declared layouts.
 */
final class ImportProxy {
    private static final int SCRATCH_START = 1024;
    private static final int SCRATCH_END = 65536;

    final Instance instance;
    final InstanceScope scope;
    private final Memory memory;
    private int scratch = SCRATCH_START;

    /** @param bind makes the bindings for the one scope of this instance */
    ImportProxy(String guest, java.util.function.Function<InstanceScope, List<InstanceBinding>> bind) {
        WasmModule module = Parser.parse(Guests.bytes(guest + ".wasm"));
        scope = new InstanceScope();
        Map<String, HostImport> provided = new HashMap<>();
        for (InstanceBinding b : bind.apply(scope)) {
            for (HostImport hi : b.imports()) {
                provided.put(hi.module() + "#" + hi.name(), hi);
            }
        }
        ImportValues.Builder imports = ImportValues.builder();
        module.importSection().stream().filter(i -> i instanceof FunctionImport).forEach(i -> {
            HostImport hi = provided.get(i.module() + "#" + i.name());
            if (hi != null) {
                if (!hi.type().equals(module.typeSection().getType(((FunctionImport) i).typeIndex()))) {
                    throw new AssertionError(i.module() + " " + i.name() + ": guest type "
                            + module.typeSection().getType(((FunctionImport) i).typeIndex()) + ", host type " + hi.type());
                }
                imports.addFunction(hi.toHostFunction(scope));
            } else {
                FunctionType type = module.typeSection().getType(((FunctionImport) i).typeIndex());
                imports.addFunction(new HostFunction(i.module(), i.name(), type, (inst, args) -> {
                    throw new UnsupportedOperationException("not provided in this test: " + i.module() + " " + i.name());
                }));
            }
        });
        instance = Instance.builder(module).withImportValues(imports.build()).build();
        memory = instance.memory();
        scope.attach(instance);
    }

    int alloc(int size, int align) {
        int p = (scratch + align - 1) & -align;
        if (p + size > SCRATCH_END) {
            throw new IllegalStateException("scratch exhausted");
        }
        scratch = p + size;
        memory.write(p, new byte[size]);
        return p;
    }

    void reset() {
        scratch = SCRATCH_START;
        instance.export("heap-reset").apply();
    }

    int put(byte[] b) {
        int p = alloc(Math.max(b.length, 1), 1);
        memory.write(p, b);
        return p;
    }

    /** A string argument: its (ptr, len) as two core values. */
    long[] str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new long[] {put(b), b.length};
    }

    long[] bytes(byte[] b) {
        return new long[] {put(b), b.length};
    }

    /** list<string>: 8-byte (ptr, len) elements; its (ptr, len). */
    long[] strings(String... items) {
        int arr = alloc(Math.max(items.length, 1) * 8, 4);
        for (int i = 0; i < items.length; i++) {
            byte[] b = items[i].getBytes(StandardCharsets.UTF_8);
            memory.writeI32(arr + i * 8, put(b));
            memory.writeI32(arr + i * 8 + 4, b.length);
        }
        return new long[] {arr, items.length};
    }

    int u8(int addr) {
        return memory.read(addr) & 0xFF;
    }

    int i32(int addr) {
        return memory.readInt(addr);
    }

    long i64(int addr) {
        return memory.readLong(addr);
    }

    byte[] bytesAt(int ptrAddr) {
        return memory.readBytes(memory.readInt(ptrAddr), memory.readInt(ptrAddr + 4));
    }

    String stringAt(int ptrAddr) {
        return new String(bytesAt(ptrAddr), StandardCharsets.UTF_8);
    }

    /** list<string> at (ptr @ptrAddr, len @ptrAddr+4). */
    List<String> stringsAt(int ptrAddr) {
        int arr = memory.readInt(ptrAddr);
        int len = memory.readInt(ptrAddr + 4);
        String[] out = new String[len];
        for (int i = 0; i < len; i++) {
            out[i] = new String(memory.readBytes(memory.readInt(arr + i * 8), memory.readInt(arr + i * 8 + 4)), StandardCharsets.UTF_8);
        }
        return List.of(out);
    }

    /**
     * Calls {@code call:<module>#<name>} with the given arguments (longs, or long[] pairs from
     * {@link #str} and friends), then a fresh return area of {@code retSize} bytes when it is
     * positive; returns the return area's address (0 without one).
     */
    int call(String module, String name, int retSize, int retAlign, Object... args) {
        int n = 0;
        for (Object a : args) {
            n += a instanceof long[] pair ? pair.length : 1;
        }
        long[] core = new long[n + (retSize > 0 ? 1 : 0)];
        int i = 0;
        for (Object a : args) {
            if (a instanceof long[] pair) {
                for (long v : pair) {
                    core[i++] = v;
                }
            } else {
                core[i++] = ((Number) a).longValue();
            }
        }
        int ret = 0;
        if (retSize > 0) {
            ret = alloc(retSize, retAlign);
            core[i] = ret;
        }
        instance.export("call:" + module + "#" + name).apply(core);
        return ret;
    }
}
