package dev.spindle.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Where a command for an address goes now: the address itself; for a {@link RedisTopology.Sentinel
 * Sentinel group}, the master its sentinels name; for a {@link RedisTopology.Cluster Cluster}, the
 * node serving the slot of the command's key. What it learns (the master, the slot table) is kept
 * until a reply or a failure says it changed: {@code MOVED} (a slot moved), {@code ASK} (a slot is
 * moving), {@code READONLY} (the master was demoted), or a connection that failed.
 *
 * <p>The key of a command is taken to be its first argument. That is right for every command the
 * typed interfaces send and for most a guest sends through {@code execute}; when it is not, the
 * node answers {@code MOVED} and the command is sent again where it says, so the guess costs a
 * round trip, never a wrong answer. Commands whose keys span slots get the server's own
 * {@code CROSSSLOT} error, which reaches the guest as an error value.
 */
final class RedisRouter {
    /** Slots of a Redis Cluster. */
    static final int SLOTS = 16384;
    /** A command is sent at most this many times while following redirects. */
    static final int MAX_REDIRECTS = 3;

    /** Asks one server one question, on a short-lived connection (never a pooled one). */
    interface Probe {
        Reply ask(RedisAddress server, List<byte[]> command);
    }

    /** Send the command again, to {@code to}; {@code asking}: preceded by {@code ASKING} (a slot being migrated). */
    record Redirect(RedisAddress to, boolean asking) {}

    private final RedisTopology topology;
    private final Probe probe;
    private final Map<RedisPools.ServerKey, RedisPools.ServerKey> masters = new ConcurrentHashMap<>();
    private final Map<RedisPools.ServerKey, RedisPools.ServerKey[]> slotTables = new ConcurrentHashMap<>();

    RedisRouter(RedisTopology topology, Probe probe) {
        this.topology = topology;
        this.probe = probe;
    }

    /** True when {@code address} is a declared Cluster (commands are routed per key). */
    boolean isCluster(RedisAddress address) {
        return topology.deployment(address).orElse(null) instanceof RedisTopology.Cluster;
    }

    /**
     * The server for a command on {@code address} whose key is {@code key} (null: keyless, any
     * node of a cluster).
     *
     * @throws RedisError other(...) when no sentinel or seed answers
     */
    RedisAddress route(RedisAddress address, byte[] key) {
        Optional<RedisTopology.Deployment> d = topology.deployment(address);
        if (d.isEmpty()) {
            return address;
        }
        if (d.get() instanceof RedisTopology.Sentinel s) {
            return at(address, masters.computeIfAbsent(s.address(), k -> askSentinels(s, address)));
        }
        RedisPools.ServerKey[] table = slotTable((RedisTopology.Cluster) d.get(), address);
        int slot = key == null ? ThreadLocalRandom.current().nextInt(SLOTS) : slot(key);
        RedisPools.ServerKey node = table[slot];
        if (node == null) {
            throw RedisError.other("redis cluster \"" + d.get().name() + "\": no node serves slot " + slot);
        }
        return at(address, node);
    }

    /** The command's key, as routing takes it: its first argument, if any. */
    static byte[] keyOf(List<byte[]> command) {
        return command.size() > 1 ? command.get(1) : null;
    }

    /** Every master of a cluster (for walks such as {@code SCAN}); the one server otherwise. */
    List<RedisAddress> everyMaster(RedisAddress address) {
        if (topology.deployment(address).orElse(null) instanceof RedisTopology.Cluster c) {
            Set<RedisPools.ServerKey> nodes = new LinkedHashSet<>();
            for (RedisPools.ServerKey n : slotTable(c, address)) {
                if (n != null) {
                    nodes.add(n);
                }
            }
            return nodes.stream().map(n -> at(address, n)).toList();
        }
        return List.of(route(address, null));
    }

    /**
     * What a reply says about where {@code address}'s data is now: a redirect to follow for
     * {@code MOVED} and {@code ASK} (a cluster) and {@code READONLY} (a Sentinel group whose master
     * was demoted), else empty. Learns from it either way.
     */
    Optional<Redirect> redirect(RedisAddress address, byte[] key, Reply reply) {
        if (!(reply instanceof Reply.Error e) || topology.deployment(address).isEmpty()) {
            return Optional.empty();
        }
        String m = e.message();
        boolean moved = m.startsWith("MOVED ");
        if (moved || m.startsWith("ASK ")) {
            String[] parts = m.split(" ");
            if (parts.length < 3) {
                return Optional.empty();
            }
            RedisPools.ServerKey node = node(parts[2]);
            if (moved) {
                // A slot moved: the table is out of date, read it again at the next route.
                slotTables.remove(address.serverKey());
            }
            return Optional.of(new Redirect(at(address, node), !moved));
        }
        if (m.startsWith("READONLY") && topology.deployment(address).get() instanceof RedisTopology.Sentinel) {
            masters.remove(address.serverKey());
            return Optional.of(new Redirect(route(address, key), false));
        }
        return Optional.empty();
    }

    /** A connection for {@code address} failed: ask the sentinels or seeds again next time. */
    void failed(RedisAddress address) {
        masters.remove(address.serverKey());
        slotTables.remove(address.serverKey());
    }

    private RedisPools.ServerKey[] slotTable(RedisTopology.Cluster c, RedisAddress address) {
        return slotTables.computeIfAbsent(c.address(), k -> askSeeds(c, address));
    }

    /**
     * Asks every sentinel and takes the master most of them name (the first named on a tie): right
     * after a failover the sentinels learn the new master one by one, and one that has not yet
     * must not send us back to the old one.
     */
    private RedisPools.ServerKey askSentinels(RedisTopology.Sentinel s, RedisAddress address) {
        List<String> failures = new ArrayList<>();
        Map<RedisPools.ServerKey, Integer> named = new java.util.LinkedHashMap<>();
        for (RedisPools.ServerKey sentinel : s.sentinels()) {
            try {
                Reply r = probe.ask(plain(sentinel), List.of(bytes("SENTINEL"), bytes("GET-MASTER-ADDR-BY-NAME"), bytes(s.masterName())));
                if (r instanceof Reply.Array a && a.items().size() == 2 && a.items().get(0) instanceof Reply.Bulk host
                        && a.items().get(1) instanceof Reply.Bulk port) {
                    named.merge(new RedisPools.ServerKey(text(host.bytes()), Integer.parseInt(text(port.bytes()))), 1, Integer::sum);
                } else {
                    failures.add(sentinel.host() + ":" + sentinel.port() + " " + describe(r));
                }
            } catch (RuntimeException e) {
                failures.add(sentinel.host() + ":" + sentinel.port() + " " + RedisPools.describe(e));
            }
        }
        return named.entrySet().stream().max(java.util.Comparator.comparingInt(Map.Entry::getValue)).map(Map.Entry::getKey)
                .orElseThrow(() -> RedisError.other("redis sentinel group \"" + s.name() + "\": no sentinel named a master for \""
                        + s.masterName() + "\" (" + String.join("; ", failures) + ")"));
    }

    private RedisPools.ServerKey[] askSeeds(RedisTopology.Cluster c, RedisAddress address) {
        List<String> failures = new ArrayList<>();
        for (RedisPools.ServerKey seed : c.seeds()) {
            try {
                Reply r = probe.ask(at(address, seed), List.of(bytes("CLUSTER"), bytes("SLOTS")));
                if (r instanceof Reply.Array ranges) {
                    RedisPools.ServerKey[] table = new RedisPools.ServerKey[SLOTS];
                    for (Reply range : ranges.items()) {
                        if (range instanceof Reply.Array a && a.items().size() >= 3 && a.items().get(0) instanceof Reply.Int from
                                && a.items().get(1) instanceof Reply.Int to && a.items().get(2) instanceof Reply.Array master
                                && master.items().size() >= 2 && master.items().get(0) instanceof Reply.Bulk host
                                && master.items().get(1) instanceof Reply.Int port) {
                            String h = text(host.bytes());
                            RedisPools.ServerKey node = new RedisPools.ServerKey(h.isEmpty() ? seed.host() : h, (int) port.value());
                            for (long slot = from.value(); slot <= to.value() && slot < SLOTS; slot++) {
                                table[(int) slot] = node;
                            }
                        }
                    }
                    return table;
                }
                failures.add(seed.host() + ":" + seed.port() + " " + describe(r));
            } catch (RuntimeException e) {
                failures.add(seed.host() + ":" + seed.port() + " " + RedisPools.describe(e));
            }
        }
        throw RedisError.other("redis cluster \"" + c.name() + "\": no seed answered CLUSTER SLOTS (" + String.join("; ", failures) + ")");
    }

    /** {@code address} (its user, password, database, TLS) at another server. */
    private static RedisAddress at(RedisAddress address, RedisPools.ServerKey server) {
        return new RedisAddress(address.url(), address.tls(), server.host(), server.port(), address.user(), address.password(),
                address.database());
    }

    /** A sentinel: plain TCP, no AUTH (sentinels keep no data). */
    private static RedisAddress plain(RedisPools.ServerKey sentinel) {
        return RedisAddress.of(dev.spindle.manifest.hosts.RedisUrl.parse("redis://" + hostForUrl(sentinel.host()) + ":" + sentinel.port()));
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static RedisPools.ServerKey node(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new RedisPools.ServerKey(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static String describe(Reply r) {
        return r instanceof Reply.Error e ? e.message() : "answered " + r.getClass().getSimpleName().toLowerCase();
    }

    /** The cluster slot of a key ({@code {hash tag}} rule included), by Jedis' own CRC16. */
    static int slot(byte[] key) {
        return JedisClusterCRC16.getSlot(key);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
