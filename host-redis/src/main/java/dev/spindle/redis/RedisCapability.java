package dev.spindle.redis;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostCapability;
import dev.spindle.host.HostImport;
import dev.spindle.host.InstanceBinding;
import java.util.List;
import java.util.Objects;

/**
 * Outbound Redis for guests: {@code fermyon:spin/redis@2.0.0}.
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
public final class RedisCapability implements HostCapability {

    private final RedisOptions options;
    private final RedisPools pools;

    private RedisCapability(RedisOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.pools = new RedisPools(options);
    }

    /** With {@link RedisOptions#defaults()}. */
    public static RedisCapability create() {
        return create(RedisOptions.defaults());
    }

    public static RedisCapability create(RedisOptions options) {
        return new RedisCapability(options);
    }

    public RedisOptions options() {
        return options;
    }

    @Override
    public InstanceBinding bind(ComponentContext component) {
        Objects.requireNonNull(component, "component");
        RedisConnections connections = new RedisConnections(component, pools, options);
        List<HostImport> imports = SpinRedisInterface.imports(connections);
        return new InstanceBinding() {
            @Override
            public List<HostImport> imports() {
                return imports;
            }

            @Override
            public void close() {
                connections.closeAll();
            }
        };
    }

    /** Connections currently open to Redis servers, idle and in use, across all pools. */
    public int openConnections() {
        return pools.openConnections();
    }

    @Override
    public void close() {
        pools.close();
    }
}
