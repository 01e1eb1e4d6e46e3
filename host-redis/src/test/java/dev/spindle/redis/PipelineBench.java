package dev.spindle.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.InstanceBinding;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.redis.ProxyGuest.Engine;
import dev.spindle.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.Pipeline;

/**
 * Benchmark, not a test: run with {@code bench/pipeline-bench.sh}. The same workload (alternating
 * {@code SET k v} / {@code GET k} over 100 keys, 16-byte values) five ways, in one JVM against
 * one private redis-server:
 * <ul>
 *   <li>guest, one typed call per operation ({@code set}/{@code get} imports);
 *   <li>guest, one {@code execute} call per operation;
 *   <li>guest, {@code pipeline} calls of {@code BATCH} operations (and the same with
 *       {@code transaction = true}); BATCH up to about 2000 fits the proxy's scratch memory;
 *   <li>plain Jedis, one command at a time; plain Jedis, pipelined in batches of {@code BATCH}.
 * </ul>
 * The guest is the compiled {@code redis-proxy} module on a byte-array linear memory, as the
 * engine runs its instances; one instance and one connection handle serve every call of a mode
 * (the work of one long invocation), so the figures measure the host-call path and the round
 * trips, not instantiation.
 */
@EnabledIfSystemProperty(named = "spindle.bench", matches = "true")
class PipelineBench {
    static final int WARMUP_SECONDS = Integer.getInteger("spindle.bench.warmup", 3);
    static final int MEASURE_SECONDS = Integer.getInteger("spindle.bench.seconds", 5);
    static final int BATCH = Integer.getInteger("spindle.bench.batch", 100);
    static final int ROUNDS = Integer.getInteger("spindle.bench.rounds", 5);
    static final int KEYS = 100;
    static final byte[] VALUE = "0123456789abcdef".getBytes(UTF_8);

    /** One measured mode: runs a unit of work and returns how many operations it did. */
    record Mode(String name, IntSupplier unit) {}

    @Test
    void run() throws Exception {
        try (RedisServer redis = RedisServer.launch();
             RedisCapability capability = RedisCapability.create()) {
            // Bound the way the engine binds a pooled instance: one scope (one GuestMemory) per instance.
            dev.spindle.host.abi.InstanceScope scope = new dev.spindle.host.abi.InstanceScope();
            InstanceBinding binding = capability.bind(new ComponentContext(
                    "bench", AllowedHosts.parse(List.of("redis://127.0.0.1:" + redis.port())), (l, c, m) -> {}), scope);
            ProxyGuest g = new ProxyGuest(Engine.COMPILER, binding, scope);
            // The baseline's pool: a JedisPool as large as one component's share of host-redis's pools.
            JedisPoolConfig poolConfig = new JedisPoolConfig();
            poolConfig.setMaxTotal(RedisOptions.defaults().maxConnectionsPerComponent());
            JedisPool jedisPool = new JedisPool(poolConfig, "127.0.0.1", redis.port());
            int h = g.openOk(redis.uri());

            // Arguments are written into the guest's scratch memory once and reused by every call.
            int[] keyPtr = new int[KEYS];
            int[] keyLen = new int[KEYS];
            int[] setArgs = new int[KEYS];
            int[] getArgs = new int[KEYS];
            for (int k = 0; k < KEYS; k++) {
                byte[] key = ("bench:" + k).getBytes(UTF_8);
                keyPtr[k] = g.put(key);
                keyLen[k] = key.length;
                setArgs[k] = g.putParams("bench:" + k, VALUE);
                getArgs[k] = g.putParams("bench:" + k);
            }
            int ret = g.alloc(16, 4);
            int valuePtr = g.put(VALUE);
            int setName = g.put("SET");
            int getName = g.put("GET");
            // list<command> (16 bytes each) pointing at the names and parameter lists written above,
            // so a batch of 1000 fits the proxy's scratch memory
            int commands = g.alloc(BATCH * 16, 4);
            for (int i = 0; i < BATCH; i++) {
                int k = (i / 2) % KEYS;
                int at = commands + i * 16;
                boolean set = i % 2 == 0;
                g.instance.memory().writeI32(at, set ? setName : getName);
                g.instance.memory().writeI32(at + 4, 3);
                g.instance.memory().writeI32(at + 8, set ? setArgs[k] : getArgs[k]);
                g.instance.memory().writeI32(at + 12, set ? 2 : 1);
            }
            List<String> jedisKeys = new ArrayList<>();
            for (int k = 0; k < KEYS; k++) {
                jedisKeys.add("bench:" + k);
            }
            int[] op = {0};

            List<Mode> modes = List.of(
                    new Mode("guest, typed set/get, 1 call per op", () -> {
                        for (int i = 0; i < BATCH; i++) {
                            int k = (op[0] / 2) % KEYS;
                            if (op[0]++ % 2 == 0) {
                                g.call("proxy-set", h, keyPtr[k], keyLen[k], valuePtr, VALUE.length, ret);
                            } else {
                                g.call("proxy-get", h, keyPtr[k], keyLen[k], ret);
                            }
                            check(g, ret);
                        }
                        g.call("heap-reset");
                        return BATCH;
                    }),
                    new Mode("guest, execute, 1 call per op", () -> {
                        for (int i = 0; i < BATCH; i++) {
                            int k = (op[0] / 2) % KEYS;
                            if (op[0]++ % 2 == 0) {
                                g.call("proxy-execute", h, setName, 3, setArgs[k], 2, ret);
                            } else {
                                g.call("proxy-execute", h, getName, 3, getArgs[k], 1, ret);
                            }
                            check(g, ret);
                        }
                        g.call("heap-reset");
                        return BATCH;
                    }),
                    new Mode("guest, pipeline of " + BATCH, () -> {
                        g.call("proxy-pipeline", h, commands, BATCH, 0, ret);
                        check(g, ret);
                        g.call("heap-reset");
                        return BATCH;
                    }),
                    new Mode("guest, pipeline of " + BATCH + ", transaction", () -> {
                        g.call("proxy-pipeline", h, commands, BATCH, 1, ret);
                        check(g, ret);
                        g.call("heap-reset");
                        return BATCH;
                    }),
                    new Mode("plain Jedis, 1 command per op", () -> {
                        // like the guest: a connection borrowed once per unit of work, then one command per op
                        try (Jedis jedis = jedisPool.getResource()) {
                        for (int i = 0; i < BATCH; i++) {
                            String key = jedisKeys.get((op[0] / 2) % KEYS);
                            if (op[0]++ % 2 == 0) {
                                jedis.set(key.getBytes(UTF_8), VALUE);
                            } else {
                                jedis.get(key.getBytes(UTF_8));
                            }
                        }
                        }
                        return BATCH;
                    }),
                    new Mode("plain Jedis, pipeline of " + BATCH, () -> {
                        try (Jedis jedis = jedisPool.getResource()) {
                        Pipeline p = jedis.pipelined();
                        for (int i = 0; i < BATCH; i++) {
                            String key = jedisKeys.get((i / 2) % KEYS);
                            if (i % 2 == 0) {
                                p.set(key.getBytes(UTF_8), VALUE);
                            } else {
                                p.get(key.getBytes(UTF_8));
                            }
                        }
                        p.sync();
                        }
                        return BATCH;
                    }));

            // Modes take turns, ROUNDS times, so a change in the machine's load (shared, 2 cores)
            // hits every mode alike; each mode's rate is its operations over its measured time.
            for (Mode m : modes) {
                measure(m, WARMUP_SECONDS);
            }
            long[] ops = new long[modes.size()];
            long[] nanos = new long[modes.size()];
            for (int r = 0; r < ROUNDS; r++) {
                for (int i = 0; i < modes.size(); i++) {
                    long start = System.nanoTime();
                    ops[i] += measure(modes.get(i), (double) MEASURE_SECONDS / ROUNDS);
                    nanos[i] += System.nanoTime() - start;
                }
            }
            double[] opsPerSecond = new double[modes.size()];
            for (int i = 0; i < modes.size(); i++) {
                opsPerSecond[i] = ops[i] / (nanos[i] / 1e9);
            }
            double guestSingle = opsPerSecond[0];
            double jedisSingle = opsPerSecond[4];
            StringBuilder table = new StringBuilder();
            table.append(String.format("%n%-40s | %10s | %16s | %17s%n", "mode", "ops/s", "x guest 1-by-1", "x Jedis 1-by-1"));
            table.append("-".repeat(92)).append('\n');
            for (int i = 0; i < modes.size(); i++) {
                table.append(String.format("%-40s | %10.0f | %15.2fx | %16.2fx%n", modes.get(i).name(), opsPerSecond[i],
                        opsPerSecond[i] / guestSingle, opsPerSecond[i] / jedisSingle));
            }
            table.append(String.format("P1 guest 1-by-1 (typed set/get) / Jedis 1-by-1 = %.2fx (target >= 0.95x); "
                    + "P2 guest pipeline / Jedis pipeline = %.2fx (target >= 0.90x)%n",
                    guestSingle / jedisSingle, opsPerSecond[2] / opsPerSecond[5]));
            table.append(String.format("(ops = alternating SET/GET, 16-byte values; warmup %d s, measured %d s per mode in %d interleaved rounds;"
                    + " %d cores, Java %s, load average %s)%n",
                    WARMUP_SECONDS, MEASURE_SECONDS, ROUNDS, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                    loadAverage()));
            System.out.print(table);
            g.drop(h);
            binding.close();
            scope.close();
            jedisPool.close();
        }
    }

    /** Runs the mode's unit repeatedly for {@code seconds}; returns the operations done. */
    private static long measure(Mode mode, double seconds) {
        long ops = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        do {
            ops += mode.unit().getAsInt();
        } while (System.nanoTime() < end);
        return ops;
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().substring(0, 14);
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** The return area must say ok: a benchmark of failing calls would measure nothing useful. */
    private static void check(ProxyGuest g, int ret) {
        if (g.u8(ret) != 0) {
            throw new AssertionError("call failed: err " + g.u8(ret + 4));
        }
    }
}
