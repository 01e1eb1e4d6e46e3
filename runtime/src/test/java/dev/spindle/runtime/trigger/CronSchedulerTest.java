package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.manifest.ManifestException;
import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The cron trigger on real time ("every second" expressions) against a real redis-server. */
@ExtendWith(RedisServerExtension.class)
class CronSchedulerTest {
    @TempDir
    Path dir;

    private SpindleApp load(String toml, RedisServer redis, TestApps.CapturingLog log, Duration timeout) throws IOException {
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, toml);
        SpindleOptions.Builder options = SpindleOptions.builder()
                .environment(Map.of())
                .invocationTimeout(timeout)
                .log(log);
        if (toml.contains("redis_address")) {
            options.variable("redis_address", redis.uri());
        }
        return Spindle.load(manifest, options.build());
    }

    private static void await(long timeoutMs, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMillis(timeoutMs).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static long count(TestApps.CapturingLog log, String fragment) {
        return log.lines.stream().filter(l -> l.contains(fragment)).count();
    }

    private static long llen(RedisServer redis) {
        return redis.withJedis(j -> j.llen("queue:jobs"));
    }

    private static long processed(RedisServer redis) {
        String v = redis.withJedis(j -> j.get("queue:processed"));
        return v == null ? 0 : Long.parseLong(v);
    }

    static final String QUEUE_APP = """
            spin_manifest_version = 2
            [application]
            name = "queue-app"
            [variables]
            redis_address = { required = true }

            [[trigger.cron]]
            component = "queue-worker"
            cron_expression = "* * * * * *"

            [component.queue-producer]
            source = "%1$s"
            allowed_outbound_hosts = ["redis://127.0.0.1:*"]
            [component.queue-producer.variables]
            redis_address = "{{ redis_address }}"

            [component.queue-worker]
            source = "%2$s"
            allowed_outbound_hosts = ["redis://127.0.0.1:*"]
            [component.queue-worker.variables]
            redis_address = "{{ redis_address }}"
            """;

    /** Collects what the runtime writes to standard error (guest output of non-command triggers goes there). */
    private static final class Tee extends OutputStream {
        private final PrintStream original;
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

        Tee(PrintStream original) {
            this.original = original;
        }

        @Override
        public synchronized void write(int b) {
            original.write(b);
            copy.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            original.write(b, off, len);
            copy.write(b, off, len);
        }

        synchronized String text() {
            return copy.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void cronWorkerDrainsTheQueueAnotherComponentFilled(RedisServer redis) throws Exception {
        redis.withJedis(j -> j.del("queue:jobs", "queue:processed"));
        var log = new TestApps.CapturingLog();
        PrintStream stderr = System.err;
        Tee tee = new Tee(stderr);
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
        try (SpindleApp app = load(QUEUE_APP.formatted(TestApps.wasm("queue-producer.wasm"), TestApps.wasm("queue-worker.wasm")),
                redis, log, Duration.ofSeconds(10))) {
            long length = app.invoke("queue-producer", g -> g.call("produce", 25)[0]);
            assertEquals(25, length, "one push of 25 jobs");
            assertEquals(25, llen(redis));
            assertEquals("job-0001", redis.withJedis(j -> j.lindex("queue:jobs", 0)));

            try (CronScheduler cron = CronScheduler.start(app)) {
                await(10_000, "the worker to drain the queue", () -> llen(redis) == 0 && processed(redis) == 25);
                assertTrue(tee.text().contains("[queue-worker] processed job-0001\n"), "guest output is prefixed");
                assertTrue(tee.text().indexOf("processed job-0001") < tee.text().indexOf("processed job-0025"), "oldest first");

                // The schedule keeps going: more work is picked up by a later tick.
                assertEquals(5L, (long) app.invoke("queue-producer", g -> g.call("produce", 5)[0]));
                await(10_000, "the second batch", () -> llen(redis) == 0 && processed(redis) == 30);
            }
            // Closed: nothing runs any more.
            assertEquals(3L, (long) app.invoke("queue-producer", g -> g.call("produce", 3)[0]));
            Thread.sleep(1500); // more than one "every second" period
            assertEquals(3, llen(redis), "no tick after close");
            assertEquals(30, processed(redis));
        } finally {
            System.setErr(stderr);
        }
        assertEquals(0, count(log, "failed") + count(log, "skipped"), String.join("\n", log.lines));
        assertTrue(count(log, "cron trigger \"queue-worker-cron-trigger\": \"* * * * * *\" (UTC), first run at ") == 1,
                String.join("\n", log.lines));
    }

    @Test
    void overlappingTicksAreSkippedAndFailuresDoNotStopTheSchedule(RedisServer redis) throws Exception {
        String toml = """
                spin_manifest_version = 2
                [application]
                name = "failing-crons"
                [[trigger.cron]]
                component = "loop"
                cron_expression = "* * * * * *"
                [[trigger.cron]]
                component = "trap"
                cron_expression = "*/1 * * * * *"
                [[trigger.cron]]
                component = "hello-command"
                cron_expression = "0-59 * * * * *"
                [component.loop]
                source = "%s"
                [component.trap]
                source = "%s"
                [component.hello-command]
                source = "%s"
                """.formatted(TestApps.wasm("loop.wasm"), TestApps.wasm("trap.wasm"), TestApps.wasm("hello-command.wasm"));
        var log = new TestApps.CapturingLog();
        // loop's _start never returns: each run is stopped at the 1.5 s timeout, so the ticks
        // due meanwhile find it still running.
        try (SpindleApp app = load(toml, redis, log, Duration.ofMillis(1500));
             CronScheduler cron = CronScheduler.start(app)) {
            await(8_000, "two timed-out loop runs, a skipped loop tick, two trap failures, two exit codes", () ->
                    count(log, "[loop] cron trigger \"loop-cron-trigger\": the run due at") >= 2
                            && count(log, "timed out after 1500 ms") >= 2
                            && count(log, "[loop] cron trigger \"loop-cron-trigger\": skipped the run due at") >= 1
                            && count(log, "[trap] cron trigger \"trap-cron-trigger\": the run due at") >= 2
                            && count(log, "exited with code 3") >= 2);
        }
        assertTrue(log.lines.stream().anyMatch(l -> l.startsWith("WARN [loop]") && l.endsWith(": the previous run is still going")),
                String.join("\n", log.lines));
        assertTrue(log.lines.stream().anyMatch(l -> l.startsWith("ERROR [trap]") && l.contains("failed: component \"trap\": trapped")),
                String.join("\n", log.lines));
    }

    @Test
    void aComponentWithoutStartIsRefusedWithTheTriggerLocation(RedisServer redis) throws Exception {
        String toml = """
                spin_manifest_version = 2
                [application]
                name = "not-a-command"
                [[trigger.cron]]
                component = "proxy"
                cron_expression = "* * * * * *"
                [component.proxy]
                source = "%s"
                """.formatted(TestApps.wasm("redis-proxy.wasm"));
        var log = new TestApps.CapturingLog();
        try (SpindleApp app = load(toml, redis, log, Duration.ofSeconds(5))) {
            ManifestException e = assertThrows(ManifestException.class, () -> CronScheduler.start(app));
            assertEquals(dir.resolve("spin.toml") + ":4:1: cron trigger \"proxy-cron-trigger\": component \"proxy\" is not a WASI command:"
                    + " it has no \"_start\" export", e.getMessage());
        }
    }
}
