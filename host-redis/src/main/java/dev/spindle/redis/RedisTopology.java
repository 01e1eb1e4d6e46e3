package dev.spindle.redis;

import dev.spindle.manifest.RuntimeConfig;
import dev.spindle.manifest.hosts.InvalidOutboundUrlException;
import dev.spindle.manifest.hosts.RedisUrl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * The Redis deployments an operator declares in the runtime config: a Redis Cluster by its seed
 * nodes, a Sentinel group by its sentinels and master name, each under the address guests,
 * manifests and key-value stores name it by.
 *
 * <pre>{@code
 * [redis_cluster.cache]
 * address = "redis://cache.internal:6379"       # what guests open; allowed_outbound_hosts names it
 * seeds = ["redis://10.0.0.1:7000", "redis://10.0.0.2:7000"]
 *
 * [redis_sentinel.sessions]
 * address = "redis://sessions.internal:6379"
 * sentinels = ["redis://10.0.0.5:26379", "redis://10.0.0.6:26379", "redis://10.0.0.7:26379"]
 * master_name = "mymaster"
 * }</pre>
 *
 * <p>A guest's address matches a deployment by host and port; its user, password, database and
 * scheme still apply to the data nodes. The guest's address is what {@code allowed_outbound_hosts}
 * checks: the seeds, sentinels and the nodes they name are the operator's, as key-value store
 * urls are. All parsing of these two tables is here.
 */
final class RedisTopology {
    static final String CLUSTER_TABLE = "redis_cluster";
    static final String SENTINEL_TABLE = "redis_sentinel";

    /** A declared deployment, by the address guests name. */
    sealed interface Deployment permits Cluster, Sentinel {
        String name();

        RedisPools.ServerKey address();
    }

    /** A Redis Cluster: any reachable seed answers {@code CLUSTER SLOTS}. */
    record Cluster(String name, RedisPools.ServerKey address, List<RedisPools.ServerKey> seeds) implements Deployment {}

    /** A Sentinel group: the first sentinel that answers names the current master. */
    record Sentinel(String name, RedisPools.ServerKey address, List<RedisPools.ServerKey> sentinels, String masterName)
            implements Deployment {}

    private static final RedisTopology NONE = new RedisTopology(Map.of());

    private final Map<RedisPools.ServerKey, Deployment> byAddress;

    private RedisTopology(Map<RedisPools.ServerKey, Deployment> byAddress) {
        this.byAddress = Map.copyOf(byAddress);
    }

    /** No declared deployments: every address is one server. */
    static RedisTopology none() {
        return NONE;
    }

    /**
     * Reads {@code [redis_cluster.<name>]} and {@code [redis_sentinel.<name>]}.
     *
     * @throws dev.spindle.manifest.ManifestException naming file:line for a missing or bad field,
     *     an unknown field, or two deployments under one address
     */
    static RedisTopology parse(RuntimeConfig config) {
        Map<RedisPools.ServerKey, Deployment> out = new LinkedHashMap<>();
        for (String table : List.of(CLUSTER_TABLE, SENTINEL_TABLE)) {
            TomlTable t = config.table(table).orElse(null);
            if (t == null) {
                continue;
            }
            for (String name : t.keySet()) {
                List<String> at = List.of(table, name);
                if (!(t.get(List.of(name)) instanceof TomlTable d)) {
                    throw config.error(at, "[" + table + "." + name + "] must be a table");
                }
                Deployment deployment = table.equals(CLUSTER_TABLE) ? cluster(name, d, config) : sentinel(name, d, config);
                Deployment other = out.putIfAbsent(deployment.address(), deployment);
                if (other != null) {
                    throw config.error(List.of(table, name, "address"), "[" + table + "." + name + "]: address "
                            + deployment.address().host() + ":" + deployment.address().port() + " is already declared by \""
                            + other.name() + "\"");
                }
            }
        }
        return out.isEmpty() ? NONE : new RedisTopology(out);
    }

    private static Cluster cluster(String name, TomlTable t, RuntimeConfig config) {
        String ctx = "[" + CLUSTER_TABLE + "." + name + "]";
        known(t, Set.of("address", "seeds"), ctx, List.of(CLUSTER_TABLE, name), config);
        return new Cluster(name, address(t, ctx, List.of(CLUSTER_TABLE, name), config),
                servers(t, "seeds", ctx, List.of(CLUSTER_TABLE, name), config));
    }

    private static Sentinel sentinel(String name, TomlTable t, RuntimeConfig config) {
        String ctx = "[" + SENTINEL_TABLE + "." + name + "]";
        List<String> at = List.of(SENTINEL_TABLE, name);
        known(t, Set.of("address", "sentinels", "master_name"), ctx, at, config);
        if (!(t.get("master_name") instanceof String master) || master.isEmpty()) {
            throw config.error(at, ctx + ": missing master_name (the name the sentinels monitor the master by)");
        }
        return new Sentinel(name, address(t, ctx, at, config), servers(t, "sentinels", ctx, at, config), master);
    }

    private static void known(TomlTable t, Set<String> fields, String ctx, List<String> at, RuntimeConfig config) {
        for (String key : t.keySet()) {
            if (!fields.contains(key)) {
                List<String> path = new ArrayList<>(at);
                path.add(key);
                throw config.error(path, ctx + ": unknown field \"" + key + "\" (known: " + String.join(", ", fields.stream().sorted().toList()) + ")");
            }
        }
    }

    private static RedisPools.ServerKey address(TomlTable t, String ctx, List<String> at, RuntimeConfig config) {
        if (!(t.get("address") instanceof String a)) {
            throw config.error(at, ctx + ": missing address (the redis://host:port guests open)");
        }
        return server(a, ctx + ": address", append(at, "address"), config);
    }

    private static List<RedisPools.ServerKey> servers(TomlTable t, String field, String ctx, List<String> at, RuntimeConfig config) {
        if (!(t.get(field) instanceof TomlArray array) || array.isEmpty()) {
            throw config.error(at, ctx + ": missing " + field + " (a non-empty list of \"redis://host:port\")");
        }
        List<RedisPools.ServerKey> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof String s)) {
                throw config.error(append(at, field), ctx + ": " + field + " must be strings \"redis://host:port\"");
            }
            out.add(server(s, ctx + ": " + field + " entry", append(at, field), config));
        }
        return List.copyOf(out);
    }

    private static RedisPools.ServerKey server(String url, String what, List<String> at, RuntimeConfig config) {
        try {
            RedisUrl parsed = RedisUrl.parse(url);
            return new RedisPools.ServerKey(parsed.host(), parsed.port());
        } catch (InvalidOutboundUrlException e) {
            throw config.error(at, what + " " + e.getMessage());
        }
    }

    private static List<String> append(List<String> at, String key) {
        List<String> path = new ArrayList<>(at);
        path.add(key);
        return path;
    }

    /** The deployment a guest's address names, if the operator declared one there. */
    Optional<Deployment> deployment(RedisAddress address) {
        return byAddress.isEmpty() ? Optional.empty() : Optional.ofNullable(byAddress.get(address.serverKey()));
    }

    boolean isEmpty() {
        return byAddress.isEmpty();
    }
}
