package dev.spindle.redis.embedded;

import dev.spindle.manifest.AppManifest;
import dev.spindle.manifest.ComponentConfig;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.RedisTrigger;
import dev.spindle.manifest.Template;
import dev.spindle.manifest.TriggerConfig;
import dev.spindle.manifest.VariableResolver;
import dev.spindle.manifest.hosts.InvalidOutboundUrlException;
import dev.spindle.manifest.hosts.RedisUrl;
import dev.spindle.redis.KeyValueConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The loopback Redis servers an app's resolved configuration names, found once at startup:
 * <ul>
 *   <li>the value of every application variable and every component variable that is a Redis URL
 *       (how Spin apps pass a guest its address, e.g. {@code redis_address});
 *   <li>every Redis trigger's address (or {@code [application.trigger.redis] address});
 *   <li>the server of every key-value store a component lists ({@code default} included).
 * </ul>
 * Never what a guest opens at run time: a guest cannot make Spindle start a server. Values that
 * are not Redis URLs, {@code rediss://} URLs and non-loopback hosts are left out; the first
 * mention of a {@code host:port} wins (its source is the one named in the startup line).
 */
public final class LocalRedisAddresses {
    private LocalRedisAddresses() {}

    /**
     * @param keyValue the app's key-value stores; empty when the key-value capability is not loaded
     */
    public static List<LocalRedisAddress> of(AppManifest manifest, VariableResolver variables, Optional<KeyValueConfig> keyValue) {
        Map<String, LocalRedisAddress> found = new LinkedHashMap<>();
        for (String name : manifest.variables().keySet()) {
            variables.value(name).ifPresent(v -> add(found, v, "variable " + name));
        }
        for (ComponentConfig c : manifest.components().values()) {
            for (Map.Entry<String, Template> v : c.variables().entrySet()) {
                resolved(variables, v.getValue()).ifPresent(value -> add(found, value, "component " + c.id() + " variable " + v.getKey()));
            }
        }
        for (TriggerConfig t : manifest.triggers()) {
            if (t instanceof RedisTrigger r) {
                r.address().or(() -> manifest.application().redisAddress())
                        .flatMap(a -> resolved(variables, a))
                        .ifPresent(a -> add(found, a, "redis trigger " + r.id()));
            }
        }
        keyValue.ifPresent(kv -> {
            for (ComponentConfig c : manifest.components().values()) {
                for (String label : c.keyValueStores()) {
                    kv.url(label).ifPresent(url -> addParsed(found, url, "key-value store " + label));
                }
            }
        });
        return List.copyOf(new ArrayList<>(found.values()));
    }

    private static Optional<String> resolved(VariableResolver variables, Template t) {
        try {
            return Optional.of(variables.resolve(t));
        } catch (ManifestException e) {
            return Optional.empty(); // a missing variable is reported by validation, not here
        }
    }

    private static void add(Map<String, LocalRedisAddress> found, String value, String source) {
        String v = value.trim();
        if (!v.regionMatches(true, 0, "redis://", 0, 8)) {
            return;
        }
        try {
            addParsed(found, RedisUrl.parse(v), source);
        } catch (InvalidOutboundUrlException e) {
            // not a usable address; whoever uses it reports it
        }
    }

    private static void addParsed(Map<String, LocalRedisAddress> found, RedisUrl url, String source) {
        LocalRedisAddress.of(url, source).ifPresent(a -> found.putIfAbsent(a.hostAndPort().toLowerCase(java.util.Locale.ROOT), a));
    }
}
