package dev.spindle.redis;

import dev.spindle.manifest.AppManifest;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.RuntimeConfig;
import dev.spindle.manifest.hosts.InvalidOutboundUrlException;
import dev.spindle.manifest.hosts.RedisUrl;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tomlj.TomlTable;

/**
 * Which Redis (address and key prefix) backs each key-value store label: the
 * {@code [key_value_store.<label>]} tables of Spin's runtime configuration file, plus the
 * {@code default} store, which works with no configuration at all.
 *
 * <pre>{@code
 * [key_value_store.default]
 * type = "redis"
 * url = "redis://cache.internal:6379/2"
 *
 * [key_value_store.sessions]
 * type = "redis"
 * url = "rediss://:{password}@sessions.internal:6380"
 * key_prefix = "myapp:sessions:"      # optional, Spindle's extension
 * }</pre>
 *
 * <p>Every label is a namespace: its keys live under a prefix, by default
 * {@code spindle:kv:<app name>:<label>:} (a {@code :} or {@code %} in the app name is
 * percent-encoded, so two apps never share a prefix), so two apps, or two labels on one Redis,
 * never see each other's keys. Two labels configured onto the same server, database and prefix
 * are refused. The runtime configuration is the operator's, not the guest's: store addresses are
 * not subject to {@code allowed_outbound_hosts}, as in Spin.
 *
 * <p>All parsing of the table is here, so it can move with the capability that owns it.
 */
public final class KeyValueConfig {
    /** The runtime-config table this reads. */
    public static final String TABLE = "key_value_store";
    /** The label every Spin app may use without configuring it. */
    public static final String DEFAULT_LABEL = "default";
    /**
     * Where the {@code default} store lives when the runtime config does not say: a Redis on
     * this machine's standard port (Spin keeps it in a SQLite file next to the manifest instead).
     */
    public static final String DEFAULT_STORE_URL = "redis://127.0.0.1:6379";

    /** One label's namespace. */
    record Store(String label, RedisAddress address, String keyPrefix) {
        /** Where it lives, for logs and {@code check}: never the password. */
        String describe() {
            return "Redis at " + address.redacted() + ", keys prefixed \"" + keyPrefix + "\"";
        }
    }

    private final Map<String, Store> stores;

    private KeyValueConfig(Map<String, Store> stores) {
        this.stores = Collections.unmodifiableMap(stores);
    }

    /** Only the {@code default} store, at {@link #DEFAULT_STORE_URL}. */
    public static KeyValueConfig defaults(String appName) {
        return parse(appName, RuntimeConfig.empty());
    }

    /**
     * @param appName the manifest's application name (part of the default key prefix)
     * @param config the runtime configuration; only its {@value #TABLE} table is read
     * @throws ManifestException naming file:line for an unknown type, a bad url, unknown fields or
     *     two labels sharing one namespace
     */
    public static KeyValueConfig parse(String appName, RuntimeConfig config) {
        return parse(appName, config, DEFAULT_STORE_URL);
    }

    /**
     * As {@link #parse(String, RuntimeConfig)}, with the {@code default} store at
     * {@code defaultStoreUrl} when the runtime config does not configure it.
     */
    public static KeyValueConfig parse(String appName, RuntimeConfig config, String defaultStoreUrl) {
        Map<String, Store> stores = new LinkedHashMap<>();
        TomlTable table = config.table(TABLE).orElse(null);
        if (table != null) {
            for (String label : table.keySet()) {
                if (!(table.get(List.of(label)) instanceof TomlTable store)) {
                    throw config.error(List.of(TABLE, label),
                            "[" + TABLE + "." + label + "] must be a table with type = \"redis\" and url = \"redis://...\"");
                }
                stores.put(label, store(appName, label, store, config));
            }
        }
        if (!stores.containsKey(DEFAULT_LABEL)) {
            RedisAddress address = RedisAddress.of(RedisUrl.parse(defaultStoreUrl));
            stores.put(DEFAULT_LABEL, new Store(DEFAULT_LABEL, address, defaultPrefix(appName, DEFAULT_LABEL)));
        }
        Map<String, String> namespaces = new LinkedHashMap<>();
        for (Store s : stores.values()) {
            RedisAddress.PoolKey key = s.address().poolKey();
            String namespace = key.host() + ":" + key.port() + "/" + key.database() + " " + s.keyPrefix();
            String other = namespaces.putIfAbsent(namespace, s.label());
            if (other != null) {
                throw config.error(List.of(TABLE, s.label()), "key-value stores \"" + other + "\" and \"" + s.label()
                        + "\" would share one Redis namespace (" + s.describe() + "); give one of them another key_prefix,"
                        + " database or server");
            }
        }
        return new KeyValueConfig(stores);
    }

    /**
     * True when a component of the app lists the {@code default} store and the runtime config
     * does not say where it lives, so it is the Redis at the default address: what decides, at
     * startup, whether Spindle needs a local Redis for key-value (issue 15's embedded Redis).
     */
    public static boolean usesImplicitDefault(AppManifest manifest, RuntimeConfig config) {
        boolean listed = manifest.components().values().stream().anyMatch(c -> c.keyValueStores().contains(DEFAULT_LABEL));
        boolean configured = config.table(TABLE).map(t -> t.contains(List.of(DEFAULT_LABEL))).orElse(false);
        return listed && !configured;
    }

    private static Store store(String appName, String label, TomlTable t, RuntimeConfig config) {
        String ctx = "[" + TABLE + "." + label + "]";
        List<String> at = List.of(TABLE, label);
        for (String key : t.keySet()) {
            if (!Set.of("type", "url", "key_prefix").contains(key)) {
                throw config.error(List.of(TABLE, label, key), ctx + ": unknown field \"" + key
                        + "\" (a redis store takes type, url and Spindle's key_prefix)");
            }
        }
        if (!(t.get("type") instanceof String typeName)) {
            throw config.error(at, ctx + ": missing type; write type = \"redis\"");
        }
        if (!typeName.equals("redis")) {
            throw config.error(List.of(TABLE, label, "type"), ctx + ": store type \"" + typeName
                    + "\" is not supported by Spindle (supported: \"redis\"; Spin's \"spin\" SQLite store is not available)");
        }
        if (!(t.get("url") instanceof String url)) {
            throw config.error(at, ctx + ": missing url; write url = \"redis://host:port\"");
        }
        List<String> urlAt = List.of(TABLE, label, "url");
        RedisAddress address;
        try {
            // The one Redis address parse, as for a guest's open; the message hides the userinfo.
            address = RedisAddress.of(RedisUrl.parse(url));
        } catch (InvalidOutboundUrlException e) {
            throw config.error(urlAt, ctx + ": url " + e.getMessage());
        }
        String prefix = defaultPrefix(appName, label);
        Object p = t.get("key_prefix");
        if (p != null) {
            if (!(p instanceof String s) || s.isEmpty()) {
                throw config.error(List.of(TABLE, label, "key_prefix"), ctx + ": key_prefix must be a non-empty string");
            }
            prefix = s;
        }
        return new Store(label, address, prefix);
    }

    /** {@code spindle:kv:<app>:<label>:}, with {@code %} and {@code :} in the app name percent-encoded. */
    static String defaultPrefix(String appName, String label) {
        String app = appName.replace("%", "%25").replace(":", "%3A");
        return "spindle:kv:" + app + ":" + label + ":";
    }


    /** The store of a label, if one is configured ({@code default} always is). */
    Optional<Store> store(String label) {
        return Optional.ofNullable(stores.get(label));
    }

    /**
     * The server a label's data lives on, if the label is configured: the seam through which
     * {@code spindle run} starts an embedded Redis for a loopback store (docs/operations.md).
     */
    public Optional<RedisUrl> url(String label) {
        return store(label).map(s -> RedisUrl.of(s.address().url()));
    }

    /** Every configured label. */
    public Set<String> labels() {
        return stores.keySet();
    }

    /** Where a label's data lives, for logs and {@code spindle check}; empty when it is not configured. */
    public Optional<String> describe(String label) {
        return store(label).map(Store::describe);
    }
}
