package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.manifest.ManifestException;
import dev.spindle.redis.RedisCapability;
import dev.spindle.redis.RedisOptions;
import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import dev.spindle.testing.RedisServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cron ticks shared between replicas through {@code [cron_lease]}: three schedulers of one app on
 * one Redis run each tick once. (Three separate processes for 30 s: {@code bench/scale-out.sh}.)
 */
@ExtendWith(RedisServerExtension.class)
@RedisServerOptions(perTest = true)
class CronLeaseTest {
    static final String MANIFEST = """
            spin_manifest_version = 2
            [application]
            name = "lease-app"
            [application.trigger.redis]
            address = "{{ redis_address }}"
            [variables]
            redis_address = { required = true }
            [[trigger.cron]]
            component = "ticker"
            cron_expression = "* * * * * *"
            [component.ticker]
            source = "%s"
            allowed_outbound_hosts = ["redis://127.0.0.1:*"]
            [component.ticker.variables]
            redis_address = "{{ redis_address }}"
            """;

    private static SpindleApp load(Path dir, RedisServer redis, String runtimeConfig, TestApps.CapturingLog log) throws Exception {
        Files.createDirectories(dir);
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, MANIFEST.formatted(TestApps.wasm("redis-command")));
        Path config = dir.resolve("runtime-config.toml");
        Files.writeString(config, runtimeConfig);
        return Spindle.load(manifest, SpindleOptions.builder().environment(Map.of()).variable("redis_address", redis.uri())
                .runtimeConfigFile(config).log(log).capability(RedisCapability.provider(RedisOptions.defaults())).build());
    }

    @Test
    void threeReplicasWithTheLeaseRunEachTickOnce(RedisServer redis, @TempDir Path dir) throws Exception {
        List<TestApps.CapturingLog> logs = new ArrayList<>();
        List<SpindleApp> apps = new ArrayList<>();
        List<CronScheduler> schedulers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                TestApps.CapturingLog log = new TestApps.CapturingLog();
                logs.add(log);
                apps.add(load(dir.resolve("r" + i), redis, "[cron_lease]\n", log)); // url: the app's redis address
            }
            apps.forEach(a -> schedulers.add(CronScheduler.start(a)));
            Thread.sleep(3_500);
        } finally {
            schedulers.forEach(CronScheduler::close);
            apps.forEach(SpindleApp::close);
        }
        Set<String> ticks = redis.withJedis(j -> j.keys("spindle:cron:lease-app:*"));
        long runs = Long.parseLong(redis.withJedis(j -> j.get("spindle:command-runs")));
        assertTrue(ticks.size() >= 3, ticks.toString());
        assertEquals(ticks.size(), runs, ticks + " leased, " + runs + " runs"); // 3 replicas, yet one run per tick
        for (String key : ticks) {
            assertTrue(key.matches("spindle:cron:lease-app:ticker-cron-trigger:\\d{10}"), key);
            long ttl = redis.withJedis(j -> j.pttl(key));
            assertTrue(ttl > 50_000 && ttl <= 60_000, key + " ttl " + ttl); // the default 60 s
        }
        assertTrue(logs.get(0).lines.stream().anyMatch(l -> l.contains("cron ticks are shared with the app's other replicas")),
                logs.get(0).lines.toString());
    }

    @Test
    void aTickWhoseLeaseCannotBeTakenIsSkippedAndLogged(RedisServer redis, @TempDir Path dir) throws Exception {
        TestApps.CapturingLog log = new TestApps.CapturingLog();
        try (SpindleApp app = load(dir, redis, "[cron_lease]\nurl = \"redis://127.0.0.1:1\"\n", log);
             CronScheduler cron = CronScheduler.start(app)) {
            RedisTriggersTest.await("a skipped tick", () -> log.lines.stream().anyMatch(l -> l.contains("cannot take its lease")));
        }
        assertEquals(null, (String) redis.withJedis(j -> j.get("spindle:command-runs")));
    }

    @Test
    void aBadLeaseTableIsOneLineNamingItsKey(RedisServer redis, @TempDir Path dir) {
        ManifestException e = assertThrows(ManifestException.class,
                () -> load(dir, redis, "[cron_lease]\nttl_ms = 5\n", new TestApps.CapturingLog()));
        assertTrue(e.getMessage().endsWith("runtime-config.toml:2:1: [cron_lease] ttl_ms must be an integer from 1000 to 86400000 (ms), got 5"),
                e.getMessage());
        e = assertThrows(ManifestException.class,
                () -> load(dir, redis, "[cron_lease]\nurl = \"redis://127.0.0.1:6379\"\nholder = \"x\"\n", new TestApps.CapturingLog()));
        assertTrue(e.getMessage().endsWith("runtime-config.toml:3:1: unknown key `holder` in [cron_lease] (known: url, ttl_ms)"),
                e.getMessage());
    }
}
