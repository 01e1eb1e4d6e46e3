package dev.spindle.manifest;

import dev.spindle.manifest.cron.CronSchedule;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code [[trigger.cron]]} (the spin-trigger-cron plugin). The expression was validated when the
 * manifest was loaded (an invalid one is a {@link ManifestException} at the key's file:line), so
 * {@link #schedule()} does not fail for a loaded manifest.
 */
public record CronTrigger(String id, Optional<String> componentId, String cronExpression, Location location)
        implements TriggerConfig {
    public CronTrigger {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(componentId, "componentId");
        Objects.requireNonNull(cronExpression, "cronExpression");
        Objects.requireNonNull(location, "location");
    }

    /** The parsed expression: six fields, sec min hour day-of-month month day-of-week, in UTC. */
    public CronSchedule schedule() {
        return CronSchedule.parse(cronExpression);
    }

    @Override
    public String type() {
        return "cron";
    }
}
