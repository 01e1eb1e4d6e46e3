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
 * the import with the same core arguments) and decode the return area by hand, at the offsets
 * these interfaces have always had (independently of the declarations, which docs/guest-abi.md
 * is generated from).
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
        this(engine, binding, null);
    }

    /**
     * With {@code scope} (the one {@code binding} was bound to): host calls then reuse the scope's
     * one GuestMemory, as the engine's do, instead of making one per call, and the linear memory is
     * a byte array ({@code ByteArrayMemory}) as the engine gives its instances (its pooled ones
     * have a byte-array memory too), not Chicory's default {@code ByteBufferMemory}.
     */
    ProxyGuest(Engine engine, InstanceBinding binding, dev.spindle.host.abi.InstanceScope scope) {
        Map<String, HostImport> provided = new HashMap<>();
        for (HostImport hi : binding.imports()) {
            provided.put(hi.module() + "#" + hi.name(), hi);
        }
        ImportValues.Builder imports = ImportValues.builder();
        MODULE.importSection().stream().filter(i -> i instanceof FunctionImport).forEach(i -> {
            HostImport hi = provided.get(i.module() + "#" + i.name());
            if (hi != null) {
                imports.addFunction(scope == null ? hi.toHostFunction() : hi.toHostFunction(scope));
            } else {
                FunctionType type = MODULE.typeSection().getType(((FunctionImport) i).typeIndex());
                imports.addFunction(new HostFunction(i.module(), i.name(), type, (inst, args) -> {
                    throw new UnsupportedOperationException("not provided in this test: " + i.module() + " " + i.name());
                }));
            }
        });
        Instance.Builder b = Instance.builder(MODULE).withImportValues(imports.build());
        if (scope != null) {
            b.withMemoryFactory(com.dylibso.chicory.runtime.ByteArrayMemory::new);
        }
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

    /** The raw bytes at {@code addr}. */
    byte[] raw(int addr, int len) {
        return memory.readBytes(addr, len);
    }

    /** A scratch area of {@code size} bytes filled with {@code fill}, so bytes the host leaves alone show. */
    int filled(int size, int align, int fill) {
        int p = alloc(size, align);
        byte[] b = new byte[size];
        java.util.Arrays.fill(b, (byte) fill);
        memory.write(p, b);
        return p;
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
        return outcome(ret, 4, r -> results(i32(r + 4), i32(r + 8)));
    }

    /** execute with a list<redis-parameter> the test laid out itself (e.g. elements aliasing one buffer). */
    Outcome<List<String>> executeAt(int h, String command, int params, int count) {
        byte[] c = command.getBytes(StandardCharsets.UTF_8);
        int ret = alloc(16, 4);
        call("proxy-execute", h, put(c), c.length, params, count, ret);
        return outcome(ret, 4, r -> results(i32(r + 4), i32(r + 8)));
    }

    /** push with a list<payload> the test laid out itself; the new length on success. */
    Outcome<Long> pushAt(int h, String key, int values, int count) {
        int ret = alloc(16, 4);
        call("proxy-push", h, key(key), len(key), values, count, ret);
        return outcome(ret, 4, r -> Integer.toUnsignedLong(i32(r + 4)));
    }

    /** A fresh guest heap allocation (the guest's own cabi_realloc), for buffers beyond the scratch area. */
    int heapAlloc(int size, int align) {
        return (int) instance.export("cabi_realloc").apply(0, 0, align, size)[0];
    }

    /** list<redis-result> as text: "nil", "status:OK", "int:5", "bin:hello". */
    private List<String> results(int arr, int n) {
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
    }

    // ---- spindle:redis/extended@0.1.0 ----

    private int key(String key) {
        return put(key);
    }

    private static int len(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    Outcome<Void> setWithTtl(int h, String key, byte[] value, long ttlMs) {
        int ret = alloc(16, 4);
        call("proxy-set-with-ttl", h, key(key), len(key), put(value), value.length, ttlMs, ret);
        return outcome(ret, 4, r -> null);
    }

    Outcome<Boolean> has(int h, String key) {
        int ret = alloc(16, 4);
        call("proxy-has", h, key(key), len(key), ret);
        return outcome(ret, 4, r -> bool(r + 4));
    }

    Outcome<Long> incrBy(int h, String key, long delta) {
        int ret = alloc(24, 8);
        call("proxy-incr-by", h, key(key), len(key), delta, ret);
        return outcome(ret, 8, r -> memory.readLong(r + 8));
    }

    Outcome<Boolean> expire(int h, String key, long ttlMs) {
        int ret = alloc(16, 4);
        call("proxy-expire", h, key(key), len(key), ttlMs, ret);
        return outcome(ret, 4, r -> bool(r + 4));
    }

    Outcome<Long> ttl(int h, String key) {
        int ret = alloc(24, 8);
        call("proxy-ttl", h, key(key), len(key), ret);
        return outcome(ret, 8, r -> memory.readLong(r + 8));
    }

    Outcome<Long> push(int h, String key, String... values) {
        return listWrite("proxy-push", h, key, values);
    }

    Outcome<Long> unshift(int h, String key, String... values) {
        return listWrite("proxy-unshift", h, key, values);
    }

    /** u32 results come back as an unsigned long. */
    private Outcome<Long> listWrite(String export, int h, String key, String... values) {
        int ret = alloc(16, 4);
        call(export, h, key(key), len(key), putStrings(values), values.length, ret);
        return outcome(ret, 4, r -> Integer.toUnsignedLong(i32(r + 4)));
    }

    Outcome<Optional<String>> pop(int h, String key) {
        return listTake("proxy-pop", h, key);
    }

    Outcome<Optional<String>> shift(int h, String key) {
        return listTake("proxy-shift", h, key);
    }

    private Outcome<Optional<String>> listTake(String export, int h, String key) {
        int ret = alloc(16, 4);
        call(export, h, key(key), len(key), ret);
        return outcome(ret, 4, r -> switch (u8(r + 4)) {
            case 0 -> Optional.<String>empty();
            case 1 -> Optional.of(stringAt(r + 8));
            default -> throw new AssertionError("bad option discriminant " + u8(r + 4));
        });
    }

    Outcome<List<String>> range(int h, String key, long start, long stop) {
        int ret = alloc(16, 4);
        call("proxy-range", h, key(key), len(key), start, stop, ret);
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

    Outcome<Long> count(int h, String key) {
        int ret = alloc(16, 4);
        call("proxy-count", h, key(key), len(key), ret);
        return outcome(ret, 4, r -> Integer.toUnsignedLong(i32(r + 4)));
    }

    record RateLimitStatus(boolean allowed, long count, long remaining, long resetMs) {}

    Outcome<RateLimitStatus> rateLimit(int h, String key, int max, long windowMs) {
        int ret = alloc(32, 8);
        call("proxy-rate-limit", h, key(key), len(key), max, windowMs, ret);
        return outcome(ret, 8, r -> new RateLimitStatus(
                bool(r + 8), Integer.toUnsignedLong(i32(r + 12)), Integer.toUnsignedLong(i32(r + 16)), memory.readLong(r + 24)));
    }

    /** One pipeline command: a name and its parameters (Long → int64, byte[] or String → binary). */
    record Cmd(String name, Object... args) {}

    static Cmd cmd(String name, Object... args) {
        return new Cmd(name, args);
    }

    /** One pipeline reply: ok(results as in {@link #execute}) or err(message). */
    record Rep(List<String> ok, String err) {
        static Rep of(String... results) {
            return new Rep(List.of(results), null);
        }

        static Rep error(String message) {
            return new Rep(null, message);
        }
    }

    /** list<command>: 16-byte elements, align 4 (name ptr, name len, arguments ptr, arguments len). */
    int putCommands(List<Cmd> commands) {
        int arr = alloc(Math.max(commands.size(), 1) * 16, 4);
        for (int i = 0; i < commands.size(); i++) {
            Cmd c = commands.get(i);
            int at = arr + i * 16;
            memory.writeI32(at, put(c.name()));
            memory.writeI32(at + 4, len(c.name()));
            memory.writeI32(at + 8, putParams(c.args()));
            memory.writeI32(at + 12, c.args().length);
        }
        return arr;
    }

    Outcome<List<Rep>> pipeline(int h, boolean transaction, List<Cmd> commands) {
        int list = putCommands(commands);
        return pipelineAt(h, list, commands.size(), transaction);
    }

    Outcome<List<Rep>> pipelineAt(int h, int list, int count, boolean transaction) {
        int ret = alloc(16, 4);
        call("proxy-pipeline", h, list, count, transaction ? 1 : 0, ret);
        return outcome(ret, 4, r -> {
            int arr = i32(r + 4);
            int n = i32(r + 8);
            if (n > 0 && (arr & 3) != 0) {
                throw new AssertionError("reply list not 4-aligned: " + arr);
            }
            List<Rep> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int at = arr + i * 12;
                switch (u8(at)) {
                    case 0 -> out.add(new Rep(results(i32(at + 4), i32(at + 8)), null));
                    case 1 -> out.add(Rep.error(stringAt(at + 4)));
                    default -> throw new AssertionError("bad reply discriminant " + u8(at));
                }
            }
            return out;
        });
    }

    private boolean bool(int addr) {
        int b = u8(addr);
        if (b > 1) {
            throw new AssertionError("bool byte " + b);
        }
        return b == 1;
    }

    void drop(int h) {
        call("proxy-drop", h);
    }
}
