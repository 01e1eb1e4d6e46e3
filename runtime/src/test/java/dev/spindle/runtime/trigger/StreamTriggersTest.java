package dev.spindle.runtime.trigger;

import static dev.spindle.runtime.trigger.RedisTriggersTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.SpindleApp;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import dev.spindle.testing.RedisServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XPendingParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The streams trigger against a real redis-server: acknowledgement, retry, dead letter, reclaim
 * of a dead consumer's entries and the shutdown of a consumer with an entry in flight. The guest
 * ({@code guests/wat/stream-counter.wat}) INCRs {@code seen:<payload>}, so a count of 1 is
 * "exactly once". Several replicas in separate processes: {@code bench/scale-out.sh}.
 */
@ExtendWith(RedisServerExtension.class)
@RedisServerOptions(perTest = true)
class StreamTriggersTest {
    static final String MANIFEST = """
            spin_manifest_version = 2
            [application]
            name = "streams-test"
            [variables]
            redis_address = { required = true }
            consumer = { default = "%2$s" }

            [[trigger.redis]]
            address = "{{ redis_address }}"
            stream = "jobs"
            group = "workers"
            consumer = "{{ consumer }}"
            max_deliveries = 3
            reclaim_idle_ms = %3$d
            component = "counter"

            [component.counter]
            source = "%1$s"
            allowed_outbound_hosts = ["redis://127.0.0.1:*"]
            [component.counter.variables]
            redis_address = "{{ redis_address }}"
            """;

    private static SpindleApp app(Path dir, RedisServer redis, String consumer, long reclaimIdleMs, TestApps.CapturingLog log)
            throws Exception {
        Path d = Files.createDirectories(dir.resolve(consumer));
        return TestApps.load(d, MANIFEST.formatted(TestApps.wasm("stream-counter"), consumer, reclaimIdleMs), redis.uri(), log);
    }

    private static String add(RedisServer redis, Map<String, String> fields) {
        return redis.withJedis(j -> j.xadd("jobs", XAddParams.xAddParams(), fields)).toString();
    }

    private static String seen(RedisServer redis, String payload) {
        return redis.withJedis(j -> j.get("seen:" + payload));
    }

    /** Entries delivered and not acknowledged; 0 before the group exists. */
    private static long pending(RedisServer redis) {
        return redis.withJedis(j -> j.exists("jobs") && !j.xinfoGroups("jobs").isEmpty() ? j.xpending("jobs", "workers").getTotal() : 0L);
    }

    @Test
    void twoConsumersShareTheEntriesEachHandledOnceAndAcknowledged(RedisServer redis, @TempDir Path dir) throws Exception {
        add(redis, Map.of("payload", "e0")); // before the group exists: the group starts at the stream's first entry
        TestApps.CapturingLog log = new TestApps.CapturingLog();
        try (SpindleApp a = app(dir, redis, "a", 30_000, log); SpindleApp b = app(dir, redis, "b", 30_000, log);
             StreamTriggers ta = StreamTriggers.start(a, Duration.ofSeconds(5));
             StreamTriggers tb = StreamTriggers.start(b, Duration.ofSeconds(5))) {
            for (int i = 1; i < 100; i++) {
                add(redis, Map.of("payload", "e" + i, "other", "x"));
            }
            await("100 entries handled", () -> "100".equals(redis.withJedis(j -> j.get("handled"))));
            await("all acknowledged", () -> ta.acknowledged() + tb.acknowledged() == 100);
            for (int i = 0; i < 100; i++) {
                assertEquals("1", seen(redis, "e" + i), "e" + i);
            }
            assertEquals(0, pending(redis));
        }
    }

    @Test
    void aFailingEntryIsRetriedAfterTheIdleTimeThenDeadLettered(RedisServer redis, @TempDir Path dir) throws Exception {
        TestApps.CapturingLog log = new TestApps.CapturingLog();
        try (SpindleApp a = app(dir, redis, "a", 200, log); StreamTriggers t = StreamTriggers.start(a, Duration.ofSeconds(5))) {
            String failing = add(redis, Map.of("payload", "fail"));
            String trapping = add(redis, Map.of("payload", "trap"));
            String empty = add(redis, Map.of("body", "no payload field"));
            add(redis, Map.of("payload", "after"));
            await("three dead letters", () -> redis.withJedis(j -> j.xlen("jobs:dead-letter")) == 3);
            List<StreamEntry> dead = redis.withJedis(j -> j.xrange("jobs:dead-letter", (StreamEntryID) null, null));
            Map<String, String> empties = dead.stream().filter(e -> e.getFields().containsKey("body")).findFirst().orElseThrow().getFields();
            assertEquals(empty, empties.get("dead-letter:id"));
            assertEquals("1", empties.get("dead-letter:deliveries")); // not retried: it can never succeed
            assertEquals("no field \"payload\"", empties.get("dead-letter:reason"));
            for (String id : List.of(failing, trapping)) {
                Map<String, String> f = dead.stream().filter(e -> id.equals(e.getFields().get("dead-letter:id")))
                        .findFirst().orElseThrow().getFields();
                assertEquals("jobs", f.get("dead-letter:stream"));
                assertEquals("workers", f.get("dead-letter:group"));
                assertEquals("4", f.get("dead-letter:deliveries"), f.toString()); // handed over 3 times, the 4th claim moves it
                assertEquals("failed 3 deliveries", f.get("dead-letter:reason"));
            }
            assertEquals("1", seen(redis, "after")); // a failing entry does not hold up the ones behind it
            assertEquals(0, pending(redis));
            long retries = log.lines.stream().filter(l -> l.contains("entry " + failing + ": left pending")).count();
            assertEquals(3, retries, log.lines.toString());
            assertTrue(log.lines.stream().anyMatch(l -> l.contains("entry " + failing + ": left pending (delivery 3 of 3)")),
                    log.lines.toString());
        }
    }

    @Test
    void theEntriesOfAConsumerThatDiedAreReclaimedAndHandledOnce(RedisServer redis, @TempDir Path dir) throws Exception {
        redis.withJedis(j -> j.sendCommand(Protocol.Command.XGROUP, "CREATE", "jobs", "workers", "0", "MKSTREAM"));
        for (int i = 0; i < 5; i++) {
            add(redis, Map.of("payload", "r" + i));
        }
        // A replica reads five entries and dies before handling them: they stay pending with it.
        redis.withJedis(j -> j.sendCommand(Protocol.Command.XREADGROUP, "GROUP", "workers", "dead", "COUNT", "5", "STREAMS", "jobs", ">"));
        assertEquals(5, pending(redis));
        TestApps.CapturingLog log = new TestApps.CapturingLog();
        try (SpindleApp a = app(dir, redis, "a", 300, log); StreamTriggers t = StreamTriggers.start(a, Duration.ofSeconds(5))) {
            await("the dead consumer's entries handled", () -> "5".equals(redis.withJedis(j -> j.get("handled"))));
            await("acknowledged", () -> pending(redis) == 0);
            for (int i = 0; i < 5; i++) {
                assertEquals("1", seen(redis, "r" + i));
            }
            assertEquals(5, log.lines.stream().filter(l -> l.contains("reclaimed 1 entry pending longer than 300 ms")).count(),
                    log.lines.toString()); // one at a time, each once
        }
    }

    @Test
    void anEntryBeingHandledIsKeptAliveSoNoOtherConsumerTakesIt(RedisServer redis, @TempDir Path dir) throws Exception {
        TestApps.CapturingLog log = new TestApps.CapturingLog();
        // How long the slow entry takes here: the idle time is set to a quarter of it, so without the
        // keep-alive the second consumer would take the entry over while the first still runs it.
        long calibration;
        try (SpindleApp c = app(dir, redis, "calibrate", 60_000, log); StreamTriggers tc = StreamTriggers.start(c, Duration.ofSeconds(30))) {
            add(redis, Map.of("payload", "slow"));
            await("the slow entry to be read", () -> pending(redis) == 1);
            long start = System.nanoTime();
            RedisTriggersTest.awaitFor("the slow entry handled", Duration.ofSeconds(60),
                    () -> "1".equals(redis.withJedis(j -> j.get("handled"))));
            calibration = Duration.ofNanos(System.nanoTime() - start).toMillis();
        }
        redis.flushAll();
        long idle = Math.max(60, calibration / 4);
        try (SpindleApp a = app(dir, redis, "a", idle, log); SpindleApp b = app(dir, redis, "b", idle, log);
             StreamTriggers ta = StreamTriggers.start(a, Duration.ofSeconds(30));
             StreamTriggers tb = StreamTriggers.start(b, Duration.ofSeconds(30))) {
            await("both consumers reading", () -> ta.allReading() && tb.allReading());
            add(redis, Map.of("payload", "slow"));
            await("the slow entry to be read", () -> pending(redis) == 1);
            long start = System.nanoTime();
            RedisTriggersTest.awaitFor("the slow entry handled", Duration.ofSeconds(60),
                    () -> "1".equals(redis.withJedis(j -> j.get("handled"))));
            long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(ms > idle, "the slow entry took " + ms + " ms, within its idle time of " + idle + " ms; the test needs longer");
            Thread.sleep(Math.max(1_000, 2 * ms)); // a second handling, had the other consumer taken it, would be done by now
            assertEquals("1", seen(redis, "slow"));
            assertEquals(0, pending(redis));
            assertEquals(0, log.lines.stream().filter(l -> l.contains("reclaimed")).count(), log.lines.toString());
        }
    }

    @Test
    void shutdownFinishesTheEntryInFlightAndLeavesTheRestToTheGroup(RedisServer redis, @TempDir Path dir) throws Exception {
        TestApps.CapturingLog log = new TestApps.CapturingLog();
        add(redis, Map.of("payload", "slow"));
        for (int i = 0; i < 5; i++) {
            add(redis, Map.of("payload", "s" + i));
        }
        try (SpindleApp a = app(dir, redis, "a", 60_000, log)) {
            StreamTriggers t = StreamTriggers.start(a, Duration.ofSeconds(20));
            await("the slow entry to be read", () -> pending(redis) == 1);
            assertNull(seen(redis, "slow"), "the slow entry finished before the shutdown began; make it slower");
            t.close();
            assertEquals("1", seen(redis, "slow")); // finished within the grace period...
            assertEquals(0, pending(redis)); // ...and acknowledged
            assertNull(seen(redis, "s0")); // nothing more was taken once the stop began
        }
        // A long idle time: any entry the first consumer had kept would make the next one wait a minute.
        try (SpindleApp b = app(dir, redis, "b", 60_000, log); StreamTriggers t = StreamTriggers.start(b, Duration.ofSeconds(5))) {
            await("the rest handled by the next consumer", () -> "6".equals(redis.withJedis(j -> j.get("handled"))));
            for (int i = 0; i < 5; i++) {
                assertEquals("1", seen(redis, "s" + i));
            }
            await("acknowledged", () -> pending(redis) == 0);
        }
    }
}
