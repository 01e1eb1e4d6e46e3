package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.SpindleApp;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Component Model binary (guests/component/redis-counter, C made into a component by
 * {@code jco new}) runs end to end: its core modules are instantiated from the plan, its
 * {@code canon lower}ed imports reach the same Redis and variables host functions core modules
 * get, and the Redis trigger calls its lifted {@code fermyon:spin/inbound-redis@2.0.0} export.
 */
@ExtendWith(RedisServerExtension.class)
class ComponentRedisTriggerTest {
    static final String MANIFEST = """
            spin_manifest_version = 2
            [application]
            name = "component-redis"
            [application.trigger.redis]
            address = "{{ redis_address }}"
            [variables]
            redis_address = { required = true }

            [[trigger.redis]]
            channel = "component-events"
            component = "counter"

            [component.counter]
            source = "%1$s"
            allowed_outbound_hosts = ["redis://127.0.0.1:*"]
            [component.counter.variables]
            redis_address = "{{ redis_address }}"
            """;

    @Test
    void componentHandlesMessagesThroughTheRedisTrigger(RedisServer redis, @TempDir Path dir) throws Exception {
        redis.withJedis(j -> j.del("component:count", "component:last"));
        try (SpindleApp app = TestApps.load(dir, MANIFEST.formatted(TestApps.wasm("component/redis-counter.component.wasm")),
                redis.uri(), new TestApps.CapturingLog());
             RedisTriggers triggers = RedisTriggers.start(app)) {
            RedisTriggersTest.await("subscription", triggers::allSubscribed);
            redis.withJedis(j -> j.publish("component-events", "first"));
            redis.withJedis(j -> j.publish("component-events", "second"));
            // The handler INCRs before it SETs: wait for the second message's SET too.
            RedisTriggersTest.await("two messages handled", () -> "2".equals(redis.withJedis(j -> j.get("component:count")))
                    && "second".equals(redis.withJedis(j -> j.get("component:last"))));
        }
    }

    @Test
    void aComponentCallIsAFreshInstanceEachTime(RedisServer redis, @TempDir Path dir) throws Exception {
        redis.withJedis(j -> j.del("component:count"));
        try (SpindleApp app = TestApps.load(dir, MANIFEST.formatted(TestApps.wasm("component/redis-counter.component.wasm")),
                redis.uri(), new TestApps.CapturingLog())) {
            for (int i = 0; i < 3; i++) {
                assertTrue(RedisTriggers.handleMessage(app, "counter", ("m" + i).getBytes()));
            }
            assertEquals("3", redis.withJedis(j -> j.get("component:count")));
            assertEquals("m2", redis.withJedis(j -> j.get("component:last")));
        }
    }

    @Test
    void everyCoreModuleOfAComponentIsCompiledOnceIntoTheCache(RedisServer redis, @TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        Path manifest = dir.resolve("spin.toml");
        java.nio.file.Files.writeString(manifest, MANIFEST.formatted(TestApps.wasm("component/redis-counter.component.wasm")));
        dev.spindle.runtime.SpindleOptions options = dev.spindle.runtime.SpindleOptions.builder()
                .environment(java.util.Map.of())
                .variable("redis_address", redis.uri())
                .compileCache(cache)
                .log(new TestApps.CapturingLog())
                .build();
        try (SpindleApp app = dev.spindle.runtime.Spindle.load(manifest, options)) {
            assertTrue(RedisTriggers.handleMessage(app, "counter", "cold".getBytes()));
        }
        java.util.List<Path> entries;
        try (var files = java.nio.file.Files.walk(cache)) {
            entries = files.filter(p -> p.toString().endsWith(".classes")).sorted().toList();
        }
        assertEquals(3, entries.size(), "the shim, main and fixup modules: " + entries);
        java.util.List<java.nio.file.attribute.FileTime> written = new java.util.ArrayList<>();
        for (Path p : entries) {
            written.add(java.nio.file.Files.getLastModifiedTime(p));
        }
        try (SpindleApp app = dev.spindle.runtime.Spindle.load(manifest, options)) {
            assertTrue(RedisTriggers.handleMessage(app, "counter", "warm".getBytes()));
        }
        for (int i = 0; i < entries.size(); i++) {
            assertEquals(written.get(i), java.nio.file.Files.getLastModifiedTime(entries.get(i)), "a hit rewrites nothing");
        }
        assertEquals("warm", redis.withJedis(j -> j.get("component:last")));
    }
}
