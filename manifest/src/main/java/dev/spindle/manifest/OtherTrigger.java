package dev.spindle.manifest;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A trigger of a type Spindle does not run (plugins such as {@code timer}, {@code pounce}). Valid
 * manifest content; a runner refuses it.
 *
 * @param components the trigger's {@code components} table (role to component ids), inline
 *                   components already replaced by their assigned ids
 * @param config     every other key of the trigger table, as plain Java values
 */
public record OtherTrigger(String id, String type, Optional<String> componentId, Map<String, List<String>> components,
                           Map<String, Object> config, Location location) implements TriggerConfig {
    public OtherTrigger {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(componentId, "componentId");
        components = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(components));
        config = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(config));
        Objects.requireNonNull(location, "location");
    }
}
