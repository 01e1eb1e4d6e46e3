package dev.spindle.redis;

import dev.spindle.host.CapabilityProvider;
import dev.spindle.host.CapabilitySetup;
import dev.spindle.host.HostCapability;
import dev.spindle.manifest.ComponentConfig;
import dev.spindle.manifest.ManifestException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Key-value on Redis as a capability of every app: reads the {@code [key_value_store.<label>]}
 * tables of the runtime config ({@link KeyValueConfig}) and each component's
 * {@code key_value_stores}. As in Spin, a component listing a label no store is configured for
 * refuses the app at load (the {@code default} label is always configured).
 */
public final class KeyValueCapabilityProvider implements CapabilityProvider {
    /** The provider's name; an added provider of this name replaces the default one. */
    public static final String NAME = "key-value";

    private final RedisOptions options;
    private final String defaultStoreUrl;

    /**
     * With {@link RedisOptions#defaults()}, and the {@code default} store at
     * {@link KeyValueConfig#DEFAULT_STORE_URL} unless configured (what {@link java.util.ServiceLoader} calls).
     */
    public KeyValueCapabilityProvider() {
        this(RedisOptions.defaults(), KeyValueConfig.DEFAULT_STORE_URL);
    }

    KeyValueCapabilityProvider(RedisOptions options, String defaultStoreUrl) {
        this.options = Objects.requireNonNull(options, "options");
        this.defaultStoreUrl = Objects.requireNonNull(defaultStoreUrl, "defaultStoreUrl");
    }

    /**
     * A provider whose {@code default} store, when the runtime config does not configure one,
     * lives at {@code url} instead of {@link KeyValueConfig#DEFAULT_STORE_URL}: the seam for a
     * Redis that Spindle starts itself (issue 15's embedded Redis) or an embedder's own. Add it
     * with {@code SpindleOptions.Builder.capability}; it replaces the built-in provider.
     */
    public static KeyValueCapabilityProvider withDefaultStore(String url) {
        return new KeyValueCapabilityProvider(RedisOptions.defaults(), url);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> runtimeConfigTables() {
        return Set.of(KeyValueConfig.TABLE);
    }

    /**
     * @throws ManifestException for a bad {@code [key_value_store]} table, or a component's label
     *     that no store is configured for (naming the component's file:line)
     */
    @Override
    public HostCapability create(CapabilitySetup setup) {
        KeyValueConfig config = KeyValueConfig.parse(setup.manifest().application().name(), setup.runtimeConfig(), defaultStoreUrl);
        Map<String, Set<String>> labels = new LinkedHashMap<>();
        for (ComponentConfig c : setup.manifest().components().values()) {
            for (String label : c.keyValueStores()) {
                if (config.describe(label).isEmpty()) {
                    throw new ManifestException(c.location(), "component \"" + c.id() + "\": key_value_stores: no store \""
                            + label + "\" is configured; add [" + KeyValueConfig.TABLE + "." + label + "] with type = \"redis\" and"
                            + " url = \"redis://...\" to the runtime config (--runtime-config-file), or use \""
                            + KeyValueConfig.DEFAULT_LABEL + "\"");
                }
            }
            labels.put(c.id(), new LinkedHashSet<>(c.keyValueStores()));
        }
        // The Cluster and Sentinel tables belong to the Redis capability (it claims them); a store
        // whose url names a declared deployment is routed as a guest's open of that address is.
        return new KeyValueCapability(config, labels, RedisClientSettings.create(options)
                .withTopology(RedisTopology.parse(setup.runtimeConfig())));
    }
}
