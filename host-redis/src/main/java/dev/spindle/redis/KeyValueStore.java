package dev.spindle.redis;

import dev.spindle.host.Tracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * One open key-value store: a label's namespace on its Redis. Every key the guest names is
 * stored under the label's prefix ({@link KeyValueConfig}); {@link #getKeys()} walks only that
 * prefix, with {@code SCAN}, never {@code KEYS}.
 *
 * <p>Each operation borrows a pooled connection for its own duration, so an open store holds no
 * connection. The limits are the Redis interface's ({@link RedisOptions}): the result cap for
 * {@code get} and {@code get-keys}, the socket timeout per command, the pool's size and wait.
 */
final class KeyValueStore {
    /** Keys asked of each {@code SCAN} round trip: few round trips, small replies. */
    static final int SCAN_COUNT = 1000;
    private static final byte[] SCAN = bytes("SCAN");

    private final KeyValueConfig.Store store;
    private final RedisPools pools;
    private final RedisOptions options;
    private final String componentId;
    /** Every store's counters, by label and operation: a store is opened per invocation, its series outlive it. */
    private static final ConcurrentHashMap<Series, Counter> COUNTERS = new ConcurrentHashMap<>();

    private record Series(String store, String operation) {}

    /** {@code componentId}: whose connection caps the store's borrowed connections count against. */
    KeyValueStore(KeyValueConfig.Store store, RedisPools pools, RedisOptions options, String componentId) {
        this.store = store;
        this.pools = pools;
        this.options = options;
        this.componentId = componentId;
    }

    String label() {
        return store.label();
    }

    /** {@code spindle.kv.operations} by store label and operation: what the key-value interfaces asked of the store. */
    private void count(String operation) {
        // Registered once per series and reused (registering builds and sorts the tags each time).
        Series series = new Series(store.label(), operation);
        Counter counter = COUNTERS.get(series);
        if (counter == null) {
            counter = COUNTERS.computeIfAbsent(series, k -> Counter.builder("spindle.kv.operations")
                    .description("Key-value operations by store and operation")
                    .tags("store", k.store(), "operation", k.operation()).register(Metrics.globalRegistry));
        }
        counter.increment();
    }

    /** The value, or empty when the key has none. */
    Optional<byte[]> get(String key) {
        count("get");
        Reply r = call(List.of(bytes("GET"), namespaced(key)));
        if (r instanceof Reply.Nil) {
            return Optional.empty();
        }
        if (r instanceof Reply.Bulk b) {
            return Optional.of(b.bytes());
        }
        throw unexpected("get", r);
    }

    void set(String key, byte[] value) {
        count("set");
        Reply r = call(List.of(bytes("SET"), namespaced(key), value));
        if (!(r instanceof Reply.Status)) {
            throw unexpected("set", r);
        }
    }

    /** Deleting a key that has no value is not an error. */
    void delete(String key) {
        count("delete");
        Reply r = call(List.of(bytes("DEL"), namespaced(key)));
        if (!(r instanceof Reply.Int)) {
            throw unexpected("delete", r);
        }
    }

    boolean exists(String key) {
        count("exists");
        Reply r = call(List.of(bytes("EXISTS"), namespaced(key)));
        if (r instanceof Reply.Int i) {
            return i.value() > 0;
        }
        throw unexpected("exists", r);
    }

    /**
     * Every key of the store (without the prefix), each once. Bounded three ways: the keys
     * together (16 bytes per key plus its length, as a list of strings is charged) must fit the
     * result cap, each {@code SCAN} reply is read under that cap too, and the whole walk must
     * finish within the socket timeout; past any of them the call fails instead of buffering on.
     */
    List<String> getKeys() {
        count("get-keys");
        byte[] match = bytes(globEscape(store.keyPrefix()) + "*");
        int prefixLength = bytes(store.keyPrefix()).length;
        long deadline = System.nanoTime() + options.socketTimeout().toNanos();
        Set<String> keys = new LinkedHashSet<>();
        long[] budget = {options.maxResultBytes()};
        // A cluster's keys are spread over its masters: walk each (one server otherwise).
        for (RedisAddress server : servers()) {
            Tracing.Traced span = RedisTracing.hostCommand(SCAN, server); // one span per server's walk
            try {
                walk(server, match, prefixLength, deadline, keys, budget);
            } catch (RuntimeException e) {
                RedisTracing.failed(span, e);
                throw e;
            }
            span.endRedis(null);
        }
        return new ArrayList<>(keys);
    }

    /** {@code SCAN}s one server's part of the store into {@code keys}. */
    private void walk(RedisAddress server, byte[] match, int prefixLength, long deadline, Set<String> keys, long[] budget) {
        withConnection(server, c -> {
            byte[] cursor = bytes("0");
            do {
                if (System.nanoTime() > deadline) {
                    throw KeyValueError.other("get-keys: walking the store took longer than "
                            + options.socketTimeout().toSeconds() + " s (" + keys.size() + " keys so far)");
                }
                Reply r = c.call(List.of(bytes("SCAN"), cursor, bytes("MATCH"), match, bytes("COUNT"),
                        bytes(Integer.toString(SCAN_COUNT))), options.maxResultBytes());
                if (!(r instanceof Reply.Array page) || page.items().size() != 2
                        || !(page.items().get(0) instanceof Reply.Bulk next) || !(page.items().get(1) instanceof Reply.Array found)) {
                    throw unexpected("get-keys", r);
                }
                for (Reply item : found.items()) {
                    if (!(item instanceof Reply.Bulk k) || k.bytes().length < prefixLength) {
                        throw unexpected("get-keys", item);
                    }
                    String key = utf8(Arrays.copyOfRange(k.bytes(), prefixLength, k.bytes().length));
                    if (keys.add(key)) {
                        budget[0] -= RawConnection.ELEMENT_COST + (k.bytes().length - prefixLength);
                        if (budget[0] < 0) {
                            throw KeyValueError.other("get-keys: the store holds more keys than fit the result limit of "
                                    + options.maxResultBytes() + " bytes");
                        }
                    }
                }
                cursor = next.bytes();
            } while (!Arrays.equals(cursor, bytes("0")));
            return null;
        });
    }

    /** Every server holding part of the store: a cluster's masters, else the one (or the Sentinel group's master). */
    private List<RedisAddress> servers() {
        try {
            return pools.router().everyMaster(store.address());
        } catch (RedisError e) {
            throw KeyValueError.other("key-value store \"" + store.label() + "\": " + e.getMessage());
        }
    }

    private byte[] namespaced(String key) {
        return bytes(store.keyPrefix() + key);
    }

    /**
     * One command where its key lives: on a declared Cluster the node of its slot, following
     * {@code MOVED}/{@code ASK}; on a Sentinel group its current master, sent again after a
     * {@code READONLY} (a demoted master).
     */
    private Reply call(List<byte[]> command) {
        RedisRouter router = pools.router();
        byte[] key = RedisRouter.keyOf(command);
        RedisAddress server = route(key);
        // One span per operation, redirects included: the command's name (ours) and the server, never the key or value.
        Tracing.Traced span = RedisTracing.hostCommand(command.get(0), server);
        Reply reply;
        try {
            reply = callFollowingRedirects(router, key, server, command);
        } catch (RuntimeException e) {
            RedisTracing.failed(span, e);
            throw e;
        }
        RedisTracing.end(span, reply);
        return reply;
    }

    private Reply callFollowingRedirects(RedisRouter router, byte[] key, RedisAddress server, List<byte[]> command) {
        Reply reply = withConnection(server, c -> c.call(command, options.maxResultBytes()));
        for (int sent = 1; sent < RedisRouter.MAX_REDIRECTS; sent++) {
            Optional<RedisRouter.Redirect> redirect = router.redirect(store.address(), key, reply);
            if (redirect.isEmpty()) {
                break;
            }
            reply = withConnection(redirect.get().to(), c -> redirect.get().asking()
                    ? c.pipeline(List.of(List.of(bytes("ASKING")), command), options.maxResultBytes()).get(1)
                    : c.call(command, options.maxResultBytes()));
        }
        return reply;
    }

    private RedisAddress route(byte[] key) {
        try {
            return pools.router().route(store.address(), key);
        } catch (RedisError e) {
            throw KeyValueError.other("key-value store \"" + store.label() + "\": " + e.getMessage());
        }
    }

    /** Runs {@code io} on a pooled connection to {@code server}; every failure becomes {@link KeyValueError} {@code other}. */
    private <T> T withConnection(RedisAddress server, java.util.function.Function<RawConnection, T> io) {
        RedisPools.Lease lease;
        try {
            lease = pools.borrow(server, componentId);
        } catch (RedisError e) {
            throw KeyValueError.other("key-value store \"" + store.label() + "\": " + e.getMessage());
        }
        try {
            return io.apply(lease.connection());
        } catch (RawConnection.ResultTooLargeException e) {
            throw KeyValueError.other("key-value store \"" + store.label() + "\": result exceeds limit of "
                    + options.maxResultBytes() + " bytes");
        } catch (dev.spindle.host.HostMemoryExceededException e) {
            throw KeyValueError.other("key-value store \"" + store.label() + "\": " + e.getMessage());
        } catch (JedisConnectionException e) {
            pools.connectionFailed(lease);
            pools.router().failed(store.address()); // a failover or a node gone: ask the sentinels or seeds again
            throw KeyValueError.other("key-value store \"" + store.label() + "\": redis connection to "
                    + lease.address().redacted() + " failed: " + RedisPools.describe(e));
        } finally {
            pools.release(lease, false);
        }
    }

    private KeyValueError unexpected(String op, Reply r) {
        if (r instanceof Reply.Error e) {
            return KeyValueError.other("key-value store \"" + store.label() + "\": " + op + ": " + e.message());
        }
        return KeyValueError.other("key-value store \"" + store.label() + "\": " + op + ": unexpected reply "
                + r.getClass().getSimpleName().toLowerCase());
    }

    private String utf8(byte[] b) {
        return RedisLowering.strictUtf8(b).orElseThrow(() -> KeyValueError.other("key-value store \"" + store.label()
                + "\" holds a key that is not valid UTF-8 (written by another Redis client)"));
    }

    /** Escapes Redis glob metacharacters so the prefix matches only itself. */
    static String globEscape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
