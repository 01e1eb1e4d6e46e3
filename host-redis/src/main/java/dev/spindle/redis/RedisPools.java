package dev.spindle.redis;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.InvocationContext;
import dev.spindle.host.InvocationTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The app-wide connection pools, one bounded pool per (host, port, user, database, TLS,
 * password hash), shared by every instance of every component.
 *
 * <p>A borrowed connection is returned with {@link #release}: connections a guest may have put
 * into a different state (anything run through {@code execute}) are reset first, and any that
 * cannot be reset, or that saw an I/O error, are destroyed instead of pooled.
 */
final class RedisPools implements AutoCloseable {

    private final RedisOptions options;
    private final RedisClientSettings settings;
    private final Map<RedisAddress.PoolKey, GenericObjectPool<RawConnection>> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** Sends SCRIPT KILL off the invocation and timeout threads; idle threads end after 60 s. */
    private final java.util.concurrent.ExecutorService scriptKiller = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "spindle-redis-script-kill");
        t.setDaemon(true);
        return t;
    });

    RedisPools(RedisClientSettings settings) {
        this.settings = settings;
        this.options = settings.options();
    }

    /** A connection on loan from one pool; give it back with {@link RedisPools#release}. */
    record Lease(GenericObjectPool<RawConnection> pool, RedisAddress address, RawConnection connection) {}

    /**
     * Borrows a connection, connecting (and authenticating, selecting the database) if the pool
     * has no idle one.
     *
     * @throws RedisError too-many-connections when the pool stays exhausted for
     *     {@link RedisOptions#poolWait()}; other(...) when the server cannot be reached or refuses us
     */
    Lease borrow(RedisAddress address) {
        if (closed) {
            throw RedisError.other("the redis capability is shut down");
        }
        GenericObjectPool<RawConnection> pool = pools.computeIfAbsent(address.poolKey(), k -> newPool(address));
        Optional<InvocationContext> invocation = InvocationContext.current();
        // Never wait past the invocation's deadline: the guest's time is up then.
        Duration wait = invocation
                .map(i -> Duration.ofNanos(Math.max(0, Math.min(options.poolWait().toNanos(), i.remainingNanos()))))
                .orElse(options.poolWait());
        try {
            return new Lease(pool, address, pool.borrowObject(wait));
        } catch (InterruptedException e) {
            // The engine interrupts an invocation that ran out of time. Keep the flag (a compiled
            // guest stops at its next branch) and trap: the guest must not see a retryable error.
            Thread.currentThread().interrupt();
            throw invocation.map(InvocationContext::timedOut)
                    .orElseGet(() -> new InvocationTimeoutException("interrupted while waiting for a redis connection"));
        } catch (NoSuchElementException e) {
            if (e.getCause() == null && invocation.isPresent() && invocation.get().isOver()) {
                throw invocation.get().timedOut();
            }
            if (e.getCause() == null) {
                throw RedisError.tooManyConnections(
                        "all " + options.maxConnectionsPerPool() + " connections to " + address.redacted()
                                + " are in use (waited " + options.poolWait().toMillis() + " ms)");
            }
            throw connectFailure(address, e.getCause());
        } catch (IllegalStateException e) {
            throw RedisError.other("the redis capability is shut down");
        } catch (Exception e) {
            throw connectFailure(address, e);
        }
    }

    /** Returns a connection; {@code dirty} means a guest ran arbitrary commands on it. */
    void release(Lease lease, boolean dirty) {
        RawConnection c = lease.connection();
        boolean reusable = !closed && !c.isBroken() && c.isConnected() && (!dirty || reset(c, lease.address()));
        try {
            if (reusable) {
                lease.pool().returnObject(c);
            } else {
                lease.pool().invalidateObject(c);
            }
        } catch (Exception e) {
            c.close(); // the pool is closed or rejected it: just make sure the socket goes
        }
    }

    /**
     * A borrowed connection hit an I/O error. That usually means the server restarted or went
     * away, and then every idle connection in the same pool is dead too: drop them now, so the
     * next borrower connects afresh and only the call that met the error fails.
     */
    void connectionFailed(Lease lease) {
        lease.pool().clear();
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

    private GenericObjectPool<RawConnection> newPool(RedisAddress address) {
        HostAndPort hostAndPort = new HostAndPort(address.host(), address.port());

        GenericObjectPoolConfig<RawConnection> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(options.maxConnectionsPerPool());
        poolConfig.setMaxIdle(options.maxConnectionsPerPool());
        poolConfig.setMinIdle(0);
        poolConfig.setBlockWhenExhausted(true);
        poolConfig.setMaxWait(options.poolWait());
        poolConfig.setTestOnBorrow(false);
        // Idle connections are pinged every 30 s and closed after 60 s idle, so a pooled
        // connection the server or a middlebox dropped is found before a guest borrows it.
        poolConfig.setTestWhileIdle(true);
        poolConfig.setTimeBetweenEvictionRuns(java.time.Duration.ofSeconds(30));
        poolConfig.setMinEvictableIdleDuration(java.time.Duration.ofSeconds(60));
        poolConfig.setJmxEnabled(false);

        return new GenericObjectPool<>(
                new BasePooledObjectFactory<>() {
                    @Override
                    public RawConnection create() {
                        return connect(address, hostAndPort);
                    }

                    @Override
                    public PooledObject<RawConnection> wrap(RawConnection c) {
                        return new DefaultPooledObject<>(c);
                    }

                    @Override
                    public void destroyObject(PooledObject<RawConnection> p) {
                        p.getObject().close();
                    }

                    @Override
                    public boolean validateObject(PooledObject<RawConnection> p) {
                        RawConnection c = p.getObject();
                        try {
                            return c.isConnected() && !c.isBroken() && c.ping();
                        } catch (JedisConnectionException | JedisDataException e) {
                            return false;
                        }
                    }
                },
                poolConfig);
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
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    /** Number of connections, idle and borrowed, across all pools (for tests and metrics). */
    int openConnections() {
        return pools.values().stream().mapToInt(p -> p.getNumActive() + p.getNumIdle()).sum();
    }

    @Override
    public void close() {
        closed = true;
        scriptKiller.shutdown();
        for (GenericObjectPool<RawConnection> p : pools.values()) {
            p.close();
        }
        pools.clear();
    }
}
