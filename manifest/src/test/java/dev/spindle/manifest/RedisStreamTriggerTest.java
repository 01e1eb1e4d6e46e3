package dev.spindle.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code [[trigger.redis]]} with {@code stream} and {@code group}: what is read, and each refusal with its line. */
class RedisStreamTriggerTest {
    private static final Path F = Path.of("app/spin.toml");
    private static final String HEAD = """
            spin_manifest_version = 2
            [application]
            name = "streams"
            [application.trigger.redis]
            address = "redis://127.0.0.1:6379"
            [component.w]
            source = "w.wasm"
            [[trigger.redis]]
            component = "w"
            """; // the trigger's own keys start on line 10

    private static RedisStreamTrigger load(String keys) {
        TriggerConfig t = ManifestLoader.loadString(HEAD + keys, F).triggers().get(0);
        return assertInstanceOf(RedisStreamTrigger.class, t);
    }

    private static String error(String keys) {
        return assertThrows(ManifestException.class, () -> ManifestLoader.loadString(HEAD + keys, F)).getMessage();
    }

    @Test
    void defaultsApplyWhenOnlyStreamAndGroupAreGiven() {
        RedisStreamTrigger t = load("stream = \"jobs\"\ngroup = \"workers\"\n");
        assertEquals("jobs", t.stream().raw());
        assertEquals("workers", t.group().raw());
        assertEquals(Optional.empty(), t.consumer());
        assertEquals("payload", t.payloadField());
        assertEquals(5, t.maxDeliveries());
        assertEquals(Duration.ofSeconds(60), t.reclaimIdle());
        assertEquals(Optional.empty(), t.deadLetterStream());
        assertEquals("redis", t.type());
        assertEquals(Optional.of("w"), t.componentId());
    }

    @Test
    void everyKeyIsRead() {
        RedisStreamTrigger t = load("""
                stream = "jobs"
                group = "workers"
                consumer = "pod-1"
                payload_field = "body"
                max_deliveries = 3
                reclaim_idle_ms = 2000
                dead_letter_stream = "jobs:failed"
                address = "redis://other:6380"
                """);
        assertEquals(Optional.of("pod-1"), t.consumer().map(Template::raw));
        assertEquals("body", t.payloadField());
        assertEquals(3, t.maxDeliveries());
        assertEquals(Duration.ofMillis(2000), t.reclaimIdle());
        assertEquals(Optional.of("jobs:failed"), t.deadLetterStream().map(Template::raw));
        assertEquals(Optional.of("redis://other:6380"), t.address().map(Template::raw));
    }

    @Test
    void aChannelTriggerStaysAChannelTrigger() {
        TriggerConfig t = ManifestLoader.loadString(HEAD + "channel = \"events\"\n", F).triggers().get(0);
        assertInstanceOf(RedisTrigger.class, t);
    }

    @Test
    void refusalsNameTheLineOfTheKey() {
        assertEquals("app/spin.toml:10:1: trigger.redis \"w-redis-trigger\": a redis trigger has either `channel`"
                + " (pub/sub) or `stream` and `group` (a consumer group), not both",
                error("channel = \"events\"\nstream = \"jobs\"\ngroup = \"g\"\n"));
        assertEquals("app/spin.toml:10:1: trigger.redis \"w-redis-trigger\": missing field `group`; add group = \"workers\":"
                + " the consumer group the replicas share", error("stream = \"jobs\"\n"));
        assertEquals("app/spin.toml:12:1: trigger.redis \"w-redis-trigger\".max_deliveries: must be between 1 and 1000000, got 0",
                error("stream = \"jobs\"\ngroup = \"g\"\nmax_deliveries = 0\n"));
        assertEquals("app/spin.toml:12:1: trigger.redis \"w-redis-trigger\".reclaim_idle_ms: expected an integer, got a string",
                error("stream = \"jobs\"\ngroup = \"g\"\nreclaim_idle_ms = \"2s\"\n"));
        assertEquals("app/spin.toml:11:1: trigger.redis \"w-redis-trigger\": `max_deliveries` belongs to a stream trigger;"
                + " add stream = \"...\" and group = \"...\" (and remove channel), or remove `max_deliveries`",
                error("channel = \"events\"\nmax_deliveries = 3\n"));
    }

    @Test
    void unknownKeysAndUnknownVariablesAreRefused() {
        String unknown = error("stream = \"jobs\"\ngroup = \"g\"\nconsumers = \"x\"\n");
        assertEquals(true, unknown.startsWith("app/spin.toml:"), unknown);
        assertEquals(true, unknown.contains("consumers"), unknown);
        String var = error("stream = \"{{ jobs }}\"\ngroup = \"g\"\n");
        assertEquals(true, var.contains("unknown variable \"jobs\""), var);
    }
}
