package dev.spindle.runtime;

import dev.spindle.host.HostLog;
import dev.spindle.runtime.trigger.RunningTrigger;
import dev.spindle.runtime.trigger.ServeOptions;
import dev.spindle.runtime.trigger.TriggerGroup;
import dev.spindle.runtime.trigger.TriggerType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * An app's triggers, started by {@link SpindleApp#serve}: the commands have run, and the HTTP,
 * Redis and cron triggers (if any) serve until {@link #close()}.
 */
public final class Serving implements AutoCloseable {
    private static final String LOG_ID = "spindle";

    private final List<RunningTrigger> running;
    private final boolean keepsRunning;
    private final Duration grace;
    private final HostLog log;
    private boolean closed;

    private Serving(List<RunningTrigger> running, boolean keepsRunning, Duration grace, HostLog log) {
        this.running = List.copyOf(running);
        this.keepsRunning = keepsRunning;
        this.grace = grace;
        this.log = log;
    }

    /**
     * Starts the given types (each has triggers in the manifest): those that run to completion
     * first, in order, then the serving ones. If one fails to start, the ones already started are
     * closed before the failure is rethrown.
     */
    static Serving start(SpindleApp app, Collection<TriggerType> types, ServeOptions options) {
        List<TriggerType> ordered = new ArrayList<>();
        types.stream().filter(TriggerType::runsToCompletion).forEach(ordered::add);
        types.stream().filter(t -> !t.runsToCompletion()).forEach(ordered::add);
        List<RunningTrigger> started = new ArrayList<>();
        try {
            for (TriggerType type : ordered) {
                started.add(type.start(app, options));
            }
        } catch (RuntimeException e) {
            closeAll(started, app.log());
            throw e;
        }
        boolean serving = ordered.stream().anyMatch(t -> !t.runsToCompletion());
        return new Serving(started, serving, options.shutdownGrace(), app.log());
    }

    /** True while a trigger serves (HTTP, Redis, cron); false when the app had only commands, which have finished. */
    public boolean keepsRunning() {
        return keepsRunning;
    }

    /** The first non-zero exit code of the commands (a guest's {@code proc_exit(n)}, 1 for a failed run), else 0. */
    public int exitCode() {
        return running.stream().mapToInt(RunningTrigger::exitCode).filter(code -> code != 0).findFirst().orElse(0);
    }

    /** What the triggers announce (the HTTP trigger's URL and routes, as Spin prints them); empty if nothing. */
    public String banner() {
        StringBuilder sb = new StringBuilder();
        running.forEach(t -> sb.append(t.banner()));
        return sb.toString();
    }

    /** The running trigger of a type, e.g. {@code trigger(HttpTriggerServer.class)} for its port. */
    public <T extends RunningTrigger> Optional<T> trigger(Class<T> type) {
        return running.stream()
                .flatMap(t -> t instanceof TriggerGroup g ? g.parts().stream() : java.util.stream.Stream.of(t))
                .filter(type::isInstance).map(type::cast).findFirst();
    }

    /**
     * Stops every trigger, in the order they started (HTTP first, so no new requests come in while
     * the rest winds down); work in flight gets the grace period of {@link ServeOptions}.
     * Idempotent. Closing the app itself stays the caller's job.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (keepsRunning) {
            log.info(LOG_ID, "shutting down: finishing in-flight requests (up to " + grace.toSeconds() + " s)");
        }
        closeAll(running, log);
    }

    private static void closeAll(List<RunningTrigger> triggers, HostLog log) {
        for (RunningTrigger trigger : triggers) {
            try {
                trigger.close();
            } catch (RuntimeException e) {
                log.warn(LOG_ID, "stopping " + trigger.getClass().getSimpleName() + " failed: " + e.getMessage());
            }
        }
    }
}
