package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 4: 64 concurrent GETs of a 120 MB value threw OutOfMemoryError and unrelated
 * requests timed out. With a budget for host memory in flight across all invocations, the GETs
 * that do not fit fail as values, and everything else keeps working. Scaled down so the test's
 * heap is never at risk: 16 GETs of 2 MiB against 3 MiB in flight.
 */
@ExtendWith(RedisServerExtension.class)
class HostMemoryBudgetEngineTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void concurrentGetsOfALargeValueFailAsValuesAndAnUnrelatedInvocationStillWorks(RedisServer redis) throws Exception {
        redis.withJedis(j -> j.set("big".getBytes(), new byte[2 * MIB]));
        redis.withJedis(j -> j.del("spindle:command-runs"));
        Path manifest = TestApps.manifest(dir, redis.uri(), List.of("redis://127.0.0.1:" + redis.port()), "redis-proxy", "redis-command");
        TestApps.CapturingLog log = new TestApps.CapturingLog();
        int callers = 16;
        try (SpindleApp app = Spindle.load(manifest, SpindleOptions.builder()
                .memoryLimitBytes(8L * MIB)
                .hostMemoryPerInvocationBytes(4L * MIB)
                .hostMemoryTotalBytes(3L * MIB) // one 2 MiB reply in flight at a time
                .log(log)
                .build())) {
            ProxyCalls.Got alone = app.invoke("redis-proxy", g -> ProxyCalls.get(g, ProxyCalls.open(g, redis.uri()), "big"));
            assertEquals(2 * MIB, alone.length(), "one GET alone fits the budget");

            ExecutorService threads = Executors.newFixedThreadPool(callers);
            CyclicBarrier start = new CyclicBarrier(callers);
            List<Future<ProxyCalls.Got>> gets = new ArrayList<>();
            try {
                for (int i = 0; i < callers; i++) {
                    gets.add(threads.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return app.invoke("redis-proxy", g -> ProxyCalls.get(g, ProxyCalls.open(g, redis.uri()), "big"));
                    }));
                }
                int ok = 0;
                int refused = 0;
                for (Future<ProxyCalls.Got> f : gets) {
                    ProxyCalls.Got got = f.get(30, TimeUnit.SECONDS); // an InvocationException (OOM, host failure) would fail here
                    if (got.ok()) {
                        assertEquals(2 * MIB, got.length());
                        ok++;
                    } else {
                        assertEquals(3, got.errKind(), "other(...)");
                        assertTrue(got.errMessage().startsWith("host memory for a redis reply (" + (2 * MIB + 16) + " bytes) exceeds what"
                                + " is left of the budget for all invocations (" + 3 * MIB + " bytes"), got.errMessage());
                        refused++;
                    }
                }
                System.out.println("[figure] " + callers + " concurrent GETs of a 2 MiB value, 3 MiB host memory in flight: "
                        + ok + " ok, " + refused + " other(\"... exceeds ...\"), no OutOfMemoryError");
                assertEquals(callers, ok + refused);
                assertTrue(refused > 0, "the budget was reached: " + ok + " ok");
            } finally {
                threads.shutdownNow();
            }
            PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true);
            assertEquals(0, app.runCommand("redis-command", new ByteArrayInputStream(new byte[0]), sink, sink),
                    "an unrelated invocation still works");
            ProxyCalls.Got after = app.invoke("redis-proxy", g -> ProxyCalls.get(g, ProxyCalls.open(g, redis.uri()), "big"));
            assertEquals(2 * MIB, after.length(), "every charge was released: a GET fits again");
        }
    }
}
