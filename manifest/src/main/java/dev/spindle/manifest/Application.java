package dev.spindle.manifest;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code [application]} (v2) or the top-level fields of a v1 manifest.
 *
 * @param redisAddress   {@code [application.trigger.redis] address} (v1: {@code trigger.address})
 * @param triggerSettings every {@code [application.trigger.<type>]} table as plain Java values
 *                       (String, Long, Double, Boolean, List, Map), keyed by trigger type; v1's
 *                       {@code trigger = { type = "http", base = "/" }} becomes {@code http -> {base=/}}
 */
public record Application(String name, Optional<String> version, Optional<String> description, List<String> authors,
                          Optional<Template> redisAddress, Map<String, Map<String, Object>> triggerSettings) {
    public Application {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(description, "description");
        authors = List.copyOf(authors);
        Objects.requireNonNull(redisAddress, "redisAddress");
        triggerSettings = Map.copyOf(triggerSettings);
    }

    /** The HTTP base path ({@code base}, v1 apps only in practice); defaults to {@code "/"}. */
    public String httpBase() {
        Object base = triggerSettings.getOrDefault("http", Map.of()).get("base");
        return base instanceof String s ? s : "/";
    }
}
