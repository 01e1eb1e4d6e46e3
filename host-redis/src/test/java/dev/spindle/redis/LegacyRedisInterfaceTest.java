package dev.spindle.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.InstanceBinding;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Spin 1.x's address-per-call Redis interface under both its names, {@code outbound-redis}
 * (wit-bindgen 0.2) and {@code fermyon:spin/redis} (unversioned), through the
 * {@code legacy-proxy} guest against a real redis-server. Layouts decoded here from the WIT:
 * {@code result<_, error>} disc u8 @0, error enum u8 @1 (2 bytes); {@code result<payload, error>}
 * and {@code result<list<..>, error>} disc @0, list @4/@8, error @4 (12 bytes, align 4);
 * {@code result<s64, error>} disc @0, value or error @8 (16 bytes, align 8).
 */
@ExtendWith(RedisServerExtension.class)
class LegacyRedisInterfaceTest {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private RedisCapability capability;

    @BeforeEach
    void clean(RedisServer server) {
        server.flushAll();
        capability = RedisCapability.create(RedisOptions.defaults());
        toClose.add(capability);
    }

    @AfterEach
    void close() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private ImportProxy guest(String... allowed) {
        ComponentContext component = new ComponentContext("legacy", AllowedHosts.parse(List.of(allowed)),
                (level, id, m) -> log.add(level + " " + id + ": " + m));
        return new ImportProxy("legacy-proxy", scope -> {
            InstanceBinding b = capability.bind(component, scope);
            toClose.add(b);
            return List.of(b);
        });
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void okUnit(ImportProxy g, int ret) {
        assertEquals(0, g.u8(ret), "expected ok, got err " + g.u8(ret + 1));
    }

    private static long okS64(ImportProxy g, int ret) {
        assertEquals(0, g.u8(ret), "expected ok, got err " + g.u8(ret + 8));
        return g.i64(ret + 8);
    }

    private static void okList(ImportProxy g, int ret) {
        assertEquals(0, g.u8(ret), "expected ok, got err " + g.u8(ret + 4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"outbound-redis", "fermyon:spin/redis"})
    void everyFunctionAgainstARealServer(String module, RedisServer server) throws Exception {
        String address = server.uri();
        ImportProxy g = guest("redis://127.0.0.1:" + server.port());
        okUnit(g, g.call(module, "set", 2, 1, g.str(address), g.str("greeting"), g.bytes(b("hello"))));
        int got = g.call(module, "get", 12, 4, g.str(address), g.str("greeting"));
        okList(g, got);
        assertEquals("hello", g.stringAt(got + 4));
        int absent = g.call(module, "get", 12, 4, g.str(address), g.str("absent"));
        okList(g, absent);
        assertArrayEquals(new byte[0], g.bytesAt(absent + 4), "an absent key is an empty payload, as in Spin");

        assertEquals(1, okS64(g, g.call(module, "incr", 16, 8, g.str(address), g.str("n"))));
        assertEquals(2, okS64(g, g.call(module, "incr", 16, 8, g.str(address), g.str("n"))));
        assertEquals(2, okS64(g, g.call(module, "sadd", 16, 8, g.str(address), g.str("set"), g.strings("a", "b"))));
        int members = g.call(module, "smembers", 12, 4, g.str(address), g.str("set"));
        okList(g, members);
        assertEquals(Set.of("a", "b"), new HashSet<>(g.stringsAt(members + 4)));
        assertEquals(1, okS64(g, g.call(module, "srem", 16, 8, g.str(address), g.str("set"), g.strings("a", "z"))));
        assertEquals(2, okS64(g, g.call(module, "del", 16, 8, g.str(address), g.strings("n", "greeting", "nothing"))));

        // execute: list<redis-parameter> in (16-byte elements: disc @0, s64 or list @8), list<redis-result> out
        int params = g.alloc(32, 8);
        byte[] v = b("xyz");
        int vp = g.put(v);
        g.instance.memory().writeByte(params, (byte) 1); // binary
        g.instance.memory().writeI32(params + 8, g.put(b("k")));
        g.instance.memory().writeI32(params + 12, 1);
        g.instance.memory().writeByte(params + 16, (byte) 1);
        g.instance.memory().writeI32(params + 24, vp);
        g.instance.memory().writeI32(params + 28, v.length);
        int appended = g.call(module, "execute", 12, 4, g.str(address), g.str("APPEND"), new long[] {params, 2});
        okList(g, appended);
        int results = g.i32(appended + 4);
        assertEquals(1, g.i32(appended + 8));
        assertEquals(2, g.u8(results), "int64");
        assertEquals(3, g.i64(results + 8));
        int intParam = g.alloc(16, 8);
        g.instance.memory().writeByte(intParam, (byte) 0); // int64 42 -> "42"
        g.instance.memory().writeLong(intParam + 8, 42);
        int echoed = g.call(module, "execute", 12, 4, g.str(address), g.str("ECHO"), new long[] {intParam, 1});
        okList(g, echoed);
        assertEquals(3, g.u8(g.i32(echoed + 4)), "binary");
        assertEquals("42", g.stringAt(g.i32(echoed + 4) + 8));
        int status = g.call(module, "execute", 12, 4, g.str(address), g.str("SET"), new long[] {params, 2});
        okList(g, status);
        assertEquals(1, g.u8(g.i32(status + 4)), "status, as Spin 3 reports OK");
        assertEquals("OK", g.stringAt(g.i32(status + 4) + 8));

        // publish reaches a subscriber
        CountDownLatch subscribed = new CountDownLatch(1);
        AtomicReference<String> received = new AtomicReference<>();
        CountDownLatch delivered = new CountDownLatch(1);
        Jedis sub = server.client();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onSubscribe(String channel, int count) {
                subscribed.countDown();
            }

            @Override
            public void onMessage(String channel, String message) {
                received.set(message);
                delivered.countDown();
            }
        };
        Thread t = new Thread(() -> sub.subscribe(listener, "news"));
        t.start();
        assertTrue(subscribed.await(5, TimeUnit.SECONDS));
        okUnit(g, g.call(module, "publish", 2, 1, g.str(address), g.str("news"), g.bytes(b("extra"))));
        assertTrue(delivered.await(5, TimeUnit.SECONDS));
        assertEquals("extra", received.get());
        listener.unsubscribe();
        t.join(5000);
        sub.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"outbound-redis", "fermyon:spin/redis"})
    void theAddressIsCheckedOnEveryCallAndConnectionsArePooled(String module, RedisServer server) {
        ImportProxy g = guest("redis://127.0.0.1:" + server.port());
        for (int i = 0; i < 50; i++) {
            okS64(g, g.call(module, "incr", 16, 8, g.str(server.uri()), g.str("hits")));
        }
        assertEquals(1, capability.openConnections(), "one pooled connection served 50 calls");
        assertEquals("50", server.withJedis(j -> j.get("hits")));

        int denied = g.call(module, "set", 2, 1, g.str("redis://127.0.0.1:1"), g.str("k"), g.bytes(b("v")));
        assertEquals(1, g.u8(denied));
        assertEquals(1, g.u8(denied + 1), "error enum case `error`");
        assertTrue(log.stream().anyMatch(l -> l.contains("denied redis address \"redis://127.0.0.1:1\": add")), log.toString());
        int garbage = g.call(module, "get", 12, 4, g.str("not a url"), g.str("k"));
        assertEquals(1, g.u8(garbage));
        assertEquals(1, g.u8(garbage + 4));
        assertEquals(1, capability.openConnections(), "nothing was dialled for the denied addresses");
        // still allowed afterwards: the check is per call, not a sticky state
        assertEquals(51, okS64(g, g.call(module, "incr", 16, 8, g.str(server.uri()), g.str("hits"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"outbound-redis", "fermyon:spin/redis"})
    void serverErrorsAndRefusedCommandsAreTheErrorCaseWithALogLine(String module, RedisServer server) {
        ImportProxy g = guest("redis://127.0.0.1:" + server.port());
        server.withJedis(j -> j.set("text", "abc"));
        int incr = g.call(module, "incr", 16, 8, g.str(server.uri()), g.str("text"));
        assertEquals(1, g.u8(incr));
        assertEquals(1, g.u8(incr + 8));
        assertTrue(log.stream().anyMatch(l -> l.contains("redis incr failed: ERR value is not an integer")), log.toString());
        int blocking = g.call(module, "execute", 12, 4, g.str(server.uri()), g.str("BLPOP"), new long[] {0, 0});
        assertEquals(1, g.u8(blocking));
        assertTrue(log.stream().anyMatch(l -> l.contains("redis execute failed:")), log.toString());
    }
}
