package dev.spindle.redis;

import static dev.spindle.redis.ProxyGuest.INVALID_ADDRESS;
import static dev.spindle.redis.ProxyGuest.OTHER;
import static dev.spindle.redis.ProxyGuest.TOO_MANY_CONNECTIONS;
import static dev.spindle.redis.ProxyGuest.TYPE_ERROR;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostLog;
import dev.spindle.host.InstanceBinding;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.redis.ProxyGuest.Engine;
import dev.spindle.redis.ProxyGuest.Outcome;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import dev.spindle.testing.RedisServerOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/** Every fermyon:spin/redis@2.0.0 import, driven through the redis-proxy guest on both engines. */
@ExtendWith(RedisServerExtension.class)
class SpinRedisInterfaceTest {

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final HostLog hostLog = (level, component, message) -> log.add(level + " " + component + ": " + message);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void clean(RedisServer server) {
        if (server.isRunning()) {
            server.flushAll();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private RedisCapability capability(RedisOptions options) {
        RedisCapability c = RedisCapability.create(options);
        toClose.add(c);
        return c;
    }

    private ProxyGuest guest(Engine engine, RedisCapability cap, String... allowed) {
        InstanceBinding binding = cap.bind(new ComponentContext("cache-user", AllowedHosts.parse(List.of(allowed)), hostLog));
        toClose.add(binding);
        return new ProxyGuest(engine, binding);
    }

    private ProxyGuest guest(Engine engine, RedisServer server) {
        return guest(engine, capability(RedisOptions.defaults()), "redis://127.0.0.1:" + server.port());
    }

    private static <T> T inRedis(RedisServer server, java.util.function.Function<Jedis, T> fn) {
        return server.withJedis(fn);
    }

    // ---- operations ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void setThenGetRoundTripsBinaryBytes(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        byte[] value = {0, 1, (byte) 0xff, 'x', 0};
        g.set(h, "k", value).get();
        assertArrayEquals(value, inRedis(server, j -> j.get("k".getBytes(UTF_8))));
        assertArrayEquals(value, g.get(h, "k").get().orElseThrow());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void getOfMissingKeyIsNone(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        assertEquals(Optional.empty(), g.get(h, "missing").get());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void incrCountsFromZeroAndFailsOnNonIntegerLeavingValueUnchanged(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        assertEquals(1L, g.incr(h, "n").get());
        assertEquals(2L, g.incr(h, "n").get());
        inRedis(server, j -> j.set("text", "abc"));
        Outcome<Long> bad = g.incr(h, "text");
        assertEquals(OTHER, bad.errKind());
        assertTrue(bad.errMessage().contains("not an integer"), bad.errMessage());
        assertEquals("abc", inRedis(server, j -> j.get("text")));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void delIgnoresMissingKeysAndReturnsTheCount(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        inRedis(server, j -> j.mset("a", "1", "b", "2"));
        assertEquals(2, g.del(h, "a", "nope", "b").get());
        assertFalse((boolean) inRedis(server, j -> j.exists("a")));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void saddSremSmembers(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        assertEquals(2, g.sadd(h, "s", "x", "y", "x").get());
        assertEquals(1, g.sadd(h, "s", "y", "zé").get());
        assertEquals(Set.of("x", "y", "zé"), Set.copyOf(g.smembers(h, "s").get()));
        assertEquals(1, g.srem(h, "s", "x", "gone").get());
        assertEquals(Set.of("y", "zé"), inRedis(server, j -> j.smembers("s")));
        assertEquals(List.of(), g.smembers(h, "empty").get());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void wrongTypeIsTypeError(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        inRedis(server, j -> j.set("str", "v"));
        assertEquals(TYPE_ERROR, g.sadd(h, "str", "m").errKind());
        assertEquals(TYPE_ERROR, g.smembers(h, "str").errKind());
        inRedis(server, j -> j.sadd("set", "m"));
        assertEquals(TYPE_ERROR, g.get(h, "set").errKind());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void publishReachesSubscribers(Engine engine, RedisServer server) throws Exception {
        AtomicReference<String> got = new AtomicReference<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        CountDownLatch received = new CountDownLatch(1);
        JedisPubSub sub = new JedisPubSub() {
            @Override
            public void onSubscribe(String channel, int count) {
                subscribed.countDown();
            }

            @Override
            public void onMessage(String channel, String message) {
                got.set(message);
                received.countDown();
                unsubscribe();
            }
        };
        Thread t = new Thread(() -> {
            try (Jedis j = server.client()) {
                j.subscribe(sub, "news");
            }
        });
        t.start();
        assertTrue(subscribed.await(5, TimeUnit.SECONDS));
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        g.publish(h, "news", "hello".getBytes(UTF_8)).get();
        assertTrue(received.await(5, TimeUnit.SECONDS));
        assertEquals("hello", got.get());
        t.join(5000);
    }

    // ---- execute ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void executeMapsEveryReplyKind(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        assertEquals(List.of("status:OK"), g.execute(h, "SET", "k", 41L).get());
        assertEquals("41", inRedis(server, j -> j.get("k")));
        assertEquals(List.of("int:43"), g.execute(h, "incrby", "k", 2L).get());
        assertEquals(List.of("bin:43"), g.execute(h, "GET", "k").get());
        assertEquals(List.of("nil"), g.execute(h, "GET", "missing").get());
        assertEquals(List.of("status:PONG"), g.execute(h, "PING").get());
        assertEquals(List.of("int:3"), g.execute(h, "RPUSH", "l", "a", "b".getBytes(UTF_8), -7L).get());
        assertEquals(List.of("bin:a", "bin:b", "bin:-7"), g.execute(h, "LRANGE", "l", 0L, -1L).get());
        assertEquals(List.of(), g.execute(h, "LRANGE", "none", 0L, -1L).get());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void executeFlattensNestedArraysOfMultiExec(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        inRedis(server, j -> j.rpush("l", "x", "y"));
        assertEquals(List.of("status:OK"), g.execute(h, "MULTI").get());
        assertEquals(List.of("status:QUEUED"), g.execute(h, "INCR", "c").get());
        assertEquals(List.of("status:QUEUED"), g.execute(h, "LRANGE", "l", 0L, -1L).get());
        assertEquals(List.of("status:QUEUED"), g.execute(h, "GET", "missing").get());
        assertEquals(List.of("int:1", "bin:x", "bin:y", "nil"), g.execute(h, "EXEC").get());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void executeServerErrorIsOtherWithTheMessage(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        Outcome<List<String>> r = g.execute(h, "GET"); // no key: the server refuses the arity
        assertEquals(OTHER, r.errKind());
        assertTrue(r.errMessage().startsWith("ERR wrong number of arguments"), r.errMessage());
        inRedis(server, j -> j.set("str", "v"));
        assertEquals(TYPE_ERROR, g.execute(h, "LPUSH", "str", "x").errKind());
        // the connection is still in sync afterwards
        assertEquals(List.of("bin:v"), g.execute(h, "GET", "str").get());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void refusedCommandsFailWithoutReachingTheServer(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        for (Object[] cmd : List.of(
                new Object[] {"subscribe", "ch"},
                new Object[] {"MIGRATE", "127.0.0.1", 1L, "k", 0L, 100L, "COPY"},
                new Object[] {"EVAL", "return 1", 0L},
                new Object[] {"FLUSHALL"},
                new Object[] {"NOSUCHCOMMAND", "x"},
                new Object[] {"BLPOP", "q", 0L},
                new Object[] {"XREAD", "block", 0L, "STREAMS", "s", "$"},
                new Object[] {"CLIENT", "KILL", "ID", 1L},
                new Object[] {"MONITOR"},
                new Object[] {"HELLO", 3L},
                new Object[] {"AUTH", "pw"},
                new Object[] {"RESET"},
                new Object[] {"QUIT"},
                new Object[] {"CONFIG", "SET", "requirepass", "x"},
                new Object[] {"SHUTDOWN"})) {
            Object[] args = java.util.Arrays.copyOfRange(cmd, 1, cmd.length);
            Outcome<List<String>> r = g.execute(h, (String) cmd[0], args);
            assertEquals(OTHER, r.errKind(), (String) cmd[0]);
            assertTrue(r.errMessage().contains("not allowed"), r.errMessage());
        }
        assertTrue(server.isRunning());
        assertEquals(1, g.execute(h, "CLIENT", "ID").get().size());
        assertEquals(List.of("status:PONG"), g.execute(h, "PING").get());
    }

    // ---- addresses and permission ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void deniedHostIsInvalidAddressWithOneLogLineAndNoSocket(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, capability(RedisOptions.defaults()), "redis://127.0.0.1:1");
        int before = server.connectedClients();
        Outcome<Integer> r = g.open("redis://:s3cret@127.0.0.1:" + server.port() + "/3");
        assertEquals(INVALID_ADDRESS, r.errKind());
        assertEquals(before, server.connectedClients());
        assertEquals(1, log.size(), log.toString());
        String line = log.get(0);
        assertTrue(line.startsWith("WARN cache-user: "), line);
        assertTrue(line.contains("add \"redis://127.0.0.1:" + server.port() + "\" to allowed_outbound_hosts of component \"cache-user\""), line);
        assertFalse(line.contains("s3cret"), line);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void invalidAddressesAreRefusedWithoutCredentialsInTheLog(Engine engine, RedisServer server) {
        String allowed = "redis://127.0.0.1:" + server.port();
        ProxyGuest g = guest(engine, capability(RedisOptions.defaults()), allowed, "http://127.0.0.1:" + server.port());
        for (String address : List.of(
                "not a url pw=hunter2",
                "http://127.0.0.1:" + server.port(),
                allowed + "/notanumber",
                allowed + "/1?password=hunter2")) {
            log.clear();
            assertEquals(INVALID_ADDRESS, g.open(address).errKind(), address);
            assertEquals(1, log.size(), address + " " + log);
            assertFalse(log.get(0).contains("hunter2"), log.get(0));
        }
    }

    /**
     * An address a component may open is parsed and checked once per capability (PermittedAddresses);
     * that answer is the component's alone: another component sharing the capability is still refused,
     * and every refusal is logged again.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void anAddressAllowedForOneComponentIsNotAllowedForAnotherAfterItIsCached(Engine engine, RedisServer server) {
        RedisCapability cap = capability(RedisOptions.defaults());
        String address = "redis://127.0.0.1:" + server.port();
        ProxyGuest allowed = guest(engine, cap, address);
        for (int i = 0; i < 3; i++) {
            int h = allowed.openOk(address);
            allowed.drop(h);
        }
        InstanceBinding other = cap.bind(new ComponentContext("other", AllowedHosts.parse(List.of("redis://127.0.0.1:1")), hostLog));
        toClose.add(other);
        ProxyGuest refused = new ProxyGuest(engine, other);
        log.clear();
        for (int i = 0; i < 2; i++) {
            assertEquals(INVALID_ADDRESS, refused.open(address).errKind());
        }
        assertEquals(2, log.size(), log.toString());
        assertTrue(log.get(1).startsWith("WARN other: "), log.get(1));
    }

    /** Bound for a guest that imports only fermyon:spin/redis, the capability lists only that interface's functions. */
    @org.junit.jupiter.api.Test
    void bindingForTheImportedModulesListsOnlyTheirFunctions() {
        RedisCapability cap = capability(RedisOptions.defaults());
        ComponentContext context = new ComponentContext("c", AllowedHosts.parse(List.of()), hostLog);
        try (InstanceBinding all = cap.bind(context, new dev.spindle.host.abi.InstanceScope());
             InstanceBinding spin = cap.bind(context, new dev.spindle.host.abi.InstanceScope(), java.util.Set.of(SpinRedisInterface.MODULE))) {
            assertTrue(all.imports().stream().anyMatch(i -> !i.module().equals(SpinRedisInterface.MODULE)));
            assertEquals(SpinRedisInterface.INTERFACE.functions().size(), spin.imports().size());
            assertTrue(spin.imports().stream().allMatch(i -> i.module().equals(SpinRedisInterface.MODULE)));
            assertEquals(all.imports().stream().filter(i -> i.module().equals(SpinRedisInterface.MODULE)).map(i -> i.name()).toList(),
                    spin.imports().stream().map(i -> i.name()).toList(), "same functions, same order");
        }
    }

    /** spindle check used to call these allowed; open and check now share RedisUrl.parse (the CLI test sends 100,000 digits). */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void addressesCheckOnceAllowedAreRefusedByOpenWithoutASocket(Engine engine, RedisServer server) {
        String allowed = "redis://127.0.0.1:" + server.port();
        ProxyGuest g = guest(engine, capability(RedisOptions.defaults()), allowed);
        int before = server.connectedClients();
        for (String address : List.of(allowed + "/-1", allowed + "?db=1", allowed + "/@host", allowed + "/" + "7".repeat(60_000),
                "redis://evil?@127.0.0.1:" + server.port())) {
            log.clear();
            g.resetScratch(); // the 60,000-digit path nearly fills the proxy's 63 KiB of scratch
            assertEquals(INVALID_ADDRESS, g.open(address).errKind(), address.length() > 80 ? address.substring(0, 80) : address);
            assertEquals(1, log.size(), String.valueOf(log));
            assertTrue(log.get(0).length() < 700, "one bounded line: " + log.get(0).length());
        }
        assertEquals(before, server.connectedClients());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @RedisServerOptions(password = "p@ss:word")
    void passwordProtectedServer(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri()); // redis://:p%40ss%3Aword@127.0.0.1:PORT
        g.set(h, "k", "v".getBytes(UTF_8)).get();
        assertEquals("v", inRedis(server, j -> j.get("k")));
        Outcome<Integer> wrong = g.open("redis://:nope@127.0.0.1:" + server.port());
        assertEquals(OTHER, wrong.errKind());
        assertFalse(wrong.errMessage().contains("nope"), wrong.errMessage());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void databaseFromThePath(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri() + "/2");
        g.set(h, "in-two", "v".getBytes(UTF_8)).get();
        assertEquals("v", inRedis(server, j -> {
            j.select(2);
            return j.get("in-two");
        }));
        assertFalse((boolean) inRedis(server, j -> j.exists("in-two")));
    }

    // ---- connection state and pooling ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    @RedisServerOptions(password = "pw")
    void openTransactionDoesNotLeakToTheNextBorrower(Engine engine, RedisServer server) {
        RedisCapability cap = capability(RedisOptions.defaults().withMaxConnectionsPerServer(1));
        String allowed = "redis://127.0.0.1:" + server.port();
        String address = "redis://:pw@127.0.0.1:" + server.port() + "/2";

        ProxyGuest first = guest(engine, cap, allowed);
        int h1 = first.openOk(address);
        String id = first.execute(h1, "CLIENT", "ID").get().get(0);
        assertEquals(List.of("status:OK"), first.execute(h1, "MULTI").get());
        assertEquals(List.of("status:QUEUED"), first.execute(h1, "SET", "queued", "never").get());
        first.drop(h1); // no EXEC: the pool must reset the connection

        ProxyGuest second = guest(engine, cap, allowed);
        int h2 = second.openOk(address);
        assertEquals(id, second.execute(h2, "CLIENT", "ID").get().get(0), "same pooled connection");
        assertEquals(List.of("status:OK"), second.execute(h2, "SET", "now", "1").get());
        assertEquals(Optional.empty(), second.get(h2, "queued").get());
        assertEquals("1", inRedis(server, j -> {
            j.select(2);
            return j.get("now");
        }));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void handleLimitIsTooManyConnections(Engine engine, RedisServer server) {
        RedisCapability cap = capability(RedisOptions.defaults().withMaxHandlesPerInstance(3));
        ProxyGuest g = guest(engine, cap, "redis://127.0.0.1:" + server.port());
        int a = g.openOk(server.uri());
        g.openOk(server.uri());
        g.openOk(server.uri());
        assertEquals(TOO_MANY_CONNECTIONS, g.open(server.uri()).errKind());
        g.drop(a);
        g.openOk(server.uri());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void exhaustedPoolIsTooManyConnectionsQuickly(Engine engine, RedisServer server) {
        RedisCapability cap = capability(RedisOptions.defaults().withMaxConnectionsPerServer(1));
        ProxyGuest holder = guest(engine, cap, "redis://127.0.0.1:" + server.port());
        holder.openOk(server.uri());
        ProxyGuest waiter = guest(engine, cap, "redis://127.0.0.1:" + server.port());
        long start = System.nanoTime();
        assertEquals(TOO_MANY_CONNECTIONS, waiter.open(server.uri()).errKind());
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void bindingCloseReturnsConnectionsToThePool(Engine engine, RedisServer server) {
        RedisCapability cap = capability(RedisOptions.defaults().withMaxConnectionsPerServer(1));
        InstanceBinding binding = cap.bind(new ComponentContext("c", AllowedHosts.parse(List.of("redis://127.0.0.1:" + server.port())), hostLog));
        ProxyGuest g = new ProxyGuest(engine, binding);
        g.openOk(server.uri());
        binding.close(); // end of invocation without drop
        ProxyGuest next = guest(engine, cap, "redis://127.0.0.1:" + server.port());
        next.openOk(server.uri());
        assertEquals(1, cap.openConnections());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @RedisServerOptions(perTest = true)
    void serverDownIsOtherQuicklyAndWorksAfterRestart(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        server.stop();
        long start = System.nanoTime();
        Outcome<Integer> down = g.open(server.uri());
        assertEquals(OTHER, down.errKind());
        assertTrue(down.errMessage().toLowerCase().contains("connection refused"), down.errMessage());
        assertEquals(OTHER, g.get(h, "k").errKind()); // the held connection died with the server
        assertTrue(System.nanoTime() - start < 3_000_000_000L);
        server.start();
        int h2 = g.openOk(server.uri());
        g.set(h2, "k", "back".getBytes(UTF_8)).get();
        assertEquals("back", inRedis(server, j -> j.get("k")));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @RedisServerOptions(perTest = true)
    void afterARestartOnlyOneCallFailsOnAStaleConnection(Engine engine, RedisServer server) {
        RedisCapability cap = capability(RedisOptions.defaults());
        ProxyGuest g = guest(engine, cap, "redis://127.0.0.1:" + server.port());
        int[] warm = {g.openOk(server.uri()), g.openOk(server.uri()), g.openOk(server.uri())};
        for (int h : warm) {
            g.set(h, "k", "v".getBytes(UTF_8)).get();
            g.drop(h);
        }
        assertEquals(3, cap.openConnections(), "three idle pooled connections");
        server.restart();
        int stale = g.openOk(server.uri());
        assertEquals(OTHER, g.get(stale, "k").errKind(), "the first call meets a connection the restart killed");
        int fresh = g.openOk(server.uri());
        g.set(fresh, "k", "after".getBytes(UTF_8)).get();
        assertEquals("after", inRedis(server, j -> j.get("k")));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void resultOverTheCapIsOtherAndTheNextCallWorks(Engine engine, RedisServer server) {
        RedisCapability cap = capability(RedisOptions.defaults().withMaxResultBytes(1024));
        ProxyGuest g = guest(engine, cap, "redis://127.0.0.1:" + server.port());
        int h = g.openOk(server.uri());
        inRedis(server, j -> j.set("big", "x".repeat(2000)));
        Outcome<Optional<byte[]>> r = g.get(h, "big");
        assertEquals(OTHER, r.errKind());
        assertTrue(r.errMessage().startsWith("result exceeds"), r.errMessage());
        g.drop(h);
        int h2 = g.openOk(server.uri());
        assertEquals(Optional.empty(), g.get(h2, "small").get());
    }

    // ---- traps ----

    @ParameterizedTest
    @EnumSource(Engine.class)
    void outOfBoundsPointerTraps(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        int ret = g.alloc(16, 4);
        assertTrap(() -> g.call("proxy-get", h, 0xFFFF0000L, 8, ret));
        assertTrap(() -> g.call("proxy-get", h, g.put("k"), 1, 0x7FFFFFF0L)); // bad retptr
        assertTrap(() -> g.call("proxy-execute", h, g.put("GET"), 3, g.alloc(16, 8), 0x10000000L, ret));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void unknownHandleAndDoubleDropTrap(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        assertTrap(() -> g.get(h + 1000, "k"));
        g.drop(h);
        assertTrap(() -> g.drop(h));
        assertTrap(() -> g.get(h, "k"));
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
