package dev.spindle.redis;

import static dev.spindle.redis.ProxyGuest.OTHER;
import static dev.spindle.redis.ProxyGuest.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.InstanceBinding;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.redis.ProxyGuest.Engine;
import dev.spindle.redis.ProxyGuest.Outcome;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;

/**
 * Issue 9 item 2: {@code execute("MIGRATE", host, port, ...)} made the allowed server connect to a
 * server the manifest denies and write into it, also from inside {@code EVAL}; and
 * {@code EVAL "while true do end" 0} froze the shared server. Against real servers.
 */
@ExtendWith(RedisServerExtension.class)
class ExecutePolicyTest {

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private ProxyGuest guest(Engine engine, RedisServer allowed) {
        RedisCapability cap = RedisCapability.create(RedisOptions.defaults());
        toClose.add(cap);
        InstanceBinding binding = cap.bind(new ComponentContext("tenant",
                AllowedHosts.parse(List.of("redis://127.0.0.1:" + allowed.port())), (level, c, m) -> log.add(m)));
        toClose.add(binding);
        return new ProxyGuest(engine, binding);
    }

    private static void assertRefused(Outcome<?> r, String group) {
        assertEquals(OTHER, r.errKind(), String.valueOf(r));
        assertTrue(r.errMessage().contains("is not allowed through") && r.errMessage().contains(group), r.errMessage());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void migrateToADeniedServerWritesNothingThereNotEvenThroughEvalOrAPipeline(Engine engine, RedisServer allowed) {
        allowed.flushAll();
        allowed.withJedis(j -> j.set("loot", "v"));
        try (RedisServer denied = RedisServer.launch()) {
            int clientsBefore = denied.connectedClients();
            ProxyGuest g = guest(engine, allowed);
            int h = g.openOk(allowed.uri());
            long port = denied.port();

            assertRefused(g.execute(h, "MIGRATE", "127.0.0.1", port, "loot", 0L, 2000L, "COPY"), "reaches another server");
            assertRefused(g.execute(h, "migrate", "127.0.0.1", port, "", 0L, 2000L, "COPY", "AUTH", "guess", "KEYS", "loot"),
                    "reaches another server");
            assertRefused(g.execute(h, "EVAL", "return redis.call('MIGRATE', ARGV[1], ARGV[2], 'loot', 0, 2000, 'COPY')", 0L,
                    "127.0.0.1", port), "scripting");
            assertRefused(g.execute(h, "EVALSHA", "0000000000000000000000000000000000000000", 0L), "scripting");
            assertRefused(g.execute(h, "REPLICAOF", "127.0.0.1", port), "reaches another server");
            for (boolean transaction : new boolean[] {false, true}) {
                Outcome<?> p = g.pipeline(h, transaction, List.of(cmd("GET", "loot"), cmd("MIGRATE", "127.0.0.1", port, "loot", 0L, 2000L, "COPY")));
                assertEquals(OTHER, p.errKind());
                assertTrue(p.errMessage().startsWith("pipeline command 1 refused, nothing was sent"), p.errMessage());
            }

            assertEquals(0L, (long) denied.withJedis(Jedis::dbSize), "nothing reached the denied server");
            assertEquals(clientsBefore, denied.connectedClients(), "the allowed server never connected to it");
            assertEquals("NONE", allowed.withJedis(j -> j.info("replication")).contains("role:master") ? "NONE" : "REPLICA",
                    "the allowed server is still nobody's replica");
            // Control: the same MIGRATE from an unrestricted client does write there; the policy kept it out.
            allowed.withJedis(j -> j.migrate("127.0.0.1", denied.port(), "loot", 0, 2000));
            assertEquals("v", denied.withJedis(j -> j.get("loot")));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void runawayScriptIsRefusedByDefaultAndTheServerStaysResponsive(Engine engine, RedisServer server) {
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri());
        Outcome<?> r = g.execute(h, "EVAL", "while true do end", 0L);
        assertRefused(r, "scripting");
        assertTrue(r.errMessage().contains("--redis-allow-scripts"), r.errMessage());
        assertRefused(g.execute(h, "FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('f', function() while true do end end)"),
                "scripting");
        assertRefused(g.execute(h, "FCALL", "f", 0L), "scripting");
        long start = System.nanoTime();
        try (Jedis other = new Jedis(server.host(), server.port(), 1_000)) {
            assertEquals("PONG", other.ping(), "another client is served at once");
        }
        assertTrue(System.nanoTime() - start < 1_000_000_000L);
        assertEquals(List.of("bin:ok"), g.execute(h, "ECHO", "ok").get(), "the guest's connection is still usable");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void theDatabaseIsNotAPermissionSoSelectMoveAndCopyWork(Engine engine, RedisServer server) {
        server.flushAll();
        ProxyGuest g = guest(engine, server);
        int h = g.openOk(server.uri() + "/1");
        assertEquals(List.of("status:OK"), g.execute(h, "SET", "k", "v").get());
        assertEquals(List.of("int:1"), g.execute(h, "COPY", "k", "k", "DB", 2L).get());
        assertEquals(List.of("int:1"), g.execute(h, "MOVE", "k", 3L).get());
        assertEquals(List.of("status:OK"), g.execute(h, "SELECT", 2L).get());
        assertEquals(List.of("bin:v"), g.execute(h, "GET", "k").get());
        g.drop(h);
        // The pooled connection went back reset to its address's database (1), not the SELECTed one.
        int again = g.openOk(server.uri() + "/1");
        assertEquals(List.of("nil"), g.execute(again, "GET", "k").get(), "database 1 no longer has k (moved to 3)");
        assertEquals("v", server.withJedis(j -> {
            j.select(3);
            return j.get("k");
        }));
    }
}
