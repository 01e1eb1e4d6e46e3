package dev.spindle.runtime.internal;

import dev.spindle.host.HostLog;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Says what a step is doing once it has taken longer than a threshold, and how long it took when
 * it ends; a fast step says nothing. (A first compile of a large guest can take many seconds;
 * without a line the command looks hung.)
 */
public final class SlowStepNotice implements AutoCloseable {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "spindle-slow-step-notice");
        t.setDaemon(true);
        return t;
    });

    private final HostLog log;
    private final String componentId;
    private final String done;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean announced = new AtomicBoolean();
    private final ScheduledFuture<?> pending;

    private SlowStepNotice(Duration threshold, HostLog log, String componentId, String doing, String done) {
        this.log = log;
        this.componentId = componentId;
        this.done = done;
        Runnable announce = () -> {
            announced.set(true);
            log.info(componentId, doing);
        };
        if (threshold == null) {
            this.pending = null;
        } else if (threshold.isZero()) {
            announce.run(); // "always": said before the step starts, deterministically
            this.pending = null;
        } else {
            this.pending = TIMER.schedule(announce, threshold.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** A notice that never says anything (progress lines off). */
    public static SlowStepNotice none() {
        return new SlowStepNotice(null, null, null, null, null);
    }

    /** Logs {@code doing} after {@code threshold} (at once for zero), then {@code done} and the time taken at close. */
    public static SlowStepNotice after(Duration threshold, HostLog log, String componentId, String doing, String done) {
        return new SlowStepNotice(threshold, log, componentId, doing, done);
    }

    @Override
    public void close() {
        if (pending != null) {
            pending.cancel(false);
        }
        // cancel() loses to a notice already running; announced is set before it logs.
        if (announced.get()) {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            log.info(componentId, done + " in " + String.format(java.util.Locale.ROOT, "%.1f s", seconds));
        }
    }
}
