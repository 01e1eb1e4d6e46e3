package dev.spindle.redis;

import dev.spindle.host.CapabilityProvider;
import dev.spindle.host.CapabilitySetup;
import dev.spindle.host.HostCapability;
import dev.spindle.manifest.RuntimeConfig;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.tomlj.TomlTable;

/**
 * Outbound Redis as a capability of every app: {@link RedisCapability} with these options, and
 * the {@code [outbound_redis]} table of Spin's runtime config ({@code max_connections}). The
 * engine finds the default one ({@link RedisOptions#defaults()}) through {@link
 * java.util.ServiceLoader}; {@link RedisCapability#provider(RedisOptions)} makes one with other
 * options.
 */
public final class RedisCapabilityProvider implements CapabilityProvider {
    /** The provider's name; an added provider of this name replaces the default Redis capability. */
    public static final String NAME = "redis";
    /** Spin's runtime-config table for outbound Redis. */
    static final String TABLE = "outbound_redis";

    private final RedisOptions options;

    /** With {@link RedisOptions#defaults()} (what {@link java.util.ServiceLoader} calls). */
    public RedisCapabilityProvider() {
        this(RedisOptions.defaults());
    }

    RedisCapabilityProvider(RedisOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> runtimeConfigTables() {
        return Set.of(TABLE, RedisTopology.CLUSTER_TABLE, RedisTopology.SENTINEL_TABLE);
    }

    /** @throws IllegalArgumentException when the TLS CA file cannot be read or holds no certificate */
    @Override
    public HostCapability create(CapabilitySetup setup) {
        return RedisCapability.create(RedisClientSettings.create(withRuntimeConfig(options, setup.runtimeConfig()))
                .withTopology(RedisTopology.parse(setup.runtimeConfig())));
    }

    /**
     * {@code [outbound_redis] max_connections = N} caps the connections to each server (across
     * user names and databases): Spin caps them app-wide, which is the same for an app with one
     * Redis server. Unknown keys are refused, as Spin does.
     */
    static RedisOptions withRuntimeConfig(RedisOptions options, RuntimeConfig config) {
        TomlTable table = config.table(TABLE).orElse(null);
        if (table == null) {
            return options;
        }
        for (String key : table.keySet()) {
            if (!key.equals("max_connections")) {
                throw config.error(List.of(TABLE, key), "unknown key `" + key + "` in [" + TABLE + "] (known: max_connections)");
            }
        }
        Object max = table.get(List.of("max_connections"));
        if (!(max instanceof Long n) || n < 1 || n > Integer.MAX_VALUE) {
            throw config.error(List.of(TABLE, "max_connections"), "[" + TABLE + "] max_connections must be a positive integer, got " + max);
        }
        return options.withMaxConnectionsPerServer((int) (long) n);
    }
}
