package dev.spindle.runtime.trigger;

import com.dylibso.chicory.wasi.WasiExitException;
import dev.spindle.manifest.CronTrigger;
import dev.spindle.runtime.SpindleApp;
import java.util.List;
import java.util.Objects;

/**
 * The app's cron triggers without waiting for their schedule ({@link SpindleApp#cron()}): run one
 * now, as the scheduler would at a tick. Thread-safe; the scheduler's one-run-at-a-time rule is
 * the scheduler's, so a {@code fire} does not wait for, or skip because of, a scheduled run.
 *
 * <pre>{@code
 * int exit = app.cron().fire("nightly-cleanup");
 * }</pre>
 */
public final class CronEntry {
    private static final String START = "_start";

    private final SpindleApp app;

    public CronEntry(SpindleApp app) {
        this.app = app;
    }

    /**
     * Runs the component of the cron trigger {@code id} (the trigger's id, or the id of the one
     * component a single cron trigger runs) once, its {@code _start} in a fresh instance.
     *
     * @return the run's exit code ({@code proc_exit(n)}, or 0 when {@code _start} returns)
     * @throws IllegalArgumentException if no cron trigger has that id
     * @throws dev.spindle.runtime.InvocationException if the run traps or times out
     */
    public int fire(String id) {
        Objects.requireNonNull(id, "id");
        List<CronTrigger> triggers = CronScheduler.triggers(app);
        CronTrigger trigger = triggers.stream().filter(t -> t.id().equals(id)).findFirst().orElseGet(() -> {
            List<CronTrigger> byComponent = triggers.stream().filter(t -> t.componentId().orElse("").equals(id)).toList();
            return byComponent.size() == 1 ? byComponent.get(0) : null;
        });
        if (trigger == null) {
            throw new IllegalArgumentException("no cron trigger \"" + id + "\" in " + app.manifest().file() + " ("
                    + (triggers.isEmpty() ? "the app has no cron triggers" : "cron triggers: "
                    + String.join(", ", triggers.stream().map(t -> t.id() + " (component " + t.componentId().orElse("?") + ")").toList()))
                    + ")");
        }
        String componentId = trigger.componentId().orElseThrow();
        try (io.opentelemetry.context.Scope traced = dev.spindle.host.Tracing.get().trigger("cron")) {
            return app.invoke(componentId, guest -> {
                try {
                    guest.call(START);
                    return 0;
                } catch (WasiExitException e) {
                    return e.exitCode();
                }
            });
        }
    }
}
