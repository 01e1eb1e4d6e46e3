package dev.spindle.redis;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.InvocationContext;
import dev.spindle.host.InvocationTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The app's Redis connections, shared by every instance of every component: idle connections kept
 * per pool (one server, user, database, TLS and password), and two caps across all pools.
 *
 * <ul>
 *   <li><b>Per server</b> ({@code host:port}): connections open to it, idle and borrowed, whatever
 *       user name or database they use ({@link RedisOptions#maxConnectionsPerServer()}). Varying
 *       the user or the database opens a new pool but never new capacity; when the server is at
 *       its cap, an idle connection of another pool is closed to make room.
 *   <li><b>Per component</b>: connections its instances hold at once, across every server
 *       ({@link RedisOptions#maxConnectionsPerComponent()}).
 * </ul>
 *
 * <p>An {@code open} over a cap waits up to {@link RedisOptions#poolWait()} (never past its
 * invocation's deadline) for a connection to come back, then fails with
 * {@code too-many-connections}. A connection given back with {@link #release} is reset first when
 * a guest ran commands on it; one that cannot be reset, or saw an I/O error, is closed — and
 * nothing is dialled in its place on the caller's thread: the next borrower connects when it needs
 * to. Idle connections are closed after {@link RedisOptions#idleTimeout()}, and a pool or server
 * with no connection left is forgotten, so pools made for one-off user names do not pile up.
 *
 * <p>Bookkeeping happens under one lock that is never held during I/O.
 */
final class RedisPools implements AutoCloseable {

    /** The server a connection goes to, for the per-server cap: host as the address spells it, and port. */
    record ServerKey(String host, int port) {}

    /** A connection on loan; give it back with {@link RedisPools#release} or {@link RedisPools#discard}. */
    record Lease(RedisAddress address, String componentId, RawConnection connection) {}

    private record Idle(RawConnection connection, long sinceNanos) {}

    /** One server's connections: the count the cap applies to, and the idle ones by pool. */
    private static final class Server {
        int open; // borrowed + idle + being connected
        final Map<RedisAddress.PoolKey, ArrayDeque<Idle>> idle = new HashMap<>();

        /** The most recently returned idle connection of {@code pool} (warm), or null. */
        Idle takeIdle(RedisAddress.PoolKey pool) {
            ArrayDeque<Idle> q = idle.get(pool);
            if (q == null) {
                return null;
            }
            Idle i = q.pollLast();
            if (q.isEmpty()) {
                idle.remove(pool);
            }
            return i;
        }

        /** The longest-idle connection of any pool, or null. */
        Idle takeOldestIdle() {
            RedisAddress.PoolKey oldestPool = null;
            long oldest = Long.MAX_VALUE;
            for (var e : idle.entrySet()) {
                long since = e.getValue().peekFirst().sinceNanos();
                if (oldestPool == null || since - oldest < 0) {
                    oldestPool = e.getKey();
                    oldest = since;
                }
            }
            if (oldestPool == null) {
                return null;
            }
            ArrayDeque<Idle> q = idle.get(oldestPool);
            Idle i = q.pollFirst();
            if (q.isEmpty()) {
                idle.remove(oldestPool);
            }
            return i;
        }

        int idleCount() {
            int n = 0;
            for (ArrayDeque<Idle> q : idle.values()) {
                n += q.size();
            }
            return n;
        }
    }

    private final RedisOptions options;
    private final RedisClientSettings settings;
    /** Where a declared Cluster's or Sentinel group's commands go (every other address is its own server). */
    private final RedisRouter router;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a connection or a slot comes back, so waiting borrowers look again. */
    private final Condition returned = lock.newCondition();
    private final Map<ServerKey, Server> servers = new HashMap<>(); // guarded by lock
    private final Map<String, Integer> heldByComponent = new HashMap<>(); // guarded by lock
    private volatile boolean closed;
    /** Borrowers waiting for a connection or a slot to come back (guarded by lock; read by the gauge). */
    private volatile int waiting;
    private final List<io.micrometer.core.instrument.Gauge> gauges;
    /** Closes idle connections and forgets empty pools; one daemon thread. */
    private final ScheduledThreadPoolExecutor maintenance;
    /** Sends SCRIPT KILL off the invocation and timeout threads; idle threads end after 60 s. */
    private final ExecutorService scriptKiller = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "spindle-redis-script-kill");
        t.setDaemon(true);
        return t;
    });

    /** Pools tagged {@code redis} in the metrics (guests' outbound Redis). */
    RedisPools(RedisClientSettings settings) {
        this(settings, "redis");
    }

    /**
     * @param name the pools' tag in the metrics: {@code redis} (guests' outbound Redis) or {@code key-value}
     */
    RedisPools(RedisClientSettings settings, String name) {
        this.gauges = registerGauges(name);
        this.settings = settings;
        this.options = settings.options();
        this.router = new RedisRouter(settings.topology(), this::ask);
        this.maintenance = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "spindle-redis-idle-eviction");
            t.setDaemon(true);
            return t;
        });
        maintenance.setRemoveOnCancelPolicy(true);
        long every = Math.max(10, options.idleTimeout().toMillis() / 2);
        maintenance.scheduleWithFixedDelay(this::evictIdle, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Borrows a connection for {@code componentId}: an idle one of the address's pool, else a new
     * one (connecting, authenticating, selecting the database on this thread) within the caps.
     *
     * @throws RedisError too-many-connections when a cap stays reached for {@link RedisOptions#poolWait()};
     *     other(...) when the server cannot be reached or refuses us
     * @throws InvocationTimeoutException when the invocation's deadline passes while waiting, or the
     *     thread is interrupted (the interrupt flag is kept)
     */
    Lease borrow(RedisAddress address, String componentId) {
        Optional<InvocationContext> invocation = InvocationContext.current();
        long waitNanos = options.poolWait().toNanos();
        boolean untilDeadline = false;
        if (invocation.isPresent() && invocation.get().remainingNanos() < waitNanos) {
            // Never wait past the invocation's deadline: the guest's time is up then.
            waitNanos = Math.max(0, invocation.get().remainingNanos());
            untilDeadline = true;
        }
        long waitUntil = System.nanoTime() + waitNanos;
        ServerKey key = address.serverKey();
        RedisAddress.PoolKey pool = address.poolKey();
        List<RawConnection> toClose = new ArrayList<>();
        Server server;
        RawConnection reused = null;
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            throw interrupted(invocation);
        }
        try {
            while (true) {
                if (closed) {
                    throw RedisError.other("the redis capability is shut down");
                }
                server = servers.computeIfAbsent(key, k -> new Server());
                int held = heldByComponent.getOrDefault(componentId, 0);
                String full;
                if (held >= options.maxConnectionsPerComponent()) {
                    full = "component \"" + componentId + "\" already holds " + held
                            + " redis connections (the per-component cap)";
                } else {
                    Idle idle;
                    while ((idle = server.takeIdle(pool)) != null && !usable(idle.connection())) {
                        server.open--;
                        toClose.add(idle.connection());
                    }
                    if (idle != null) {
                        reused = idle.connection();
                        heldByComponent.merge(componentId, 1, Integer::sum);
                        break;
                    }
                    if (server.open < options.maxConnectionsPerServer()) {
                        server.open++; // a slot for the connection made below
                        heldByComponent.merge(componentId, 1, Integer::sum);
                        break;
                    }
                    Idle other = server.takeOldestIdle();
                    if (other != null) {
                        toClose.add(other.connection()); // its slot goes to the new connection
                        heldByComponent.merge(componentId, 1, Integer::sum);
                        break;
                    }
                    full = "all " + options.maxConnectionsPerServer() + " connections to " + key.host() + ":" + key.port()
                            + " are in use (the per-server cap, across user names and databases)";
                }
                long left = waitUntil - System.nanoTime();
                if (left <= 0) {
                    if (untilDeadline) {
                        throw invocation.get().timedOut();
                    }
                    throw RedisError.tooManyConnections(full + "; waited " + options.poolWait().toMillis() + " ms");
                }
                waiting++;
                try {
                    returned.awaitNanos(left);
                } catch (InterruptedException e) {
                    throw interrupted(invocation);
                } finally {
                    waiting--;
                }
            }
        } finally {
            lock.unlock();
            toClose.forEach(RawConnection::close);
        }
        if (reused != null) {
            return new Lease(address, componentId, reused);
        }
        try {
            return new Lease(address, componentId, connect(address, new HostAndPort(address.host(), address.port())));
        } catch (RuntimeException e) {
            giveBackSlot(key, componentId);
            if (invocation.isPresent() && invocation.get().isOver()) {
                throw invocation.get().timedOut();
            }
            throw connectFailure(address, e);
        }
    }

    /** Routing for Cluster and Sentinel addresses ({@link RedisRouter}); other addresses route to themselves. */
    RedisRouter router() {
        return router;
    }

    /** One question to one server on a connection of its own (topology lookups: never a guest's pooled one). */
    private Reply ask(RedisAddress server, List<byte[]> command) {
        RawConnection c = connect(server, new HostAndPort(server.host(), server.port()));
        try {
            return c.call(command, options.maxResultBytes());
        } finally {
            c.close();
        }
    }

    /**
     * The engine interrupts an invocation that ran out of time. Keep the flag (a compiled guest
     * stops at its next branch) and trap: the guest must not see a retryable error value.
     */
    private static InvocationTimeoutException interrupted(Optional<InvocationContext> invocation) {
        Thread.currentThread().interrupt();
        return invocation.map(InvocationContext::timedOut)
                .orElseGet(() -> new InvocationTimeoutException("interrupted while waiting for a redis connection"));
    }

    private static boolean usable(RawConnection c) {
        return c.isConnected() && !c.isBroken();
    }

    /**
     * Returns a connection; {@code dirty} means a guest ran arbitrary commands on it, so it is
     * reset first (one round trip, on the calling thread: the invocation's own, as it ends).
     */
    void release(Lease lease, boolean dirty) {
        RawConnection c = lease.connection();
        boolean reusable = !closed && usable(c) && (!dirty || reset(c, lease.address()));
        giveBack(lease, reusable);
    }

    /** Closes a borrowed connection instead of pooling it: no I/O but closing its socket. */
    void discard(Lease lease) {
        giveBack(lease, false);
    }

    private void giveBack(Lease lease, boolean reusable) {
        RawConnection c = lease.connection();
        boolean close = true;
        lock.lock();
        try {
            release(lease.componentId());
            Server s = servers.get(lease.address().serverKey());
            if (s != null) {
                if (reusable && !closed) {
                    s.idle.computeIfAbsent(lease.address().poolKey(), k -> new ArrayDeque<>()).addLast(new Idle(c, System.nanoTime()));
                    close = false;
                } else {
                    s.open--;
                }
            }
            returned.signalAll();
        } finally {
            lock.unlock();
        }
        if (close) {
            c.close();
        }
    }

    /** A slot reserved for a connection that could not be made. */
    private void giveBackSlot(ServerKey key, String componentId) {
        lock.lock();
        try {
            release(componentId);
            Server s = servers.get(key);
            if (s != null) {
                s.open--;
            }
            returned.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void release(String componentId) { // guarded by lock
        heldByComponent.computeIfPresent(componentId, (k, n) -> n > 1 ? n - 1 : null);
    }

    /**
     * A borrowed connection hit an I/O error. That usually means the server restarted or went
     * away, and then every idle connection to it is dead too: drop them now, so the next borrower
     * connects afresh and only the call that met the error fails.
     */
    void connectionFailed(Lease lease) {
        List<RawConnection> toClose = new ArrayList<>();
        lock.lock();
        try {
            Server s = servers.get(lease.address().serverKey());
            if (s != null) {
                for (ArrayDeque<Idle> q : s.idle.values()) {
                    q.forEach(i -> toClose.add(i.connection()));
                    s.open -= q.size();
                }
                s.idle.clear();
            }
            returned.signalAll();
        } finally {
            lock.unlock();
        }
        toClose.forEach(RawConnection::close);
    }

    /** Closes connections idle for {@link RedisOptions#idleTimeout()} and forgets empty pools and servers. */
    void evictIdle() {
        List<RawConnection> toClose = new ArrayList<>();
        long now = System.nanoTime();
        long maxIdle = options.idleTimeout().toNanos();
        lock.lock();
        try {
            for (Iterator<Server> servers = this.servers.values().iterator(); servers.hasNext(); ) {
                Server s = servers.next();
                for (Iterator<ArrayDeque<Idle>> pools = s.idle.values().iterator(); pools.hasNext(); ) {
                    ArrayDeque<Idle> q = pools.next();
                    while (!q.isEmpty() && now - q.peekFirst().sinceNanos() >= maxIdle) {
                        toClose.add(q.pollFirst().connection());
                        s.open--;
                    }
                    if (q.isEmpty()) {
                        pools.remove();
                    }
                }
                if (s.open == 0 && s.idle.isEmpty()) {
                    servers.remove();
                }
            }
            if (!toClose.isEmpty()) {
                returned.signalAll();
            }
        } finally {
            lock.unlock();
        }
        toClose.forEach(RawConnection::close);
    }

    /**
     * Puts a connection back into the state a fresh one has. {@code RESET} (Redis 6.2+) leaves
     * MULTI, drops WATCHes, tracking, CLIENT REPLY OFF, READONLY, pub/sub and RESP3, and also
     * de-authenticates and selects database 0 - so we authenticate and select again, in the same
     * round trip. Any unexpected reply (an old server without RESET, a changed password) and the
     * connection is discarded instead.
     */
    private boolean reset(RawConnection c, RedisAddress a) {
        List<List<byte[]>> commands = new ArrayList<>();
        commands.add(List.of(bytes("RESET")));
        if (a.password().isPresent()) {
            List<byte[]> auth = new ArrayList<>();
            auth.add(bytes("AUTH"));
            a.user().ifPresent(u -> auth.add(bytes(u)));
            auth.add(bytes(a.password().get()));
            commands.add(auth);
        }
        if (a.database() != 0) {
            commands.add(List.of(bytes("SELECT"), bytes(Integer.toString(a.database()))));
        }
        try {
            List<Reply> replies = c.pipeline(commands, 1024);
            if (!(replies.get(0) instanceof Reply.Status s && s.text().equals("RESET"))) {
                return false;
            }
            for (Reply r : replies.subList(1, replies.size())) {
                if (!(r instanceof Reply.Status ok && ok.text().equals("OK"))) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private RedisError connectFailure(RedisAddress address, Throwable e) {
        if (RedisClientSettings.isTlsFailure(e)) {
            return RedisError.other("TLS handshake with " + address.redacted() + " failed: " + RedisClientSettings.tlsReason(e)
                    + " (the server's certificate must be signed by a trusted CA - the JVM's trust store or"
                    + " the configured redis TLS CA file - and name the address's host)");
        }
        String what = e instanceof JedisAccessControlException
                ? "authentication failed"
                : e instanceof JedisDataException ? "the server refused the connection setup" : "cannot connect";
        return RedisError.other(what + " to " + address.redacted() + ": " + describe(e));
    }

    /**
     * The chain of messages down to the root cause (e.g. "... Connection refused"), including
     * suppressed exceptions: Jedis records each failed address of a host that way.
     */
    static String describe(Throwable e) {
        java.util.LinkedHashSet<String> messages = new java.util.LinkedHashSet<>();
        collect(e, messages, 0);
        return messages.isEmpty() ? e.getClass().getSimpleName() : String.join(": ", messages);
    }

    private static void collect(Throwable t, java.util.Set<String> out, int depth) {
        if (t == null || depth > 8) {
            return;
        }
        if (t.getMessage() != null) {
            out.add(t.getMessage());
        }
        for (Throwable s : t.getSuppressed()) {
            collect(s, out, depth + 1);
        }
        if (t.getCause() != t) {
            collect(t.getCause(), out, depth + 1);
        }
    }

    /**
     * Connects (TCP, TLS, HELLO, AUTH, SELECT) on the calling thread. Inside an invocation the
     * connect and setup reads never wait past its deadline: a server that accepts the TCP
     * connection but never answers (stalled, SIGSTOPped) holds the invocation only until then.
     * The connection then keeps the configured socket timeout for its commands.
     */
    private RawConnection connect(RedisAddress address, HostAndPort hostAndPort) {
        int connectMs = (int) options.connectTimeout().toMillis();
        int socketMs = (int) options.socketTimeout().toMillis();
        Optional<InvocationContext> invocation = InvocationContext.current();
        if (invocation.isPresent()) {
            // At least 1 ms: a socket timeout of 0 would mean "wait forever".
            int leftMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, invocation.get().remainingNanos() / 1_000_000));
            connectMs = Math.min(connectMs, leftMs);
            socketMs = Math.min(socketMs, leftMs);
        }
        DefaultJedisClientConfig.Builder config = settings.builder(address.tls())
                .database(address.database())
                .connectionTimeoutMillis(connectMs)
                .socketTimeoutMillis(socketMs);
        address.user().ifPresent(config::user);
        address.password().ifPresent(config::password);
        RawConnection c = new RawConnection(hostAndPort, config.build());
        c.setSoTimeout((int) options.socketTimeout().toMillis());
        return c;
    }

    /**
     * A guest's script outlived its call: sends {@code SCRIPT KILL} (or {@code FUNCTION KILL}) to
     * the server on a separate, unpooled connection, from a background thread, and logs the
     * outcome as one line. The server answers other clients only once a script has run for its
     * {@code busy-reply-threshold} (default 5 s), so the kill takes effect then at the earliest. A
     * script that already wrote data cannot be killed ({@code UNKILLABLE}); the log says so.
     */
    void killScript(RedisAddress address, String kind, ComponentContext component) {
        if (closed) {
            return;
        }
        try {
            scriptKiller.execute(() -> {
                String outcome;
                DefaultJedisClientConfig.Builder config = settings.builder(address.tls());
                address.user().ifPresent(config::user);
                address.password().ifPresent(config::password);
                try (RawConnection c = new RawConnection(new HostAndPort(address.host(), address.port()), config.build())) {
                    Reply r = c.call(List.of(bytes(kind), bytes("KILL")), 1024);
                    outcome = r instanceof Reply.Status st ? st.text() : r instanceof Reply.Error err ? err.message() : String.valueOf(r);
                } catch (RuntimeException e) {
                    outcome = "failed: " + describe(e);
                }
                component.log().warn(component.componentId(), "a redis script outlived its call on " + address.redacted()
                        + "; sent " + kind + " KILL: " + outcome);
            });
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    /**
     * {@code spindle.redis.connections} with {@code state} {@code in_use} (borrowed or being
     * connected) and {@code idle}, and {@code spindle.redis.waiting}, each tagged {@code pool}.
     */
    private List<io.micrometer.core.instrument.Gauge> registerGauges(String name) {
        var registry = io.micrometer.core.instrument.Metrics.globalRegistry;
        return List.of(
                io.micrometer.core.instrument.Gauge.builder("spindle.redis.connections", this, p -> p.count(false))
                        .description("Redis connections open, by state").tags("pool", name, "state", "in_use").register(registry),
                io.micrometer.core.instrument.Gauge.builder("spindle.redis.connections", this, p -> p.count(true))
                        .description("Redis connections open, by state").tags("pool", name, "state", "idle").register(registry),
                io.micrometer.core.instrument.Gauge.builder("spindle.redis.waiting", this, p -> p.waiting)
                        .description("Borrowers waiting for a Redis connection (a cap reached)").tags("pool", name).register(registry));
    }

    /** Idle connections, or the others (borrowed and being connected). */
    private int count(boolean idle) {
        lock.lock();
        try {
            int open = 0;
            int idleCount = 0;
            for (Server s : servers.values()) {
                open += s.open;
                idleCount += s.idleCount();
            }
            return idle ? idleCount : open - idleCount;
        } finally {
            lock.unlock();
        }
    }

    /** Connections open to Redis servers, idle and borrowed (for tests and metrics). */
    int openConnections() {
        lock.lock();
        try {
            return servers.values().stream().mapToInt(s -> s.open).sum();
        } finally {
            lock.unlock();
        }
    }

    /** Pools that hold idle connections, plus servers tracked (0 once everything was evicted). */
    int trackedPools() {
        lock.lock();
        try {
            return servers.size() + servers.values().stream().mapToInt(s -> s.idle.size()).sum();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        gauges.forEach(io.micrometer.core.instrument.Metrics.globalRegistry::remove);
        List<RawConnection> toClose = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            for (Server s : servers.values()) {
                s.idle.values().forEach(q -> q.forEach(i -> toClose.add(i.connection())));
                s.open -= s.idleCount();
                s.idle.clear();
            }
            returned.signalAll();
        } finally {
            lock.unlock();
        }
        maintenance.shutdownNow();
        scriptKiller.shutdown();
        toClose.forEach(RawConnection::close);
    }
}
