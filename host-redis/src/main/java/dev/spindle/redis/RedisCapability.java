package dev.spindle.redis;

import dev.spindle.manifest.hosts.RedisUrl;
import redis.clients.jedis.HostAndPort;
import dev.spindle.host.CapabilityProvider;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostCapability;
import dev.spindle.host.HostImport;
import dev.spindle.host.HostLog;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.MessageStreams;
import dev.spindle.host.MessageSubscriber;
import dev.spindle.host.TickLeases;
import dev.spindle.host.abi.InstanceScope;
import dev.spindle.host.abi.WitInterface;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Outbound Redis for guests: {@code fermyon:spin/redis@2.0.0} and Spindle's
 * {@code spindle:redis/extended@0.1.0}, on one handle table per instance, and Spin 1.x's
 * {@code outbound-redis} and unversioned {@code fermyon:spin/redis} ({@link LegacyRedisInterface}).
 *
 * <p>One per app (or per engine): it owns the connection pools, which all instances of all
 * components share. {@link #bind} gives each instance its own handle table and does no I/O;
 * closing the binding returns every connection the instance still holds. Closing the capability
 * closes the pools.
 *
 * <pre>{@code
 * RedisCapability redis = RedisCapability.create();          // or create(RedisOptions...)
 * InstanceBinding binding = redis.bind(new ComponentContext(id, allowedHosts, log));
 * binding.imports()  // HostImports -> toHostFunction() -> ImportValues
 * ...
 * binding.close();   // end of invocation
 * redis.close();     // shutdown
 * }</pre>
 */
public final class RedisCapability implements HostCapability, MessageSubscriber, MessageStreams, TickLeases {

    private final RedisOptions options;
    private final RedisClientSettings settings;
    private final RedisPools pools;
    /** Every interface {@link #bind} offers, in the order it lists their functions. */
    private static final List<WitInterface<RedisConnections>> BOUND = List.of(SpinRedisInterface.INTERFACE,
            ExtendedRedisInterface.INTERFACE, LegacyRedisInterface.LEGACY, LegacyRedisInterface.UNVERSIONED);

    private final RedisConnections.PermittedAddresses permitted = new RedisConnections.PermittedAddresses();
    /** The cron tick leases of {@code [cron_lease]}; null without one. */
    private final RedisTickLeases leases;

    private RedisCapability(RedisClientSettings settings, RedisTickLeases leases) {
        this.options = settings.options();
        this.settings = settings;
        this.pools = new RedisPools(settings, "redis");
        this.leases = leases;
    }

    /**
     * The Redis capability for {@code SpindleOptions.Builder.capability}, with these options in
     * place of the defaults (e.g. a TLS CA file).
     */
    public static CapabilityProvider provider(RedisOptions options) {
        return new RedisCapabilityProvider(options);
    }

    /** With {@link RedisOptions#defaults()}. */
    public static RedisCapability create() {
        return create(RedisOptions.defaults());
    }

    /**
     * @throws IllegalArgumentException when {@link RedisOptions#tlsCaFile()} cannot be read or holds
     *     no certificate
     */
    public static RedisCapability create(RedisOptions options) {
        return create(RedisClientSettings.create(options));
    }

    /** With client settings shared with other Redis users of the app (the Redis trigger). */
    public static RedisCapability create(RedisClientSettings settings) {
        return new RedisCapability(Objects.requireNonNull(settings, "settings"), null);
    }

    /** With cron tick leases in Redis ({@code [cron_lease]} of the runtime config). */
    static RedisCapability create(RedisClientSettings settings, RedisTickLeases leases) {
        return new RedisCapability(Objects.requireNonNull(settings, "settings"), leases);
    }

    @Override
    public boolean configured() {
        return leases != null;
    }

    @Override
    public String describe() {
        return leases == null ? "none" : leases.describe();
    }

    /** @throws IllegalStateException when no {@code [cron_lease]} is configured, or one line when Redis cannot be reached */
    @Override
    public boolean acquire(String key, String holder) {
        if (leases == null) {
            throw new IllegalStateException("no [cron_lease] in the runtime config");
        }
        return leases.acquire(key, holder);
    }

    public RedisOptions options() {
        return options;
    }

    /** How this capability connects (timeouts, TLS trust); the Redis trigger's subscribers connect the same way. */
    public RedisClientSettings settings() {
        return settings;
    }

    /**
     * Binds the interfaces to one instance. Their connections live in the instance's shared
     * resource table, which the engine closes when the invocation ends.
     */
    @Override
    public InstanceBinding bind(ComponentContext component, InstanceScope scope) {
        return bind(component, scope, null);
    }

    /**
     * Binds only the interfaces among {@code importedModules} (null: all): an engine binds once per
     * invocation, and a guest imports one or two of the four.
     */
    @Override
    public InstanceBinding bind(ComponentContext component, InstanceScope scope, java.util.Set<String> importedModules) {
        Objects.requireNonNull(component, "component");
        RedisConnections connections = new RedisConnections(component, pools, options, scope.resources(), permitted);
        // One table: a handle from Spin's open works with the extended functions too. The
        // address-per-call interfaces of Spin 1.x use a connection of the same table per call.
        // The engine closes the scope's table, and with it every connection.
        return InstanceBinding.of(WitInterface.bindAll(BOUND, importedModules, connections, scope));
    }

    /**
     * The Redis trigger's address, read as {@link #subscribe} reads it.
     *
     * @throws IllegalArgumentException for anything the one Redis address parse,
     *     {@link dev.spindle.manifest.hosts.RedisUrl#parse}, refuses (as a guest's {@code open} does)
     */
    @Override
    public void checkAddress(String address) {
        RedisSubscriber.parse(address);
    }

    /** A pub/sub connection with this capability's settings (TLS trust), its own short timeouts and reconnects. */
    @Override
    public Subscription subscribe(String address, List<String> channels, BiConsumer<String, byte[]> onMessage, HostLog log) {
        RedisUrl url = RedisSubscriber.parse(address);
        RedisAddress opened = RedisAddress.of(url);
        // A Cluster's messages reach every node (any one will do); a Sentinel group's, its master.
        return new RedisSubscriber(url, channels, onMessage, log, settings, () -> {
            RedisAddress server = pools.router().route(opened, null);
            return new HostAndPort(server.host(), server.port());
        }, () -> pools.router().failed(opened));
    }

    /**
     * A consumer-group member on a connection of its own, with this capability's settings (TLS
     * trust) and short timeouts (the streams trigger's transport).
     */
    @Override
    public StreamConsumer consumer(String address, String stream, String group, String consumer) {
        RedisUrl url = RedisSubscriber.parse(address);
        RedisAddress opened = RedisAddress.of(url);
        byte[] key = stream.getBytes(StandardCharsets.UTF_8); // a stream is one key: one slot, one node
        return new RedisStreamConsumer(url, stream, group, consumer, settings, () -> {
            RedisAddress server = pools.router().route(opened, key);
            return new HostAndPort(server.host(), server.port());
        }, () -> pools.router().failed(opened));
    }

    /**
     * Binds to an instance of its own (embedders and tests without an engine): closing the binding
     * closes the connections.
     */
    @Override
    public InstanceBinding bind(ComponentContext component) {
        InstanceScope scope = new InstanceScope();
        return InstanceBinding.of(bind(component, scope).imports(), scope::close);
    }

    /** The interfaces this capability implements, as declared (for documentation and tools). */
    public static List<WitInterface<?>> interfaces() {
        return List.of(SpinRedisInterface.INTERFACE, ExtendedRedisInterface.INTERFACE);
    }

    /** The pre-2.0 Redis interfaces it also serves: wit-bindgen 0.2's {@code outbound-redis} and unversioned {@code fermyon:spin/redis}. */
    public static List<WitInterface<?>> legacyInterfaces() {
        return List.of(LegacyRedisInterface.LEGACY, LegacyRedisInterface.UNVERSIONED);
    }

    /** Connections currently open to Redis servers, idle and in use, across all pools. */
    public int openConnections() {
        return pools.openConnections();
    }

    /** The connection pools behind this capability (for tests in this package). */
    RedisPools pools() {
        return pools;
    }

    @Override
    public void close() {
        pools.close();
        if (leases != null) {
            leases.close();
        }
    }
}
