package dev.spindle.manifest;

import java.util.Objects;
import java.util.Optional;

/**
 * {@code [[trigger.redis]]}: {@code channel} (required) and {@code address} (optional; falls back to
 * {@link Application#redisAddress()}). Both are templates, resolved when the trigger starts.
 */
public record RedisTrigger(String id, Optional<String> componentId, Template channel, Optional<Template> address,
                           Location location) implements TriggerConfig {
    public RedisTrigger {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(componentId, "componentId");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(location, "location");
    }

    @Override
    public String type() {
        return "redis";
    }
}
