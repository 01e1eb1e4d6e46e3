package dev.spindle.redis;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import dev.spindle.host.HostImport;
import dev.spindle.host.InstanceBinding;
import dev.spindle.testing.Guests;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code redis-proxy} guest instantiated with Chicory, its imports bound to a binding: tests
 * write arguments into the guest's scratch memory, call a {@code proxy-*} export (which calls
 * the import with the same core arguments) and decode the return area per guest-abi.md.
 */
final class ProxyGuest {

    enum Engine { INTERPRETER, COMPILER }

    private static final WasmModule MODULE = Parser.parse(Guests.bytes("redis-proxy.wasm"));
    private static Function<Instance, Machine> compiled;

    private static synchronized Function<Instance, Machine> compiled() {
        if (compiled == null) {
            compiled = MachineFactoryCompiler.builder(MODULE).compile();
        }
        return compiled;
    }

    /** Scratch region of the proxy (below heap-base). */
    private static final int SCRATCH_START = 1024;
    private static final int SCRATCH_END = 65536;

    final Instance instance;
    private final Memory memory;
    private int scratch = SCRATCH_START;

    ProxyGuest(Engine engine, InstanceBinding binding) {
        Map<String, HostImport> provided = new HashMap<>();
        for (HostImport hi : binding.imports()) {
            provided.put(hi.module() + "#" + hi.name(), hi);
        }
        ImportValues.Builder imports = ImportValues.builder();
        MODULE.importSection().stream().filter(i -> i instanceof FunctionImport).forEach(i -> {
            HostImport hi = provided.get(i.module() + "#" + i.name());
            if (hi != null) {
                imports.addFunction(hi.toHostFunction());
            } else {
                FunctionType type = MODULE.typeSection().getType(((FunctionImport) i).typeIndex());
                imports.addFunction(new HostFunction(i.module(), i.name(), type, (inst, args) -> {
                    throw new UnsupportedOperationException("not provided in this test: " + i.module() + " " + i.name());
                }));
            }
        });
        Instance.Builder b = Instance.builder(MODULE).withImportValues(imports.build());
        if (engine == Engine.COMPILER) {
            b.withMachineFactory(compiled());
        }
        instance = b.build();
        memory = instance.memory();
    }

    // ---- scratch memory ----

    int alloc(int size, int align) {
        int p = (scratch + align - 1) & -align;
        if (p + size > SCRATCH_END) {
            throw new IllegalStateException("scratch exhausted");
        }
        scratch = p + size;
        memory.write(p, new byte[size]);
        return p;
    }

    void resetScratch() {
        scratch = SCRATCH_START;
        instance.export("heap-reset").apply();
    }

    int put(byte[] b) {
        int p = alloc(Math.max(b.length, 1), 1);
        memory.write(p, b);
        return p;
    }

    int put(String s) {
        return put(s.getBytes(StandardCharsets.UTF_8));
    }

    /** list<string>: 8-byte (ptr, len) elements. */
    int putStrings(String... items) {
        int arr = alloc(Math.max(items.length, 1) * 8, 4);
        for (int i = 0; i < items.length; i++) {
            byte[] b = items[i].getBytes(StandardCharsets.UTF_8);
            memory.writeI32(arr + i * 8, put(b));
            memory.writeI32(arr + i * 8 + 4, b.length);
        }
        return arr;
    }

    /** list<redis-parameter>: Long → int64, byte[] or String → binary. */
    int putParams(Object... params) {
        int arr = alloc(Math.max(params.length, 1) * 16, 8);
        for (int i = 0; i < params.length; i++) {
            int at = arr + i * 16;
            if (params[i] instanceof Long l) {
                memory.writeByte(at, (byte) 0);
                memory.writeLong(at + 8, l);
            } else {
                byte[] b = params[i] instanceof byte[] raw ? raw : ((String) params[i]).getBytes(StandardCharsets.UTF_8);
                memory.writeByte(at, (byte) 1);
                memory.writeI32(at + 8, put(b));
                memory.writeI32(at + 12, b.length);
            }
        }
        return arr;
    }

    int u8(int addr) {
        return memory.read(addr) & 0xFF;
    }

    int i32(int addr) {
        return memory.readInt(addr);
    }

    byte[] bytesAt(int ptrAddr) {
        return memory.readBytes(memory.readInt(ptrAddr), memory.readInt(ptrAddr + 4));
    }

    String stringAt(int ptrAddr) {
        return new String(bytesAt(ptrAddr), StandardCharsets.UTF_8);
    }

    void call(String export, long... args) {
        instance.export(export).apply(args);
    }

    // ---- typed calls ----

    /** ok value or err(kind, message); kind: 0 invalid-address, 1 too-many-connections, 2 type-error, 3 other. */
    record Outcome<T>(T value, int errKind, String errMessage) {
        boolean ok() {
            return errKind < 0;
        }

        T get() {
            if (!ok()) {
                throw new AssertionError("expected ok, got err(" + errKind + ", " + errMessage + ")");
            }
            return value;
        }
    }

    static final int INVALID_ADDRESS = 0;
    static final int TOO_MANY_CONNECTIONS = 1;
    static final int TYPE_ERROR = 2;
    static final int OTHER = 3;

    private <T> Outcome<T> outcome(int ret, int errAt, Function<Integer, T> ok) {
        int disc = u8(ret);
        if (disc == 0) {
            return new Outcome<>(ok.apply(ret), -1, null);
        }
        if (disc != 1) {
            throw new AssertionError("bad result discriminant " + disc);
        }
        int kind = u8(ret + errAt);
        return new Outcome<>(null, kind, kind == OTHER ? stringAt(ret + errAt + 4) : null);
    }

    Outcome<Integer> open(String address) {
        byte[] a = address.getBytes(StandardCharsets.UTF_8);
        int p = put(a);
        int ret = alloc(16, 4);
        call("proxy-open", p, a.length, ret);
        return outcome(ret, 4, r -> i32(r + 4));
    }

    int openOk(String address) {
        return open(address).get();
    }

    Outcome<Void> set(int h, String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int ret = alloc(16, 4);
        call("proxy-set", h, put(k), k.length, put(value), value.length, ret);
        return outcome(ret, 4, r -> null);
    }

    Outcome<Void> publish(int h, String channel, byte[] payload) {
        byte[] c = channel.getBytes(StandardCharsets.UTF_8);
        int ret = alloc(16, 4);
        call("proxy-publish", h, put(c), c.length, put(payload), payload.length, ret);
        return outcome(ret, 4, r -> null);
    }

    Outcome<Optional<byte[]>> get(int h, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int ret = alloc(16, 4);
        call("proxy-get", h, put(k), k.length, ret);
        return outcome(ret, 4, r -> u8(r + 4) == 0 ? Optional.empty() : Optional.of(bytesAt(r + 8)));
    }

    Outcome<Long> incr(int h, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int ret = alloc(24, 8);
        call("proxy-incr", h, put(k), k.length, ret);
        return outcome(ret, 8, r -> memory.readLong(r + 8));
    }

    Outcome<Integer> del(int h, String... keys) {
        int ret = alloc(16, 4);
        call("proxy-del", h, putStrings(keys), keys.length, ret);
        return outcome(ret, 4, r -> i32(r + 4));
    }

    Outcome<Integer> sadd(int h, String key, String... values) {
        return setOp("proxy-sadd", h, key, values);
    }

    Outcome<Integer> srem(int h, String key, String... values) {
        return setOp("proxy-srem", h, key, values);
    }

    private Outcome<Integer> setOp(String export, int h, String key, String... values) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int ret = alloc(16, 4);
        call(export, h, put(k), k.length, putStrings(values), values.length, ret);
        return outcome(ret, 4, r -> i32(r + 4));
    }

    Outcome<List<String>> smembers(int h, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int ret = alloc(16, 4);
        call("proxy-smembers", h, put(k), k.length, ret);
        return outcome(ret, 4, r -> {
            int arr = i32(r + 4);
            int n = i32(r + 8);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(stringAt(arr + i * 8));
            }
            return out;
        });
    }

    /** Results as text: "nil", "status:OK", "int:5", "bin:hello". */
    Outcome<List<String>> execute(int h, String command, Object... params) {
        byte[] c = command.getBytes(StandardCharsets.UTF_8);
        int args = putParams(params);
        int ret = alloc(16, 4);
        call("proxy-execute", h, put(c), c.length, args, params.length, ret);
        return outcome(ret, 4, r -> {
            int arr = i32(r + 4);
            int n = i32(r + 8);
            if (n > 0 && (arr & 7) != 0) {
                throw new AssertionError("redis-result list not 8-aligned: " + arr);
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int at = arr + i * 16;
                switch (u8(at)) {
                    case 0 -> out.add("nil");
                    case 1 -> out.add("status:" + stringAt(at + 8));
                    case 2 -> out.add("int:" + memory.readLong(at + 8));
                    case 3 -> out.add("bin:" + stringAt(at + 8));
                    default -> throw new AssertionError("bad redis-result discriminant " + u8(at));
                }
            }
            return out;
        });
    }

    void drop(int h) {
        call("proxy-drop", h);
    }
}
