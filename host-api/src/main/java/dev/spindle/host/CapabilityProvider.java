package dev.spindle.host;

import java.util.Set;

/**
 * Makes one host capability for each loaded app: the unit an interface (Redis, variables,
 * key-value, an embedder's own host functions) plugs into the engine through.
 *
 * <p>The engine uses the providers found with {@link java.util.ServiceLoader} (a module lists
 * its provider in {@code META-INF/services/dev.spindle.host.CapabilityProvider}, as
 * {@code spindle-host-redis} does for Redis) plus the ones added through {@code
 * SpindleOptions.Builder.capability}; an added provider replaces a found one with the same
 * {@link #name()}, which is how a capability gets options other than its defaults
 * ({@code capability(RedisCapability.provider(options))}).
 */
public interface CapabilityProvider {

    /** A short unique name, e.g. {@code redis}, {@code variables}, {@code key-value}. */
    String name();

    /**
     * The top-level tables of the runtime configuration file this capability reads, e.g.
     * {@code key_value_store}. A table no capability claims is refused at load, naming it.
     */
    default Set<String> runtimeConfigTables() {
        return Set.of();
    }

    /**
     * Creates the capability for one app, once per load; it is closed when the app closes. Reads
     * the capability's runtime-config tables from the setup; must not connect anywhere yet.
     *
     * @throws dev.spindle.manifest.ManifestException for a bad runtime-config table (naming file:line)
     * @throws IllegalArgumentException for unusable options (one line saying which)
     */
    HostCapability create(CapabilitySetup setup);
}
