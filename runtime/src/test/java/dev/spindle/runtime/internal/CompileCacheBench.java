package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasm.WasmModule;
import dev.spindle.component.ComponentDecoder;
import dev.spindle.component.ComponentHost;
import dev.spindle.component.ComponentInstantiator;
import dev.spindle.component.Inliner;
import dev.spindle.component.InstantiationPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One start of a component, timed by phase, in a fresh JVM (bench/compile-cache.sh runs it with
 * an empty cache, then again with the cache the first run filled, then without a cache):
 * decode + plan (with each core module parsed, and validated unless the cache has it), compile
 * (or load from the cache), then instantiate the flattened plan a few times (host functions
 * stubbed: they are not called) — the cost a per-invocation fresh instance pays today.
 *
 * <p>Usage: {@code CompileCacheBench <component.wasm> <cache-dir|none> [instances]}
 */
public final class CompileCacheBench {
    public static void main(String[] args) throws Exception {
        byte[] wasm = Files.readAllBytes(Path.of(args[0]));
        CompileCache cache = args[1].equals("none") ? null : CompileCache.open(Path.of(args[1]));
        int instances = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = cpu.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        CoreModules modules = new CoreModules("bench", true, cache);
        InstantiationPlan plan = Inliner.plan(ComponentDecoder.decode(wasm), bytes -> modules.parse(bytes, "invalid"));
        long t1 = System.nanoTime();
        long c1 = cpu.getCurrentThreadCpuTime();
        Map<WasmModule, Function<Instance, Machine>> factories = new IdentityHashMap<>();
        for (WasmModule m : plan.modules()) {
            factories.put(m, modules.compile(m));
        }
        long t2 = System.nanoTime();
        long c2 = cpu.getCurrentThreadCpuTime();
        ComponentInstantiator instantiator = new ComponentInstantiator(plan, (m, b) -> {
            b.withMemoryFactory(ByteArrayMemory::new).withMachineFactory(factories.get(m));
        });
        ComponentHost stub = (module, name, type, context) -> Optional.of(new HostFunction(module, name, type, (inst, a) -> {
            throw new TrapException("stub " + module + " " + name);
        }));
        long first = 0;
        long best = Long.MAX_VALUE;
        for (int i = 0; i < instances; i++) {
            long s = System.nanoTime();
            instantiator.instantiate(stub);
            long d = System.nanoTime() - s;
            if (i == 0) {
                first = d;
            }
            best = Math.min(best, d);
        }
        long total = System.nanoTime() - t0;
        // Wall time on a shared machine varies with its load; the loading thread's CPU time does not
        // (JIT threads not counted). Both are printed.
        System.out.printf("cache=%s decode+plan+parse=%.0f ms (cpu %.0f) compile=%.0f ms (cpu %.0f) load=%.0f ms (cpu %.0f) "
                        + "[hits %d, misses %d, writes %d] first-instantiate=%.1f ms best-of-%d=%.1f ms modules=%d%n",
                cache == null ? "none" : "dir", (t1 - t0) / 1e6, (c1 - c0) / 1e6, (t2 - t1) / 1e6, (c2 - c1) / 1e6,
                (t2 - t0) / 1e6, (c2 - c0) / 1e6,
                cache == null ? 0 : cache.hits(), cache == null ? 0 : cache.misses(), cache == null ? 0 : cache.writes(),
                first / 1e6, instances, best / 1e6, plan.modules().size());
    }
}
