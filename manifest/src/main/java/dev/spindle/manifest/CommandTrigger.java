package dev.spindle.manifest;

import java.util.Objects;
import java.util.Optional;

/** {@code [[trigger.command]]} (the spin-trigger-command plugin): run the component's {@code _start} once. */
public record CommandTrigger(String id, Optional<String> componentId, Location location) implements TriggerConfig {
    public CommandTrigger {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(componentId, "componentId");
        Objects.requireNonNull(location, "location");
    }

    @Override
    public String type() {
        return "command";
    }
}
