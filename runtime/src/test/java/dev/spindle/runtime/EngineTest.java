package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.GuestMemory;
import dev.spindle.runtime.InvocationException.Kind;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine against real guests and a real redis-server: command trigger, isolation of
 * failures (trap, runaway loop, stack exhaustion, ABI abuse), limits, and no leaks.
 * Scenarios that can run on both machines run on the compiler and the interpreter.
 */
@ExtendWith(RedisServerExtension.class)
class EngineTest {
    @TempDir
    Path dir;

    private SpindleApp load(RedisServer redis, boolean interpreter, TestApps.CapturingLog log, String... guests) {
        Path manifest = TestApps.manifest(dir, redis.uri(), List.of("redis://127.0.0.1:" + redis.port()), guests);
        return Spindle.load(manifest, SpindleOptions.builder()
                .interpreter(interpreter)
                .invocationTimeout(Duration.ofSeconds(2))
                .memoryLimitBytes(1 << 20)
                .log(log)
                .build());
    }

    private record Run(int exit, String out, String err) {}

    private static Run command(SpindleApp app, String component) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = app.runCommand(component, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void commandPrintsItsOutputAndReturnsItsExitCode(boolean interpreter, RedisServer redis) {
        var log = new TestApps.CapturingLog();
        try (SpindleApp app = load(redis, interpreter, log, "hello-command", "exit-zero")) {
            Run hello = command(app, "hello-command");
            assertEquals(3, hello.exit());
            assertEquals("hello from guest\n", hello.out());
            assertEquals("oops on stderr\n", hello.err());
            Run bye = command(app, "exit-zero");
            assertEquals(0, bye.exit());
            assertEquals("goodbye from guest\n", bye.out());
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void guestUsesRedisThroughVariablesAndOpen(boolean interpreter, RedisServer redis) {
        redis.withJedis(j -> j.del("spindle:command-runs"));
        var log = new TestApps.CapturingLog();
        try (SpindleApp app = load(redis, interpreter, log, "redis-command")) {
            assertEquals(new Run(0, "count=1\n", ""), command(app, "redis-command"));
            assertEquals(new Run(0, "count=2\n", ""), command(app, "redis-command"));
        }
        assertEquals("2", redis.withJedis(j -> j.get("spindle:command-runs")));
    }

    @Test
    void deniedAddressReturnsInvalidAddressLogsTheFixAndOpensNoSocket(RedisServer redis) throws Exception {
        try (RedisServer other = RedisServer.launch()) {
            int clientsBefore = other.connectedClients();
            var log = new TestApps.CapturingLog();
            // Allowed: only the class's server. The guest is pointed at another one.
            Path manifest = TestApps.manifest(dir, other.uri(), List.of("redis://127.0.0.1:" + redis.port()), "redis-command");
            try (SpindleApp app = Spindle.load(manifest, SpindleOptions.builder().log(log).build())) {
                Run run = command(app, "redis-command");
                assertEquals(1, run.exit());
                assertEquals("redis-command: open error 0\n", run.err(), "0 = invalid-address");
            }
            assertEquals(clientsBefore, other.connectedClients(), "a denied open must not connect");
            assertTrue(log.all().contains("\"redis://127.0.0.1:" + other.port() + "\" to allowed_outbound_hosts of component \"redis-command\""), log.all());
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void eachFailureEndsOnlyItsOwnInvocation(boolean interpreter, RedisServer redis) {
        var log = new TestApps.CapturingLog();
        try (SpindleApp app = load(redis, interpreter, log, "trap", "recurse", "abuse", "redis-command")) {
            assertKind(Kind.TRAP, () -> app.invoke("trap", g -> g.call("run")));
            assertKind(Kind.STACK_EXHAUSTED, () -> app.invoke("recurse", g -> g.call("run")));
            assertKind(Kind.ABI_VIOLATION, () -> app.invoke("abuse", g -> g.call("oob-open")));
            assertKind(Kind.ABI_VIOLATION, () -> app.invoke("abuse", g -> g.call("oob-retptr")));
            assertKind(Kind.ABI_VIOLATION, () -> app.invoke("abuse", g -> g.call("bad-utf8")));
            assertKind(Kind.ABI_VIOLATION, () -> app.invoke("abuse", g -> g.call("drop-unknown")));
            assertKind(Kind.ABI_VIOLATION, () -> app.invoke("abuse", g -> g.call("drop-twice")));
            assertKind(Kind.MISSING_EXPORT, () -> app.invoke("abuse", g -> g.call("no-such-export")));
            assertEquals(0, command(app, "redis-command").exit(), "the app still works after every failure");
        }
    }

    /** One invocation of redis-proxy: open the app's Redis, then one rate-limit hit; returns {allowed, count}. */
    private static long[] rateLimitHit(Guest g, String address, String key, int max, long windowMs) {
        GuestMemory m = g.memory();
        int handle = ProxyCalls.open(g, address);
        GuestMemory.Slice k = m.allocateString(key);
        int ret = m.allocate(8, 32); // result<rate-limit-status, error>: 32 bytes, align 8
        g.call("proxy-rate-limit", handle, k.ptr(), k.len(), max, windowMs, ret);
        assertEquals(0, m.readU8(ret), "rate-limit ok");
        return new long[] {m.readU8(ret + 8), Integer.toUnsignedLong(m.readI32(ret + 12))};
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void rateLimitThroughTheEngineAllowsExactlyMaxOf32ConcurrentInvocations(boolean interpreter, RedisServer redis) throws Exception {
        redis.withJedis(j -> j.del("engine:burst"));
        var log = new TestApps.CapturingLog();
        int callers = 32;
        int max = 7;
        try (SpindleApp app = load(redis, interpreter, log, "redis-proxy")) {
            ExecutorService threads = Executors.newFixedThreadPool(callers);
            CyclicBarrier start = new CyclicBarrier(callers);
            try {
                List<Future<long[]>> hits = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    hits.add(threads.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        // a fresh instance per invocation, each with its own handle table
                        return app.invoke("redis-proxy", g -> rateLimitHit(g, redis.uri(), "engine:burst", max, 60_000));
                    }));
                }
                int allowed = 0;
                List<Long> counts = new ArrayList<>();
                for (Future<long[]> f : hits) {
                    long[] hit = f.get(30, TimeUnit.SECONDS);
                    allowed += (int) hit[0];
                    counts.add(hit[1]);
                }
                assertEquals(max, allowed);
                Collections.sort(counts);
                assertEquals(LongStream.rangeClosed(1, callers).boxed().toList(), counts);
            } finally {
                threads.shutdownNow();
            }
        }
        assertEquals(String.valueOf(callers), redis.withJedis(j -> j.get("engine:burst")));
    }

    @Test
    void runawayLoopIsInterruptedAtTheTimeoutOnTheCompiler(RedisServer redis) {
        var log = new TestApps.CapturingLog();
        try (SpindleApp app = load(redis, false, log, "loop", "redis-command")) {
            InvocationException e = assertKind(Kind.TIMEOUT, () -> app.invoke("loop", g -> g.call("run")));
            assertTrue(e.getMessage().startsWith("component \"loop\": timed out after 2000 ms"), e.getMessage());
            assertEquals(0, command(app, "redis-command").exit());
        }
    }

    @Test
    void failedInvocationsLeakNoConnections(RedisServer redis) {
        var log = new TestApps.CapturingLog();
        try (SpindleApp app = load(redis, false, log, "abuse")) {
            for (int i = 0; i < 30; i++) {
                assertKind(Kind.ABI_VIOLATION, () -> app.invoke("abuse", g -> g.call("drop-twice")));
            }
            // Each trapped invocation returned its connection: the pool reused one instead of opening 30.
            assertTrue(redis.connectedClients() <= 2, "connected clients: " + redis.connectedClients());
        }
    }

    @Test
    void memoryGrowthStopsAtTheLimit(RedisServer redis) {
        var log = new TestApps.CapturingLog();
        try (SpindleApp app = load(redis, false, log, "abuse")) {
            long pages = app.invoke("abuse", g -> g.call("grow-forever")[0]);
            assertEquals(16, pages, "1 MiB limit = 16 pages of 64 KiB");
        }
    }

    @Test
    void modulesTheHostCannotLinkAreRefusedAtLoadNamingComponentAndImport(RedisServer redis) {
        var log = new TestApps.CapturingLog();
        LoadException unknown = assertThrows(LoadException.class, () -> load(redis, false, log, "unknown-import"));
        assertEquals("component \"unknown-import\" cannot be linked: imports \"env\" \"mystery\", which the host does not provide"
                        + " (interfaces provided: fermyon:spin/config, fermyon:spin/http, fermyon:spin/key-value, fermyon:spin/llm,"
                        + " fermyon:spin/mysql, fermyon:spin/postgres, fermyon:spin/redis, fermyon:spin/sqlite,"
                        + " fermyon:spin@2.0.0 {key-value, llm, mqtt, mysql, postgres, redis, sqlite, variables}, key-value, llm,"
                        + " outbound-mysql, outbound-pg, outbound-redis, spin-config, spindle:redis/extended@0.1.0, sqlite,"
                        + " wasi-outbound-http, wasi:cli@0.2.0 {environment, exit, stderr, stdin, stdout, terminal-input, terminal-output,"
                        + " terminal-stderr, terminal-stdin, terminal-stdout}, wasi:clocks@0.2.0 {monotonic-clock, wall-clock},"
                        + " wasi:filesystem@0.2.0 {preopens, types}, wasi:http@0.2.0 {outgoing-handler, types},"
                        + " wasi:http@0.2.0-rc-2023-10-18 {outgoing-handler, types}, wasi:http@0.2.0-rc-2023-11-10 {outgoing-handler, types},"
                        + " wasi:io@0.2.0 {error, poll, streams}, wasi:io@0.2.0-rc-2023-10-18 {poll, streams},"
                        + " wasi:io@0.2.0-rc-2023-11-10 {error, poll, streams}, wasi:random@0.2.0 {insecure, insecure-seed, random},"
                        + " wasi_snapshot_preview1)",
                unknown.getMessage());
        LoadException noRealloc = assertThrows(LoadException.class, () -> load(redis, false, log, "no-realloc"));
        assertTrue(noRealloc.getMessage().startsWith("component \"no-realloc\" cannot be linked: imports functions that return strings or lists but does not export \"cabi_realloc\""),
                noRealloc.getMessage());
    }

    @Test
    void filesAreMountedReadOnlyFromACopyTakenAtLoad() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("static"));
        java.nio.file.Files.writeString(dir.resolve("static/hello.txt"), "hello from a mounted file\n");
        java.nio.file.Files.writeString(dir.resolve("static/secret.key"), "nope");
        Path manifest = dir.resolve("files.toml");
        java.nio.file.Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "files"
                [[trigger.command]]
                component = "files"
                [component.files]
                source = "%s"
                files = [{ source = "static", destination = "/" }]
                exclude_files = ["static/*.key"]
                """.formatted(dev.spindle.testing.Guests.path("files.wasm").toString().replace("\\", "/")));
        try (SpindleApp app = Spindle.load(manifest, SpindleOptions.builder().log(new TestApps.CapturingLog()).build())) {
            java.nio.file.Files.writeString(dir.resolve("static/hello.txt"), "changed on disk after load\n");
            Run run = command(app, "files");
            assertEquals("hello from a mounted file\ncreate errno=069\nunlink errno=069\n", run.out(), "69 = EROFS");
            assertEquals(run, command(app, "files"), "nothing changed between instances");
        }
    }

    @Test
    void aFilesPatternMatchingNothingIsALoadError() throws Exception {
        Path manifest = dir.resolve("nofiles.toml");
        java.nio.file.Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "files"
                [[trigger.command]]
                component = "files"
                [component.files]
                source = "%s"
                files = ["assets/**/*.png"]
                """.formatted(dev.spindle.testing.Guests.path("files.wasm").toString().replace("\\", "/")));
        LoadException e = assertThrows(LoadException.class, () -> Spindle.load(manifest, SpindleOptions.defaults()));
        assertTrue(e.getMessage().startsWith("component \"files\": files pattern \"assets/**/*.png\" matches no file under "), e.getMessage());
    }

    private static InvocationException assertKind(Kind kind, Runnable call) {
        InvocationException e = assertThrows(InvocationException.class, call::run);
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }
}
