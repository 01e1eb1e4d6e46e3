package dev.spindle.redis;

import static dev.spindle.redis.ProxyGuest.OTHER;
import static dev.spindle.redis.ProxyGuest.TOO_MANY_CONNECTIONS;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.InstanceBinding;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.redis.ProxyGuest.Engine;
import dev.spindle.redis.ProxyGuest.Outcome;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import dev.spindle.testing.RedisServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 9 items 3 and 9: the 64-per-pool cap applied per (host, port, user, db, TLS), so varying
 * the user name or the database gave each open a fresh pool (one request opened 1024 sockets,
 * and the pools were never evicted); and a broken connection was replaced by dialling the
 * stalled server again on the caller's thread, doubling the socket timeout.
 */
@ExtendWith(RedisServerExtension.class)
@RedisServerOptions(perTest = true)
class ConnectionCapsTest {

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

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

    private InstanceBinding bind(RedisCapability cap, String component, RedisServer server) {
        InstanceBinding b = cap.bind(new ComponentContext(component,
                AllowedHosts.parse(List.of("redis://127.0.0.1:" + server.port())), (level, c, m) -> log.add(level + " [" + c + "] " + m)));
        toClose.add(b);
        return b;
    }

    private static String address(RedisServer server, int i) {
        return "redis://user" + i + "@127.0.0.1:" + server.port() + "/" + (i % 16); // no password: no AUTH, so any user name works
    }

    @Test
    void oneInvocationVaryingUserNamesAndDatabasesCannotOpenMoreThanTheCaps(RedisServer server) {
        RedisCapability cap = capability(RedisOptions.defaults()
                .withMaxConnectionsPerComponent(6).withMaxConnectionsPerServer(8).withPoolWait(Duration.ZERO));
        ProxyGuest tenant = new ProxyGuest(Engine.COMPILER, bind(cap, "tenant", server));
        int opened = 0;
        for (int i = 0; i < 200; i++) {
            Outcome<Integer> r = tenant.open(address(server, i));
            if (r.ok()) {
                opened++;
            } else {
                assertEquals(TOO_MANY_CONNECTIONS, r.errKind());
            }
        }
        assertEquals(6, opened, "200 opens with 200 user names and 16 databases: the per-component cap");
        assertEquals(194, log.size());
        assertTrue(log.get(0).startsWith("WARN [tenant] redis open of \"redis://") && log.get(0).endsWith("@127.0.0.1:" + server.port()
                + "/6\" refused: component \"tenant\" already holds 6 redis connections (the per-component cap); waited 0 ms"), log.get(0));
        assertEquals(6, server.connectedClients());

        // Another component gets what is left of the server's cap, and no more.
        ProxyGuest other = new ProxyGuest(Engine.COMPILER, bind(cap, "other", server));
        other.openOk(address(server, 1000));
        other.openOk(address(server, 1001));
        assertEquals(TOO_MANY_CONNECTIONS, other.open(address(server, 1002)).errKind());
        String full = log.get(log.size() - 1);
        assertTrue(full.startsWith("WARN [other] ") && full.contains("all 8 connections to 127.0.0.1:" + server.port()
                + " are in use (the per-server cap, across user names and databases)"), full);
        assertEquals(8, server.connectedClients());
        assertEquals(8, cap.openConnections());
        System.out.println("[figure] 200 opens varying user name and database: " + opened
                + " connections (per-component cap 6); server cap 8 held across components; the server saw "
                + server.connectedClients() + " clients");
    }

    @Test
    void idleConnectionsOfOtherPoolsMakeRoomAndIdlePoolsAreEvicted(RedisServer server) throws Exception {
        RedisCapability cap = capability(RedisOptions.defaults()
                .withMaxConnectionsPerServer(4).withPoolWait(Duration.ZERO).withIdleTimeout(Duration.ofMillis(1000)));
        InstanceBinding first = bind(cap, "tenant", server);
        ProxyGuest g = new ProxyGuest(Engine.COMPILER, first);
        for (int i = 0; i < 4; i++) {
            g.set(g.openOk(address(server, i)), "k", "v".getBytes(UTF_8)).get();
        }
        first.close(); // four idle connections in four pools (users 0..3)
        assertEquals(4, cap.openConnections());

        // A fifth user name: the server is at its cap, so the longest-idle connection of another pool goes.
        ProxyGuest next = new ProxyGuest(Engine.COMPILER, bind(cap, "tenant", server));
        next.openOk(address(server, 4));
        assertEquals(4, cap.openConnections());
        assertEquals(4, server.connectedClients());

        toClose.forEach(c -> {
            if (c instanceof InstanceBinding b) {
                b.close();
            }
        });
        awaitTrue(() -> cap.openConnections() == 0 && cap.pools().trackedPools() == 0, 5_000);
        awaitTrue(() -> server.connectedClients() == 0, 5_000);
        assertEquals(0, cap.pools().trackedPools(), "every pool and server entry was forgotten");
    }

    @Test
    void callOnAStalledServerFailsAfterOneSocketTimeoutNotTwo(RedisServer server) throws Exception {
        Duration socketTimeout = Duration.ofMillis(800);
        RedisCapability cap = capability(RedisOptions.defaults()
                .withSocketTimeout(socketTimeout).withMaxConnectionsPerServer(1).withPoolWait(Duration.ofSeconds(5)));
        ProxyGuest holder = new ProxyGuest(Engine.COMPILER, bind(cap, "tenant", server));
        int h = holder.openOk(server.uri());
        ProxyGuest waiter = new ProxyGuest(Engine.COMPILER, bind(cap, "tenant", server));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        server.pause(); // SIGSTOP: the server accepts TCP connections (the kernel does) but answers nothing
        try {
            // Someone waits for the one connection: the old pool dialled a replacement for it on the
            // thread that gave the broken connection back, i.e. inside the failing call.
            Future<Outcome<Integer>> waiting = pool.submit(() -> waiter.open(server.uri()));
            Thread.sleep(100);
            long start = System.nanoTime();
            Outcome<Optional<byte[]>> r = holder.get(h, "k");
            holder.drop(h); // what a guest does after an error (or the invocation's end does for it)
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(OTHER, r.errKind());
            assertTrue(r.errMessage().contains("timed out"), r.errMessage());
            System.out.println("[figure] GET then drop on a SIGSTOPped server, socket timeout " + socketTimeout.toMillis()
                    + " ms, with a borrower waiting: done after " + tookMs + " ms");
            assertTrue(tookMs < socketTimeout.toMillis() * 16 / 10, "took " + tookMs + " ms: more than one socket timeout");
            // The waiter got the freed slot and connects on its own thread; against the stalled server its
            // setup read times out too, as its own error.
            assertEquals(OTHER, waiting.get(10, TimeUnit.SECONDS).errKind());
        } finally {
            server.resume();
            pool.shutdownNow();
        }
        int again = holder.openOk(server.uri());
        assertEquals(Optional.empty(), holder.get(again, "k").get(), "works again once the server runs");
    }

    private static void awaitTrue(BooleanSupplier condition, long ms) throws InterruptedException {
        long until = System.nanoTime() + ms * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("condition not met within " + ms + " ms");
            }
            Thread.sleep(20);
        }
    }
}
