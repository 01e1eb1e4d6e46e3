package dev.spindle.redis;

import dev.spindle.host.CapabilityProvider;
import dev.spindle.host.CapabilitySetup;
import dev.spindle.host.HostCapability;
import dev.spindle.manifest.RuntimeConfig;
import dev.spindle.manifest.hosts.RedisUrl;
import java.time.Duration;
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
    /** Spindle's runtime-config table for cron ticks shared between replicas. */
    static final String LEASE_TABLE = "cron_lease";
    /** How long a tick's lease key lives unless {@code ttl_ms} says otherwise. */
    static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(60);

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
        return Set.of(TABLE, RedisTopology.CLUSTER_TABLE, RedisTopology.SENTINEL_TABLE, LEASE_TABLE);
    }

    /** @throws IllegalArgumentException when the TLS CA file cannot be read or holds no certificate */
    @Override
    public HostCapability create(CapabilitySetup setup) {
        RedisClientSettings settings = RedisClientSettings.create(withRuntimeConfig(options, setup.runtimeConfig()))
                .withTopology(RedisTopology.parse(setup.runtimeConfig()));
        return RedisCapability.create(settings, leases(setup, settings));
    }

    /**
     * {@code [cron_lease]}: {@code url} (default: the app's {@code [application.trigger.redis]
     * address}, resolved) and {@code ttl_ms} (default 60000). Without the table there are no leases.
     *
     * @throws dev.spindle.manifest.ManifestException naming the key for a bad value
     */
    static RedisTickLeases leases(CapabilitySetup setup, RedisClientSettings settings) {
        RuntimeConfig config = setup.runtimeConfig();
        TomlTable table = config.table(LEASE_TABLE).orElse(null);
        if (table == null) {
            return null;
        }
        for (String key : table.keySet()) {
            if (!key.equals("url") && !key.equals("ttl_ms")) {
                throw config.error(List.of(LEASE_TABLE, key), "unknown key `" + key + "` in [" + LEASE_TABLE + "] (known: url, ttl_ms)");
            }
        }
        Duration ttl = DEFAULT_LEASE_TTL;
        Object t = table.get(List.of("ttl_ms"));
        if (t != null) {
            if (!(t instanceof Long ms) || ms < 1000 || ms > 86_400_000L) {
                throw config.error(List.of(LEASE_TABLE, "ttl_ms"), "[" + LEASE_TABLE + "] ttl_ms must be an integer from 1000"
                        + " to 86400000 (ms), got " + t);
            }
            ttl = Duration.ofMillis(ms);
        }
        String url;
        Object u = table.get(List.of("url"));
        if (u != null) {
            if (!(u instanceof String s)) {
                throw config.error(List.of(LEASE_TABLE, "url"), "[" + LEASE_TABLE + "] url must be a string such as \"redis://host:6379\"");
            }
            url = s;
        } else {
            var address = setup.manifest().application().redisAddress().orElseThrow(() -> config.error(List.of(LEASE_TABLE),
                    "[" + LEASE_TABLE + "] needs url = \"redis://...\": the app has no [application.trigger.redis] address to use"));
            url = setup.variables().resolve(address);
        }
        try {
            return new RedisTickLeases(RedisUrl.parse(url), ttl, settings);
        } catch (RuntimeException e) {
            throw config.error(u != null ? List.of(LEASE_TABLE, "url") : List.of(LEASE_TABLE), "[" + LEASE_TABLE + "] url: " + e.getMessage());
        }
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
