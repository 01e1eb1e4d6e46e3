package dev.spindle.runtime.trigger;

import dev.spindle.runtime.SpindleApp;

/** {@code [[trigger.cron]]}: the app's schedules on one {@link CronScheduler}. */
final class CronTriggerType implements TriggerType {
    @Override
    public String type() {
        return "cron";
    }

    /** Every scheduled component is a WASI command (the expressions were checked when the manifest was read). */
    @Override
    public void validate(SpindleApp app) {
        CronScheduler.jobs(app, CronScheduler.triggers(app));
    }

    @Override
    public RunningTrigger start(SpindleApp app, ServeOptions options) {
        return CronScheduler.start(app, CronScheduler.triggers(app), options.shutdownGrace());
    }
}
