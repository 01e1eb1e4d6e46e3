package dev.spindle.manifest;

import java.util.Objects;
import java.util.Optional;

/** {@code [[trigger.cron]]} (the spin-trigger-cron plugin); the expression is not validated here. */
public record CronTrigger(String id, Optional<String> componentId, String cronExpression, Location location)
        implements TriggerConfig {
    public CronTrigger {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(componentId, "componentId");
        Objects.requireNonNull(cronExpression, "cronExpression");
        Objects.requireNonNull(location, "location");
    }

    @Override
    public String type() {
        return "cron";
    }
}
