package dev.spindle.redis;

import static dev.spindle.redis.ProxyGuest.OTHER;
import static dev.spindle.redis.ProxyGuest.TYPE_ERROR;
import static dev.spindle.redis.ProxyGuest.cmd;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostLog;
import dev.spindle.host.InstanceBinding;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.redis.ProxyGuest.Cmd;
import dev.spindle.redis.ProxyGuest.Engine;
import dev.spindle.redis.ProxyGuest.Outcome;
import dev.spindle.redis.ProxyGuest.RateLimitStatus;
import dev.spindle.redis.ProxyGuest.Rep;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every spindle:redis/extended@0.1.0 import, driven through the redis-proxy guest on both
 * engines against a real redis-server, on handles opened with Spin's {@code connection.open}.
 */
@ExtendWith(RedisServerExtension.class)
class ExtendedRedisInterfaceTest {

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final HostLog hostLog = (level, component, message) -> log.add(level + " " + component + ": " + message);
    private final List<AutoCloseable> toClose = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void clean(RedisServer server) {
        server.flushAll();
    }

    @AfterEach
    void closeAll() throws Exception {
        List<AutoCloseable> all = new ArrayList<>(toClose);
        Collections.reverse(all);
        for (AutoCloseable c : all) {
            c.close();
        }
    }

    private RedisCapability capability(RedisOptions options) {
        RedisCapability c = RedisCapability.create(options);
        toClose.add(c);
        return c;
    }

    private ProxyGuest guest(Engine engine, RedisCapability cap, RedisServer server) {
        InstanceBinding binding = cap.bind(new ComponentContext(
                "extended-user", AllowedHosts.parse(List.of("redis://127.0.0.1:" + server.port())), hostLog));
        toClose.add(binding);
        return new ProxyGuest(engine, binding);
    }

    private ProxyGuest guest(Engine engine, RedisServer server) {
        return guest(engine, capability(RedisOptions.defaults()), server);
    }

    private static boolean exists(RedisServer server, String key) {
        return server.withJedis(j -> j.exists(key));
    }

    /** Polls until {@code condition} holds; fails after {@code timeoutMs}. No fixed sleeps. */
    private static void await(long timeoutMs, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    // ---- TTLs and existence ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void setWithTtlExpiresTheKey(Engine engine, RedisServer server) throws Exception {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        g.setWithTtl(h, "session", "v".getBytes(UTF_8), 150).get();
        long ttl = g.ttl(h, "session").get();
        assertTrue(ttl > 0 && ttl <= 150, "PTTL " + ttl);
        assertEquals("v", new String(g.get(h, "session").get().orElseThrow(), UTF_8));
        assertTrue(g.has(h, "session").get());
        await(3000, "the key to expire", () -> {
            g.resetScratch();
            return !g.has(h, "session").get();
        });
        assertEquals(-2L, g.ttl(h, "session").get(), "gone: -2");
        assertEquals(Optional.empty(), g.get(h, "session").get());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void setWithTtlZeroIsAPlainSetAndClearsAnOldExpiry(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        server.withJedis(j -> j.psetex("k", 60_000, "old"));
        g.setWithTtl(h, "k", "new".getBytes(UTF_8), 0).get();
        assertEquals(-1L, g.ttl(h, "k").get(), "no expiry: -1");
        assertEquals("new", server.withJedis(j -> j.get("k")));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void ttlsOutOfRedisRangeAreOtherWithAClearMessage(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        // u64 max: above what Redis can represent at all, refused by the host without I/O
        Outcome<Void> huge = g.setWithTtl(h, "k", "v".getBytes(UTF_8), -1L);
        assertEquals(OTHER, huge.errKind());
        assertTrue(huge.errMessage().startsWith("ttl of 18446744073709551615 ms is out of Redis' range"), huge.errMessage());
        // i64 max: representable, but now + ttl overflows on the server
        Outcome<Void> overflow = g.setWithTtl(h, "k", "v".getBytes(UTF_8), Long.MAX_VALUE);
        assertEquals(OTHER, overflow.errKind());
        assertTrue(overflow.errMessage().startsWith("ttl of 9223372036854775807 ms is out of Redis' range"), overflow.errMessage());
        assertTrue(overflow.errMessage().contains("invalid expire time"), overflow.errMessage());
        assertFalse(exists(server, "k"));

        server.withJedis(j -> j.set("k", "v"));
        Outcome<Boolean> expire = g.expire(h, "k", Long.MAX_VALUE);
        assertEquals(OTHER, expire.errKind());
        assertTrue(expire.errMessage().startsWith("ttl of 9223372036854775807 ms"), expire.errMessage());
        assertEquals(OTHER, g.expire(h, "k", Long.MIN_VALUE).errKind());
        assertEquals(-1L, g.ttl(h, "k").get(), "unchanged");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void hasIsFalseForAMissingKeyAndTrueForAnyType(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        assertFalse(g.has(h, "missing").get());
        server.withJedis(j -> j.rpush("list", "x"));
        assertTrue(g.has(h, "list").get());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void expireAndTtl(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        assertFalse(g.expire(h, "missing", 1000).get(), "expire on a missing key is false");
        assertEquals(-2L, g.ttl(h, "missing").get());
        server.withJedis(j -> j.set("k", "v"));
        assertEquals(-1L, g.ttl(h, "k").get());
        assertTrue(g.expire(h, "k", 60_000).get());
        long ttl = g.ttl(h, "k").get();
        assertTrue(ttl > 59_000 && ttl <= 60_000, "PTTL " + ttl);
    }

    // ---- counters ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void incrByCountsFromZeroAndNegativeDeltasDecrement(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        assertEquals(5L, g.incrBy(h, "n", 5).get());
        assertEquals(-2L, g.incrBy(h, "n", -7).get());
        assertEquals(-2L, g.incrBy(h, "n", 0).get());
        assertEquals("-2", server.withJedis(j -> j.get("n")));
        server.withJedis(j -> j.set("max", Long.toString(Long.MAX_VALUE)));
        Outcome<Long> overflow = g.incrBy(h, "max", 1);
        assertEquals(OTHER, overflow.errKind());
        assertTrue(overflow.errMessage().contains("overflow"), overflow.errMessage());
        server.withJedis(j -> j.set("text", "abc"));
        assertEquals(OTHER, g.incrBy(h, "text", 1).errKind());
    }

    // ---- lists ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void listOrderSemantics(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        assertEquals(3L, g.push(h, "q", "a", "b", "c").get());
        // LPUSH x y puts y in front of x: several values land reversed
        assertEquals(5L, g.unshift(h, "q", "x", "y").get());
        assertEquals(List.of("y", "x", "a", "b", "c"), server.withJedis(j -> j.lrange("q", 0, -1)));
        assertEquals(List.of("y", "x", "a", "b", "c"), g.range(h, "q", 0, -1).get());
        assertEquals(List.of("b", "c"), g.range(h, "q", -2, -1).get());
        assertEquals(List.of("x", "a"), g.range(h, "q", 1, 2).get());
        assertEquals(List.of("y", "x", "a", "b", "c"), g.range(h, "q", -100, 100).get());
        assertEquals(List.of(), g.range(h, "q", 3, 1).get());
        assertEquals(5L, g.count(h, "q").get());

        assertEquals(Optional.of("c"), g.pop(h, "q").get(), "pop takes from the end");
        assertEquals(Optional.of("y"), g.shift(h, "q").get(), "shift takes from the front");
        assertEquals(List.of("x", "a", "b"), g.range(h, "q", 0, -1).get());
        assertEquals(3L, g.count(h, "q").get());
        assertEquals(3L, g.push(h, "q").get(), "pushing nothing returns the current length");
        assertEquals(3L, g.unshift(h, "q").get());
        assertEquals(Optional.of("x"), g.shift(h, "q").get());
        assertEquals(Optional.of("b"), g.pop(h, "q").get());
        assertEquals(Optional.of("a"), g.pop(h, "q").get());
        assertEquals(Optional.empty(), g.pop(h, "q").get(), "empty list: the key is gone");
        assertEquals(Optional.empty(), g.shift(h, "q").get());
        assertFalse(g.has(h, "q").get());

        assertEquals(0L, g.count(h, "missing").get());
        assertEquals(List.of(), g.range(h, "missing", 0, -1).get());
        assertEquals(0L, g.push(h, "missing").get());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void listValuesAreBinarySafe(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        byte[] raw = {0, (byte) 0xff, 10, 0};
        server.withJedis(j -> j.rpush("b".getBytes(UTF_8), raw));
        assertEquals(2L, g.push(h, "b", "").get(), "an empty payload is a value");
        assertEquals(List.of(new String(raw, UTF_8), ""), g.range(h, "b", 0, -1).get());
        assertEquals(Optional.of(""), g.pop(h, "b").get());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void wrongTypeIsTypeError(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        server.withJedis(j -> j.set("str", "v"));
        assertEquals(TYPE_ERROR, g.push(h, "str", "x").errKind());
        assertEquals(TYPE_ERROR, g.unshift(h, "str", "x").errKind());
        assertEquals(TYPE_ERROR, g.push(h, "str").errKind());
        assertEquals(TYPE_ERROR, g.pop(h, "str").errKind());
        assertEquals(TYPE_ERROR, g.shift(h, "str").errKind());
        assertEquals(TYPE_ERROR, g.range(h, "str", 0, -1).errKind());
        assertEquals(TYPE_ERROR, g.count(h, "str").errKind());
        server.withJedis(j -> j.rpush("list", "x"));
        assertEquals(TYPE_ERROR, g.incrBy(h, "list", 1).errKind());
        assertEquals(TYPE_ERROR, g.rateLimit(h, "list", 5, 1000).errKind());
        assertEquals(-1L, (long) server.withJedis(j -> j.pttl("list")), "a failed rate-limit changes nothing");
        assertEquals("v", server.withJedis(j -> j.get("str")));
    }

    // ---- rate limiting ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void rateLimitStatusCountsTheWindow(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        List<RateLimitStatus> s = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            s.add(g.rateLimit(h, "rl", 3, 10_000).get());
        }
        assertEquals(List.of(true, true, true, false), s.stream().map(RateLimitStatus::allowed).toList());
        assertEquals(List.of(1L, 2L, 3L, 4L), s.stream().map(RateLimitStatus::count).toList());
        assertEquals(List.of(2L, 1L, 0L, 0L), s.stream().map(RateLimitStatus::remaining).toList());
        for (RateLimitStatus st : s) {
            assertTrue(st.resetMs() > 9_000 && st.resetMs() <= 10_000, st.toString());
        }
        assertTrue(s.get(3).resetMs() <= s.get(0).resetMs(), "the window does not move with later hits");
        assertFalse(g.rateLimit(h, "zero", 0, 1000).get().allowed(), "max 0 allows nothing");
        Outcome<RateLimitStatus> noWindow = g.rateLimit(h, "rl2", 3, 0);
        assertEquals(OTHER, noWindow.errKind());
        assertTrue(noWindow.errMessage().contains("window-ms must be at least 1"), noWindow.errMessage());
        assertEquals(OTHER, g.rateLimit(h, "rl2", 3, -1L).errKind());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void rateLimitStartsANewWindowAfterWindowMs(Engine engine, RedisServer server) throws Exception {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        assertTrue(g.rateLimit(h, "short", 2, 200).get().allowed());
        assertTrue(g.rateLimit(h, "short", 2, 200).get().allowed());
        assertFalse(g.rateLimit(h, "short", 2, 200).get().allowed());
        await(3000, "a new window", () -> {
            g.resetScratch();
            RateLimitStatus st = g.rateLimit(h, "short", 2, 200).get();
            if (st.allowed()) {
                assertEquals(1L, st.count(), "the new window counts from 1");
                return true;
            }
            return false;
        });
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void rateLimitGivesAKeyWithoutExpiryItsWindowAndSurvivesAScriptFlush(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        server.withJedis(j -> j.set("legacy", "5"));
        RateLimitStatus st = g.rateLimit(h, "legacy", 10, 5000).get();
        assertEquals(6L, st.count());
        assertTrue(server.withJedis(j -> j.pttl("legacy")) > 0, "the key got its window");
        server.withJedis(j -> j.scriptFlush());
        assertEquals(7L, g.rateLimit(h, "legacy", 10, 5000).get().count(), "NOSCRIPT falls back to EVAL");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void rateLimitUnder32ConcurrentInstancesAllowsExactlyMax(Engine engine, RedisServer server) throws Exception {
        int callers = 32;
        int max = 10;
        RedisCapability cap = capability(RedisOptions.defaults());
        List<ProxyGuest> guests = new ArrayList<>();
        List<Integer> handles = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            ProxyGuest g = guest(engine, cap, server);
            guests.add(g);
            handles.add(g.openOk(server.uri()));
        }
        CyclicBarrier start = new CyclicBarrier(callers);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<RateLimitStatus>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                ProxyGuest g = guests.get(i);
                int h = handles.get(i);
                results.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return g.rateLimit(h, "api:burst", max, 60_000).get();
                }));
            }
            List<RateLimitStatus> statuses = new ArrayList<>();
            for (Future<RateLimitStatus> f : results) {
                statuses.add(f.get(30, TimeUnit.SECONDS));
            }
            assertEquals(max, statuses.stream().filter(RateLimitStatus::allowed).count());
            assertEquals(
                    java.util.stream.LongStream.rangeClosed(1, callers).boxed().toList(),
                    statuses.stream().map(RateLimitStatus::count).sorted().toList(),
                    "every hit counted exactly once");
            for (RateLimitStatus st : statuses) {
                assertEquals(st.count() <= max, st.allowed(), st.toString());
                assertEquals(Math.max(0, max - st.count()), st.remaining(), st.toString());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(String.valueOf(callers), server.withJedis(j -> j.get("api:burst")));
    }

    // ---- pipelines ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void pipelineOf100SetsThen100Gets(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        List<Cmd> commands = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            commands.add(cmd("SET", "key:" + i, "value-" + i));
        }
        for (int i = 0; i < 100; i++) {
            commands.add(cmd("GET", "key:" + i));
        }
        List<Rep> replies = g.pipeline(h, false, commands).get();
        assertEquals(200, replies.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(Rep.of("status:OK"), replies.get(i));
            assertEquals(Rep.of("bin:value-" + i), replies.get(100 + i));
        }
        assertEquals("value-99", server.withJedis(j -> j.get("key:99")));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void pipelineRepliesAreFlattenedAndErrorsArePerCommand(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        server.withJedis(j -> j.set("str", "v"));
        List<Rep> replies = g.pipeline(h, false, List.of(
                cmd("RPUSH", "l", "x", "y", 3L),
                cmd("LRANGE", "l", 0L, -1L),
                cmd("LPUSH", "str", "x"),
                cmd("GET", "missing"),
                cmd("GET"), // no key: a server error for this command only
                cmd("INCRBY", "n", -4L))).get();
        assertEquals(Rep.of("int:3"), replies.get(0));
        assertEquals(Rep.of("bin:x", "bin:y", "bin:3"), replies.get(1));
        assertTrue(replies.get(2).err().startsWith("WRONGTYPE"), replies.get(2).toString());
        assertEquals(Rep.of("nil"), replies.get(3));
        assertTrue(replies.get(4).err().startsWith("ERR wrong number of arguments"), replies.get(4).toString());
        assertEquals(Rep.of("int:-4"), replies.get(5), "commands after an error still ran");
        assertEquals(List.of(), g.pipeline(h, false, List.of()).get());
        assertEquals(List.of(), g.pipeline(h, true, List.of()).get());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void transactionWithAFailingCommand(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        server.withJedis(j -> j.set("str", "v"));
        List<Rep> replies = g.pipeline(h, true, List.of(
                cmd("SET", "a", 1L),
                cmd("LPUSH", "str", "x"), // fails when EXEC runs it: the others still apply
                cmd("INCR", "a"),
                cmd("LRANGE", "none", 0L, -1L))).get();
        assertEquals(Rep.of("status:OK"), replies.get(0));
        assertNull(replies.get(1).ok());
        assertTrue(replies.get(1).err().startsWith("WRONGTYPE"), replies.get(1).toString());
        assertEquals(Rep.of("int:2"), replies.get(2));
        assertEquals(Rep.of(), replies.get(3));
        assertEquals("2", server.withJedis(j -> j.get("a")));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void transactionRejectedWhileQueueingFailsEveryCommand(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        List<Rep> replies = g.pipeline(h, true, List.of(
                cmd("SET", "a", 1L),
                cmd("GET"), // no key: refused while queueing
                cmd("INCR", "a"))).get();
        assertEquals(3, replies.size());
        assertTrue(replies.get(0).err().startsWith("EXECABORT"), replies.get(0).toString());
        assertTrue(replies.get(1).err().startsWith("ERR wrong number of arguments"), replies.get(1).toString());
        assertTrue(replies.get(2).err().startsWith("EXECABORT"), replies.get(2).toString());
        assertFalse(exists(server, "a"), "nothing ran");
        // the connection is usable afterwards, outside any transaction
        assertEquals(List.of(Rep.of("status:PONG")), g.pipeline(h, false, List.of(cmd("PING"))).get());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void refusedCommandFailsTheWholePipelineBeforeAnythingIsSent(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        for (Cmd refused : List.of(
                cmd("SUBSCRIBE", "ch"), cmd("eval", "return 1", 0L), cmd("MIGRATE", "127.0.0.1", 1L, "k", 0L, 100L), cmd("BLPOP", "q", 0L), cmd("CLIENT", "KILL", "ID", 1L),
                cmd("CONFIG", "SET", "requirepass", "x"), cmd("MULTI"), cmd("exec"), cmd("DISCARD"), cmd("WATCH", "k"))) {
            for (boolean transaction : new boolean[] {false, true}) {
                Outcome<List<Rep>> r = g.pipeline(h, transaction, List.of(cmd("SET", "k", "v"), refused));
                assertEquals(OTHER, r.errKind(), refused.name());
                assertTrue(r.errMessage().startsWith("pipeline command 1 refused, nothing was sent: command "), r.errMessage());
                assertTrue(r.errMessage().contains("not allowed"), r.errMessage());
            }
        }
        assertFalse(exists(server, "k"), "nothing was sent");
        Outcome<List<Rep>> multi = g.pipeline(h, false, List.of(cmd("MULTI")));
        assertTrue(multi.errMessage().contains("transaction = true"), multi.errMessage());
        assertTrue(server.isRunning());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void resultCapAppliesToTheWholePipeline(Engine engine, RedisServer server) {
        RedisCapability cap = capability(RedisOptions.defaults().withMaxResultBytes(1024));
        ProxyGuest g = guest(engine, cap, server);
        int h = g.openOk(server.uri());
        server.withJedis(j -> j.set("half", "x".repeat(600)));
        assertEquals(1, g.pipeline(h, false, List.of(cmd("GET", "half"))).get().size(), "one fits");
        Outcome<List<Rep>> two = g.pipeline(h, false, List.of(cmd("GET", "half"), cmd("GET", "half")));
        assertEquals(OTHER, two.errKind());
        assertTrue(two.errMessage().startsWith("result exceeds limit of 1024 bytes"), two.errMessage());
        g.drop(h);
        int h2 = g.openOk(server.uri());
        assertEquals(List.of(Rep.of("status:PONG")), g.pipeline(h2, false, List.of(cmd("PING"))).get());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void pipelineOverTheCommandLimitIsOther(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        int n = ExtendedRedisInterface.MAX_PIPELINE_COMMANDS + 1;
        // a zeroed list of n commands inside (grown) guest memory
        int list = (int) g.instance.export("cabi_realloc").apply(0, 0, 4, (long) n * 16)[0];
        Outcome<List<Rep>> r = g.pipelineAt(h, list, n, false);
        assertEquals(OTHER, r.errKind());
        assertTrue(r.errMessage().contains("exceeds the limit of " + ExtendedRedisInterface.MAX_PIPELINE_COMMANDS), r.errMessage());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void pipelineLeavesNoStateOnThePooledConnection(Engine engine, RedisServer server) {
        RedisCapability cap = capability(RedisOptions.defaults().withMaxConnectionsPerServer(1));
        ProxyGuest first = guest(engine, cap, server);
        int h1 = first.openOk(server.uri());
        first.pipeline(h1, true, List.of(cmd("SET", "a", "1"))).get();
        first.drop(h1);
        ProxyGuest second = guest(engine, cap, server);
        int h2 = second.openOk(server.uri());
        assertEquals(List.of("status:OK"), second.execute(h2, "SET", "b", "2").get(), "not queued in a transaction");
    }

    // ---- ABI ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void badPointersInThePipelineTrap(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        int ret = g.alloc(16, 4);
        assertTrap(() -> g.call("proxy-pipeline", h, 0x7FFFFFF0L, 2, 0, ret)); // list outside memory
        assertTrap(() -> g.call("proxy-pipeline", h, g.alloc(32, 4) + 2, 1, 0, ret)); // misaligned list
        int list = g.putCommands(List.of(cmd("SET", "k", "v")));
        int badRet = g.alloc(16, 4) + 1;
        assertTrap(() -> g.call("proxy-pipeline", h, list, 1, 0, badRet)); // misaligned return area
        int args = g.putParams("k");
        g.instance.memory().writeByte(args, (byte) 7); // invalid redis-parameter discriminant
        int cmdList = g.alloc(16, 4);
        g.instance.memory().writeI32(cmdList, g.put("GET"));
        g.instance.memory().writeI32(cmdList + 4, 3);
        g.instance.memory().writeI32(cmdList + 8, args);
        g.instance.memory().writeI32(cmdList + 12, 1);
        assertTrap(() -> g.call("proxy-pipeline", h, cmdList, 1, 0, ret));
        int rateRet = g.alloc(32, 8) + 4;
        assertTrap(() -> g.call("proxy-rate-limit", h, g.put("k"), 1, 1, 1000L, rateRet)); // 8-byte aligned area needed
        assertTrap(() -> g.has(h + 1000, "k")); // a handle the instance never received
        assertFalse(exists(server, "k"));
    }

    private static void assertTrap(Runnable r) {
        Throwable t = assertThrows(Throwable.class, r::run);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof GuestTrapException) {
                return;
            }
        }
        throw new AssertionError("expected a GuestTrapException, got " + t, t);
    }
}
