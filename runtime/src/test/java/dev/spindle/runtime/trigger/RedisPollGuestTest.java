package dev.spindle.runtime.trigger;

import dev.spindle.runtime.SpindleApp;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis trigger serves a guest that imports wasi:io/poll and wasi:clocks, as every Rust SDK
 * 2.x+ Redis guest does (its async executor waits on pollables): the guest polls a timer before
 * recording the message, and answers err if poll or ready say anything but "ready".
 */
@ExtendWith(RedisServerExtension.class)
class RedisPollGuestTest {
    @Test
    void aRedisGuestImportingWasiIoPollIsLinkedAndItsPollsWork(RedisServer redis, @TempDir Path dir) throws Exception {
        TestApps.CapturingLog log = new TestApps.CapturingLog();
        String manifest = RedisTriggersTest.MANIFEST.formatted(TestApps.wasm("redis-poll"))
                .replace("channel = { default = \"events\" }", "channel = { default = \"poll-events\" }")
                .replace("seen-a", "poll-seen-a").replace("seen-b", "poll-seen-b");
        try (SpindleApp app = TestApps.load(dir, manifest, redis.uri(), log);
             RedisTriggers triggers = RedisTriggers.start(app)) {
            RedisTriggersTest.await("subscription", triggers::allSubscribed);
            redis.withJedis(j -> j.publish("poll-events", "polled"));
            RedisTriggersTest.await("the message in both sets, recorded after each guest's poll",
                    () -> RedisTriggersTest.has(redis, "poll-seen-a", "polled") && RedisTriggersTest.has(redis, "poll-seen-b", "polled"));
        }
    }
}
