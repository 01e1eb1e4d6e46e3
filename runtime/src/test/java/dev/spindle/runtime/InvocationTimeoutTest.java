package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.redis.RedisCapability;
import dev.spindle.redis.RedisOptions;
import dev.spindle.runtime.InvocationException.Kind;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 1: a guest escaped its timeout by looping on {@code open} while the pool was
 * exhausted (the pool wait swallowed the interrupt), and a Redis read blocked past the deadline
 * kept the invocation's thread until the socket timeout. Both must end at the deadline and give
 * back the slot and the connections.
 */
@ExtendWith(RedisServerExtension.class)
class InvocationTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @TempDir
    Path dir;

    private final TestApps.CapturingLog log = new TestApps.CapturingLog();

    private SpindleApp load(RedisServer redis, int slots, RedisOptions redisOptions) {
        Path manifest = TestApps.manifest(dir, redis.uri(), List.of("redis://127.0.0.1:" + redis.port()),
                "redis-retry", "redis-command", "hello-command");
        return Spindle.load(manifest, SpindleOptions.builder()
                .invocationTimeout(TIMEOUT)
                .maxConcurrentInvocations(slots)
                .capability(RedisCapability.provider(redisOptions))
                .log(log)
                .build());
    }

    private static int command(SpindleApp app, String component) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true);
        return app.runCommand(component, new ByteArrayInputStream(new byte[0]), sink, sink);
    }

    private record Ended(Kind kind, long ms) {}

    @Test
    void guestRetryingOpenOnAnExhaustedPoolEndsAtItsTimeoutAndGivesBackItsSlot(RedisServer redis) throws Exception {
        int slots = 16;
        int waves = 5; // 80 such requests: more than the 64 that took every slot in the attack
        int poolCap = 4;
        long worstMs = 0;
        try (SpindleApp app = load(redis, slots, RedisOptions.defaults().withMaxConnectionsPerServer(poolCap))) {
            ExecutorService callers = Executors.newFixedThreadPool(slots);
            try {
                for (int wave = 0; wave < waves; wave++) {
                    List<Future<Ended>> runs = new ArrayList<>();
                    for (int i = 0; i < slots; i++) {
                        runs.add(callers.submit(() -> {
                            long start = System.nanoTime();
                            try {
                                app.invoke("redis-retry", g -> g.call("retry-open"));
                                return new Ended(null, 0);
                            } catch (InvocationException e) {
                                return new Ended(e.kind(), (System.nanoTime() - start) / 1_000_000);
                            }
                        }));
                    }
                    for (Future<Ended> run : runs) {
                        Ended ended = run.get(10, TimeUnit.SECONDS);
                        assertEquals(Kind.TIMEOUT, ended.kind(),
                                "wave " + wave + ": every retrying guest ends as a timeout, not a lack of slots (" + log.all() + ")");
                        worstMs = Math.max(worstMs, ended.ms());
                    }
                }
            } finally {
                callers.shutdownNow();
            }
            assertEquals(0, command(app, "redis-command"), "a normal invocation still gets a slot and a connection");
            assertTrue(redis.connectedClients() <= poolCap, "connections went back to the pool: " + redis.connectedClients());
        }
        System.out.println("[figure] " + waves * slots + " guests retrying open on an exhausted pool (" + slots
                + " slots, timeout " + TIMEOUT.toMillis() + " ms): all TIMEOUT, slowest caller " + worstMs + " ms");
        assertTrue(worstMs < TIMEOUT.toMillis() * 4, "slowest caller took " + worstMs + " ms");
    }

    @Test
    void redisReadBlockedPastTheDeadlineIsCutOffAndFreesTheSlot(RedisServer redis) throws Exception {
        // One slot: the next invocation can only start once the blocked one has really ended.
        try (SpindleApp app = load(redis, 1, RedisOptions.defaults())) {
            // Warm the pool, so the next invocation borrows an idle connection and blocks in GET's read.
            assertEquals(0L, (long) app.invoke("redis-retry", g -> g.call("get-once")[0]), "warm-up GET");
            redis.pause(); // SIGSTOP: the server answers nothing until resumed
            try {
                long start = System.nanoTime();
                InvocationException e = org.junit.jupiter.api.Assertions.assertThrows(InvocationException.class,
                        () -> app.invoke("redis-retry", g -> g.call("get-once")));
                long timedOutMs = (System.nanoTime() - start) / 1_000_000;
                assertEquals(Kind.TIMEOUT, e.kind(), e.getMessage());
                // The pool is empty now (the cut-off connection was discarded): this one blocks in the
                // setup of a new connection (HELLO), which must not outlive the deadline either.
                InvocationException cold = org.junit.jupiter.api.Assertions.assertThrows(InvocationException.class,
                        () -> app.invoke("redis-retry", g -> g.call("get-once")));
                assertEquals(Kind.TIMEOUT, cold.kind(), cold.getMessage());
                // The server is still frozen: this only runs if the blocked worker let go of the one slot.
                assertEquals(3, command(app, "hello-command"), "the slot is free again while the server is still stalled");
                long nextRanMs = (System.nanoTime() - start) / 1_000_000;
                System.out.println("[figure] GET on a SIGSTOPped server (timeout " + TIMEOUT.toMillis() + " ms, socket timeout "
                        + RedisOptions.DEFAULT_SOCKET_TIMEOUT.toMillis() + " ms): TIMEOUT after " + timedOutMs
                        + " ms; a second one blocked in connection setup also timed out; the next invocation had the slot at "
                        + nextRanMs + " ms");
                assertTrue(nextRanMs < 3 * TIMEOUT.toMillis() + 500, "next invocation ran at " + nextRanMs + " ms");
            } finally {
                redis.resume();
            }
        }
    }
}
