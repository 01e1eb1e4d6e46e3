package dev.spindle.runtime.trigger;

import com.dylibso.chicory.wasi.WasiExitException;
import dev.spindle.host.HostLog;
import dev.spindle.host.TickLeases;
import dev.spindle.manifest.CronTrigger;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.TriggerConfig;
import dev.spindle.manifest.cron.CronSchedule;
import dev.spindle.runtime.InvocationException;
import dev.spindle.runtime.SpindleApp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an app's {@code [[trigger.cron]]} entries: at every time the expression matches (UTC), a
 * fresh instance of the component runs its {@code _start} (a WASI command; its output goes to
 * the log prefixed with the component id, and {@code --timeout} bounds each run).
 *
 * <ul>
 *   <li>A tick that comes while the same component's previous run is still going is skipped and
 *       logged, never queued: a slow job cannot pile up runs behind it.
 *   <li>A run that traps, times out or exits non-zero is logged; the next tick runs as usual.
 *   <li>Ticks missed while the process was suspended, or while the host was too busy to fire
 *       them within a second, are not made up: the next tick is the next match after now.
 *   <li>{@link #close} stops scheduling and lets runs in progress finish within a grace period.
 *   <li>With {@code [cron_lease]} in the runtime config ({@link TickLeases}), replicas of the app
 *       share the ticks: each tick runs on the replica that first takes its lease
 *       ({@code spindle:cron:<app>:<trigger>:<tick epoch second>}), the others skip it.
 * </ul>
 */
public final class CronScheduler implements RunningTrigger {
    private static final String LOG_ID = "cron-trigger";
    private static final String START = "_start";

    private final SpindleApp app;
    private final List<Job> jobs;
    private final Clock clock;
    private final HostLog log;
    private final Duration grace;
    private final ScheduledExecutorService timer;
    private final ExecutorService runners;
    /** Per component: true while a run is in progress (overlapping ticks are skipped). */
    private final Map<String, AtomicBoolean> running = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** Present when ticks are shared with other replicas. */
    private final Optional<TickLeases> leases;
    private final String holder = Replica.name();

    /** How long {@link #close()} lets runs in progress finish unless the scheduler was started with a grace period. */
    static final int DEFAULT_GRACE_SECONDS = 10;

    record Job(CronTrigger trigger, String componentId, CronSchedule schedule) {}

    private CronScheduler(SpindleApp app, List<Job> jobs, Clock clock, Duration grace) {
        this.app = app;
        this.jobs = List.copyOf(jobs);
        this.clock = clock;
        this.grace = grace;
        this.log = app.log();
        this.leases = app.capability(TickLeases.class).filter(TickLeases::configured);
        AtomicInteger counter = new AtomicInteger();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "spindle-cron-timer"));
        this.runners = Executors.newCachedThreadPool(r -> daemon(r, "spindle-cron-" + counter.incrementAndGet()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The cron triggers of the app's manifest. */
    public static List<CronTrigger> triggers(SpindleApp app) {
        List<CronTrigger> out = new ArrayList<>();
        for (TriggerConfig t : app.manifest().triggers()) {
            if (t instanceof CronTrigger c) {
                out.add(c);
            }
        }
        return out;
    }

    /** Schedules every cron trigger of the app's manifest; see {@link #start(SpindleApp, List)}. */
    public static CronScheduler start(SpindleApp app) {
        return start(app, triggers(app));
    }

    /**
     * Schedules the given triggers and returns at once; the first run is at each expression's next
     * match. {@link #close()} gives runs in progress {@value #DEFAULT_GRACE_SECONDS} s.
     *
     * @throws ManifestException (with the trigger's file:line) if a trigger's component is not a
     *     WASI command (has no {@code _start})
     */
    public static CronScheduler start(SpindleApp app, List<CronTrigger> triggers) {
        return start(app, triggers, Duration.ofSeconds(DEFAULT_GRACE_SECONDS));
    }

    /** {@link #start(SpindleApp, List)}; {@link #close()} gives runs in progress {@code grace} to finish. */
    public static CronScheduler start(SpindleApp app, List<CronTrigger> triggers, Duration grace) {
        return start(app, triggers, Clock.systemUTC(), grace);
    }

    static CronScheduler start(SpindleApp app, List<CronTrigger> triggers, Clock clock) {
        return start(app, triggers, clock, Duration.ofSeconds(DEFAULT_GRACE_SECONDS));
    }

    private static CronScheduler start(SpindleApp app, List<CronTrigger> triggers, Clock clock, Duration grace) {
        CronScheduler scheduler = new CronScheduler(app, jobs(app, triggers), clock, grace);
        Instant now = clock.instant();
        scheduler.leases.ifPresent(l -> {
            if (!scheduler.jobs.isEmpty()) {
                scheduler.log.info(LOG_ID, "cron ticks are shared with the app's other replicas: each runs where its lease is"
                        + " taken first, at " + l.describe() + "; this replica is \"" + scheduler.holder + "\"");
            }
        });
        for (Job job : scheduler.jobs) {
            scheduler.running.putIfAbsent(job.componentId(), new AtomicBoolean());
            Optional<Instant> first = scheduler.scheduleAfter(job, now);
            scheduler.log.info(job.componentId(), "cron trigger \"" + job.trigger().id() + "\": \""
                    + job.schedule().expression() + "\" (UTC), first run at " + first.map(Instant::toString).orElse("never"));
        }
        return scheduler;
    }

    /**
     * The triggers as jobs, checked: every component must be a WASI command.
     *
     * @throws ManifestException (with the trigger's file:line) if a component has no {@code _start}
     */
    static List<Job> jobs(SpindleApp app, List<CronTrigger> triggers) {
        List<Job> jobs = new ArrayList<>();
        for (CronTrigger trigger : triggers) {
            String componentId = trigger.componentId().orElseThrow();
            if (!app.exports(componentId, START)) {
                throw new ManifestException(trigger.location(), "cron trigger \"" + trigger.id() + "\": component \""
                        + componentId + "\" is not a WASI command: it has no \"" + START + "\" export");
            }
            jobs.add(new Job(trigger, componentId, trigger.schedule()));
        }
        return jobs;
    }

    /** Arms the timer for the job's next match after {@code after}. */
    private Optional<Instant> scheduleAfter(Job job, Instant after) {
        if (closed) {
            return Optional.empty();
        }
        Optional<Instant> next = job.schedule().next(after);
        next.ifPresent(at -> {
            long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
            try {
                timer.schedule(() -> tick(job, at), delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed concurrently: nothing more to schedule
            }
        });
        return next;
    }

    private void tick(Job job, Instant at) {
        if (closed) {
            return;
        }
        // Next tick first, from the later of the planned time and now: a late timer (a busy host,
        // a suspended process) skips the ticks it missed instead of firing them in a burst.
        Instant now = clock.instant();
        scheduleAfter(job, now.isAfter(at) ? now : at);
        AtomicBoolean busy = running.get(job.componentId());
        if (!busy.compareAndSet(false, true)) {
            log.warn(job.componentId(), "cron trigger \"" + job.trigger().id() + "\": skipped the run due at " + at
                    + ": the previous run is still going");
            return;
        }
        try {
            runners.execute(() -> {
                try {
                    run(job, at);
                } finally {
                    busy.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            busy.set(false); // closed concurrently
        }
    }

    /** The tick's lease key: one per app, trigger and tick, whichever replica computes it. */
    String leaseKey(Job job, Instant at) {
        return "spindle:cron:" + app.manifest().application().name() + ":" + job.trigger().id() + ":" + at.getEpochSecond();
    }

    /** One run in a fresh instance (if this replica wins the tick's lease); every failure is logged, never propagated. */
    private void run(Job job, Instant at) {
        String id = job.componentId();
        if (leases.isPresent()) {
            try {
                if (!leases.get().acquire(leaseKey(job, at), holder)) {
                    return; // another replica runs this tick
                }
            } catch (RuntimeException e) {
                // Running anyway could run the tick on every replica; a skipped tick is the lesser harm.
                log.error(id, "cron trigger \"" + job.trigger().id() + "\": skipped the run due at " + at
                        + ": cannot take its lease: " + e.getMessage());
                return;
            }
        }
        try (io.opentelemetry.context.Scope traced = dev.spindle.host.Tracing.get().trigger("cron")) {
            int exit = app.invoke(id, guest -> {
                try {
                    guest.call(START);
                    return 0;
                } catch (WasiExitException e) {
                    return e.exitCode();
                }
            });
            if (exit != 0) {
                log.warn(id, "cron trigger \"" + job.trigger().id() + "\": the run due at " + at + " exited with code " + exit);
            }
        } catch (InvocationException e) {
            log.error(id, "cron trigger \"" + job.trigger().id() + "\": the run due at " + at + " failed: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error(id, "cron trigger \"" + job.trigger().id() + "\": the run due at " + at + " failed: " + e);
        }
    }

    /** Stops scheduling; runs in progress get {@code grace} to finish (each is bounded by the invocation timeout anyway). */
    public void close(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        runners.shutdown();
        try {
            if (!runners.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn(LOG_ID, "cron runs still going after " + grace.toMillis() + " ms; abandoning them");
                runners.shutdownNow();
            }
        } catch (InterruptedException e) {
            runners.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Stops scheduling; runs in progress get the grace period the scheduler was started with. */
    @Override
    public void close() {
        close(grace);
    }
}
