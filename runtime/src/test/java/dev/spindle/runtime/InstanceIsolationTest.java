package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.runtime.InvocationException.Kind;
import dev.spindle.testing.Guests;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Pre-initialized instances are reused across invocations, and nothing one invocation leaves
 * behind reaches the next: guest {@code isolation} (guests/wat/isolation.wat) plants a secret in
 * memory (within a card, across two cards, at the end of a page, in a grown page), a mutable
 * global and the table (an entry and its grown size), then the invocation ends normally, traps,
 * runs out of time, or leaves memory grown; the next invocation must see exactly the state after
 * {@code _initialize}. The same holds for what the host writes into guest memory (a request's
 * data), for WASI descriptors and for Redis handles.
 */
@ExtendWith(RedisServerExtension.class)
class InstanceIsolationTest {
    private static final long SECRET = 0x5EC12E7_5EC12E7L;

    @TempDir
    Path dir;

    private SpindleApp load(RedisServer redis) throws Exception {
        Files.writeString(dir.resolve("isolation.txt"), "not a secret\n");
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "isolation"
                [[trigger.command]]
                component = "isolation"
                [component.isolation]
                source = "%s"
                files = ["isolation.txt"]
                [[trigger.command]]
                component = "proxy"
                [component.proxy]
                source = "%s"
                allowed_outbound_hosts = ["redis://127.0.0.1:%d"]
                """.formatted(path(Guests.path("isolation.wasm")), path(Guests.path("redis-proxy.wasm")), redis.port()));
        return Spindle.load(manifest, SpindleOptions.builder().invocationTimeout(Duration.ofMillis(500)).build());
    }

    private static String path(Path p) {
        return p.toString().replace("\\", "/");
    }

    private static long call(Guest guest, String export, long... args) {
        long[] r = guest.call(export, args);
        return r == null || r.length == 0 ? 0 : r[0];
    }

    /** How the planting invocation ends. */
    enum Ending {
        RETURNS("plant"), TRAPS("plant_and_trap"), TIMES_OUT("plant_and_loop");

        final String export;

        Ending(String export) {
            this.export = export;
        }
    }

    @ParameterizedTest
    @EnumSource(Ending.class)
    void aSecretPlantedInOneInvocationIsGoneInTheNext(Ending ending, RedisServer redis) throws Exception {
        try (SpindleApp app = load(redis)) {
            assertFresh(app); // the first invocation builds the template
            for (int round = 0; round < 3; round++) {
                if (ending == Ending.RETURNS) {
                    app.invoke("isolation", g -> call(g, ending.export, SECRET));
                } else {
                    InvocationException e = assertThrows(InvocationException.class,
                            () -> app.invoke("isolation", g -> call(g, ending.export, SECRET)));
                    assertEquals(ending == Ending.TRAPS ? Kind.TRAP : Kind.TIMEOUT, e.kind(), e.getMessage());
                }
                assertFresh(app);
            }
            assertEquals(Optional.empty(), app.componentRuntime("isolation").freshInstanceReason());
        }
    }

    /** Everything {@code plant} touches is as {@code _initialize} left it. */
    private static void assertFresh(SpindleApp app) {
        app.invoke("isolation", g -> {
            assertEquals(42, call(g, "init_marker"), "_initialize's state is the starting state");
            assertEquals(1, call(g, "init_runs"), "_initialize ran once, for the template");
            assertEquals(0, call(g, "memory_i64", 4096));
            assertEquals(0, call(g, "memory_i64", 8188));
            assertEquals(0, call(g, "memory_i64", 65528));
            assertEquals(42, call(g, "global"));
            assertEquals(1, call(g, "pages"), "memory is back to its size after _initialize");
            assertEquals(2, call(g, "table_size"));
            assertEquals(1, call(g, "entry1_is_null"));
            assertEquals(0, call(g, "grow_and_read"), "a page grown again is zeroed");
            return null;
        });
    }

    @Test
    void instancesAreReusedAfterCleanInvocationsAndDroppedAfterFailedOnes(RedisServer redis) throws Exception {
        try (SpindleApp app = load(redis)) {
            for (int i = 0; i < 20; i++) {
                app.invoke("isolation", g -> call(g, "plant", SECRET));
            }
            var runtime = app.componentRuntime("isolation");
            assertEquals(1, runtime.instancesBuilt(), "one instance serves every sequential invocation");
            assertThrows(InvocationException.class, () -> app.invoke("isolation", g -> call(g, "plant_and_trap", SECRET)));
            app.invoke("isolation", g -> call(g, "plant", SECRET));
            assertEquals(2, runtime.instancesBuilt(), "the instance that trapped is not reused");
        }
    }

    @Test
    void dataTheHostWroteIntoOneInvocationIsGoneInTheNext(RedisServer redis) throws Exception {
        byte[] password = "hunter2-request-body".getBytes(StandardCharsets.UTF_8);
        try (SpindleApp app = load(redis)) {
            app.invoke("isolation", g -> {
                g.memory().writeBytes(20_000, password); // as a trigger lowers a request body
                return null;
            });
            byte[] after = app.invoke("isolation", g -> g.memory().readBytes(20_000, password.length));
            assertEquals(new String(new byte[password.length], StandardCharsets.ISO_8859_1),
                    new String(after, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void aFileOpenedInOneInvocationIsNotOpenInTheNext(RedisServer redis) throws Exception {
        try (SpindleApp app = load(redis)) {
            long fd = app.invoke("isolation", g -> call(g, "open_file"));
            assertTrue(fd > 3, "opened: fd " + fd);
            assertEquals(1L, (long) app.invoke("isolation", g -> call(g, "fd_is_open", 3)), "the preopen is there again");
            assertEquals(0L, (long) app.invoke("isolation", g -> call(g, "fd_is_open", fd)), "the descriptor died with its invocation");
        }
    }

    @Test
    void aRedisHandleOpenedInOneInvocationIsUnknownInTheNext(RedisServer redis) throws Exception {
        String address = "redis://127.0.0.1:" + redis.port();
        try (SpindleApp app = load(redis)) {
            Function<Guest, Integer> open = g -> {
                byte[] a = address.getBytes(StandardCharsets.UTF_8);
                g.memory().writeBytes(1024, a);
                call(g, "proxy-open", 1024, a.length, 2048);
                assertEquals(0, g.memory().readU8(2048), "open succeeded");
                return g.memory().readI32(2052);
            };
            warmUp(app, open);
            int handle = app.invoke("proxy", open);
            InvocationException e = assertThrows(InvocationException.class, () -> app.invoke("proxy", g -> {
                g.memory().writeBytes(1024, "k".getBytes(StandardCharsets.UTF_8));
                return call(g, "proxy-get", handle, 1024, 1, 2048);
            }));
            assertEquals(Kind.ABI_VIOLATION, e.kind(), e.getMessage());
            assertFalse(app.componentRuntime("proxy").freshInstanceReason().isPresent());
            assertEquals(handle, (int) app.invoke("proxy", open), "the next invocation starts from an empty table");
        }
    }

    /**
     * The first open of the JVM loads and links the Redis client's classes, which on a loaded
     * machine can take longer than the 500 ms deadline this app uses (for its timeout case); let
     * that happen before the invocations whose outcome the test checks.
     */
    private static void warmUp(SpindleApp app, Function<Guest, Integer> open) {
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                app.invoke("proxy", open);
                return;
            } catch (InvocationException e) {
                if (e.kind() != Kind.TIMEOUT) {
                    throw e;
                }
            }
        }
    }

    @Test
    void aComponentsCoreInstancesArePooledAndResetToo(RedisServer redis) throws Exception {
        // The component's bump allocator (guests/component/redis-counter.c) has a 256 KiB heap and
        // never frees: it serves 200 KiB payloads one after another only if each call starts from
        // the initial heap pointer.
        Path manifest = dir.resolve("component.toml");
        Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "component-pool"
                [[trigger.command]]
                component = "counter"
                [component.counter]
                source = "%s"
                allowed_outbound_hosts = ["redis://127.0.0.1:%d"]
                [component.counter.variables]
                redis_address = "redis://127.0.0.1:%d"
                """.formatted(path(Guests.path("component/redis-counter.component.wasm")), redis.port(), redis.port()));
        byte[] payload = new byte[200 << 10];
        try (SpindleApp app = Spindle.load(manifest, SpindleOptions.defaults())) {
            for (int i = 0; i < 4; i++) {
                payload[0] = (byte) ('a' + i);
                var result = app.invoke("counter", g -> g.call(dev.spindle.runtime.trigger.TriggerAbi.HANDLE_MESSAGE, payload));
                assertTrue(result.isOk(), "call " + i + ": " + result);
            }
            assertEquals(1, app.componentRuntime("counter").instancesBuilt());
            assertEquals('d', redis.withJedis(j -> j.get("component:last".getBytes(StandardCharsets.UTF_8)))[0]);
        }
    }
}
