package dev.spindle.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostLog;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.MessageSubscriber;
import dev.spindle.manifest.RuntimeConfig;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.redis.ProxyGuest.Engine;
import dev.spindle.testing.RedisSentinelGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Sentinel failover under load: one master, one replica, three sentinels on loopback
 * ({@link RedisSentinelGroup}), declared in the runtime config; the {@code redis-proxy} guest
 * opens the group's address and increments a counter in a loop, one invocation's worth (open,
 * incr, drop) at a time, while the master is killed. Errors may occur only between the kill and
 * the first call that succeeds on the promoted replica; the recovery time is measured and printed.
 */
class RedisSentinelFailoverTest {
    static final String ADDRESS = "redis://sessions.sentinel.test:6379";

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final HostLog hostLog = (level, component, message) -> log.add(level + " " + component + ": " + message);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** One call of the loop: when it started, and whether it succeeded. */
    record Call(long startNanos, long endNanos, boolean ok, String error) {}

    @Test
    void errorsOccurOnlyWithinTheFailoverWindowAndTheRecoveryTimeIsMeasured() throws Exception {
        RedisSentinelGroup group = RedisSentinelGroup.launch();
        toClose.add(group);
        String toml = "[redis_sentinel.sessions]\naddress = \"" + ADDRESS + "\"\nsentinels = ["
                + group.sentinelUris().stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", ")) + "]\n"
                + "master_name = \"" + group.masterName() + "\"\n";
        RedisCapability cap = RedisCapability.create(RedisClientSettings.create(RedisOptions.defaults())
                .withTopology(RedisTopology.parse(RuntimeConfig.parse(toml, Path.of("runtime-config.toml")))));
        toClose.add(cap);
        InstanceBinding binding = cap.bind(new ComponentContext("worker", AllowedHosts.parse(List.of(ADDRESS)), hostLog));
        toClose.add(binding);
        ProxyGuest g = new ProxyGuest(Engine.INTERPRETER, binding);

        // The trigger's subscription follows the master too.
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch afterFailover = new CountDownLatch(1);
        MessageSubscriber.Subscription sub = cap.subscribe(ADDRESS, List.of("events"), (ch, payload) -> {
            heard.add(new String(payload, UTF_8));
            if (new String(payload, UTF_8).equals("after")) {
                afterFailover.countDown();
            }
        }, hostLog);
        toClose.add(sub);
        sub.start();

        List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            while (running.get()) {
                g.resetScratch();
                long start = System.nanoTime();
                ProxyGuest.Outcome<Integer> open = g.open(ADDRESS);
                if (!open.ok()) {
                    calls.add(new Call(start, System.nanoTime(), false, "open: " + open.errKind() + " " + open.errMessage()));
                    continue;
                }
                ProxyGuest.Outcome<Long> incr = g.incr(open.value(), "counter");
                g.drop(open.value());
                calls.add(new Call(start, System.nanoTime(), incr.ok(), incr.ok() ? null : "incr: " + incr.errMessage()));
            }
        }, "failover-load");
        load.start();
        Thread.sleep(1500); // load before the failover
        long okBefore;
        synchronized (calls) {
            okBefore = calls.stream().filter(Call::ok).count();
        }
        int masterPort = group.master().port();
        long killing = System.nanoTime();
        group.master().stop(); // SIGKILL, and waits until the process is gone
        long kill = System.nanoTime();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < deadline && !recoveredAfter(calls, kill)) {
            Thread.sleep(50);
        }
        Thread.sleep(2000); // load after the recovery
        running.set(false);
        load.join(10_000);

        List<Call> all;
        synchronized (calls) {
            all = new ArrayList<>(calls);
        }
        assertTrue(okBefore > 10, "the loop ran before the failover: " + okBefore + " calls");
        List<Call> errors = all.stream().filter(c -> !c.ok()).toList();
        Call recovered = all.stream().filter(c -> c.ok() && c.startNanos() > kill).findFirst()
                .orElseThrow(() -> new AssertionError("no call succeeded after the kill; sentinels: " + group.views()));
        List<Call> outside = errors.stream().filter(c -> c.endNanos() < killing || c.startNanos() > recovered.startNanos()).toList();
        assertEquals(List.of(), outside, "errors only inside the failover window (" + errors.size() + " errors in all)");
        long lastError = errors.stream().mapToLong(Call::endNanos).max().orElse(kill);
        List<Call> afterRecovery = all.stream().filter(c -> c.startNanos() >= recovered.startNanos()).toList();
        assertTrue(afterRecovery.stream().allMatch(Call::ok), "no error after the first success on the new master");
        assertTrue(afterRecovery.size() > 10, "the loop went on after the failover: " + afterRecovery.size());
        assertNotEquals(masterPort, group.currentMasterPort(), "the sentinels promoted the replica");
        assertEquals(group.replica().port(), group.currentMasterPort());

        long succeeded = all.stream().filter(Call::ok).count();
        long counter = Long.parseLong(group.replica().withJedis(j -> j.get("counter")));
        double recoveryMs = (recovered.endNanos() - kill) / 1e6;
        double windowMs = (lastError - kill) / 1e6;
        System.out.printf("sentinel failover: %d calls (%d ok, %d failed), recovery %.0f ms after the kill (errors within %.0f ms"
                        + " of it; down-after %d ms), counter %d of %d acknowledged increments kept"
                        + " (asynchronous replication may lose the last ones the old master acknowledged), load %s%n",
                all.size(), succeeded, errors.size(), recoveryMs, windowMs, RedisSentinelGroup.DOWN_AFTER.toMillis(), counter, succeeded,
                loadAverage());
        // The promoted replica had the master's writes (asynchronous replication may lose the last few).
        // A failed call may still have been applied (and replicated) with its reply lost in the kill,
        // so the counter can exceed the acknowledged increments by at most the failed calls.
        assertTrue(counter <= succeeded + errors.size() && counter - afterRecovery.size() > okBefore / 2,
                counter + " vs " + succeeded + " acknowledged, " + errors.size() + " failed");

        long subDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (afterFailover.getCount() > 0 && System.nanoTime() < subDeadline) {
            group.replica().withJedis(j -> j.publish("events", "after"));
            afterFailover.await(200, TimeUnit.MILLISECONDS);
        }
        assertEquals(0, afterFailover.getCount(), "the subscription moved to the new master: " + heard + " " + log);
    }

    /** No sentinel answering is an error value naming the group and each sentinel's failure, never a hang or a trap. */
    @Test
    void noSentinelAnsweringIsAnErrorValueNamingThem() {
        String toml = "[redis_sentinel.sessions]\naddress = \"" + ADDRESS + "\"\nsentinels = [\"redis://127.0.0.1:1\", \"redis://127.0.0.1:2\"]\n"
                + "master_name = \"m\"\n";
        RedisCapability cap = RedisCapability.create(RedisClientSettings.create(RedisOptions.defaults())
                .withTopology(RedisTopology.parse(RuntimeConfig.parse(toml, Path.of("runtime-config.toml")))));
        toClose.add(cap);
        InstanceBinding binding = cap.bind(new ComponentContext("worker", AllowedHosts.parse(List.of(ADDRESS)), hostLog));
        toClose.add(binding);
        ProxyGuest.Outcome<Integer> open = new ProxyGuest(Engine.INTERPRETER, binding).open(ADDRESS);
        assertEquals(ProxyGuest.OTHER, open.errKind());
        assertTrue(open.errMessage().startsWith("redis sentinel group \"sessions\": no sentinel named a master for \"m\" (127.0.0.1:1 "),
                open.errMessage());
        assertTrue(open.errMessage().contains("; 127.0.0.1:2 "), open.errMessage());
    }

    private static boolean recoveredAfter(List<Call> calls, long kill) {
        synchronized (calls) {
            return calls.stream().anyMatch(c -> c.ok() && c.startNanos() > kill);
        }
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
