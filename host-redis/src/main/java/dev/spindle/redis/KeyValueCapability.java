package dev.spindle.redis;

import dev.spindle.host.CapabilityProvider;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostCapability;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.abi.InstanceScope;
import dev.spindle.host.abi.WitInterface;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Spin's key-value store, on Redis: the three key-value interfaces ({@link KeyValueInterfaces})
 * over the stores of {@link KeyValueConfig}, for one app.
 *
 * <p>It owns its own connection pools (with the same {@link RedisOptions} as outbound Redis, so
 * {@code --redis-tls-ca} and the limits apply alike); an open store holds no connection, each
 * operation borrows one. Binding does no I/O.
 */
public final class KeyValueCapability implements HostCapability {
    private final KeyValueConfig config;
    private final Map<String, Set<String>> labelsByComponent;
    private final RedisOptions options;
    private final RedisPools pools;

    /**
     * @param labelsByComponent each component's {@code key_value_stores}; a component not named
     *     here may open nothing
     */
    KeyValueCapability(KeyValueConfig config, Map<String, Set<String>> labelsByComponent, RedisClientSettings settings) {
        this.config = Objects.requireNonNull(config, "config");
        this.labelsByComponent = Map.copyOf(labelsByComponent);
        this.options = settings.options();
        this.pools = new RedisPools(settings, "key-value");
    }

    /** The key-value capability for {@code SpindleOptions.Builder.capability}, with these Redis options. */
    public static CapabilityProvider provider(RedisOptions options) {
        return new KeyValueCapabilityProvider(options, KeyValueConfig.DEFAULT_STORE_URL);
    }

    /** The three key-value interfaces, as declared (for documentation and tools). */
    public static List<WitInterface<?>> interfaces() {
        return List.copyOf(KeyValueInterfaces.ALL);
    }

    /** Where each label's data lives (for logs and {@code spindle check}). */
    public KeyValueConfig config() {
        return config;
    }

    @Override
    public InstanceBinding bind(ComponentContext component, InstanceScope scope) {
        KeyValueHandles handles = new KeyValueHandles(component, labelsByComponent.getOrDefault(component.componentId(), Set.of()),
                config, pools, options, scope.resources());
        KeyValueInterfaces.Instance instance = new KeyValueInterfaces.Instance(handles);
        // Both kinds of store live in the instance's resource table.
        return InstanceBinding.of(WitInterface.bindAll(KeyValueInterfaces.ALL, null, instance, scope));
    }

    /** Connections open to the stores' servers, idle and in use (for tests). */
    public int openConnections() {
        return pools.openConnections();
    }

    @Override
    public void close() {
        pools.close();
    }
}
