package dev.spindle.runtime.trigger;

import dev.spindle.host.HostLog;
import dev.spindle.host.MessageStreams;
import dev.spindle.host.MessageStreams.StreamEntry;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.RedisStreamTrigger;
import dev.spindle.manifest.Template;
import dev.spindle.manifest.TriggerConfig;
import dev.spindle.runtime.SpindleApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs an app's stream triggers ({@code [[trigger.redis]]} with {@code stream} and {@code group}):
 * per trigger, one consumer of the group on a thread of its own, so replicas of the app started
 * against one Redis share the stream's entries, each entry handled by one of them.
 *
 * <p>The consumer reads one new entry at a time ({@code XREADGROUP}), hands each entry's payload
 * field to the component's {@code inbound-redis} handler in a fresh instance, one at a time, and
 * acknowledges ({@code XACK}) each one the handler accepted; while a handler runs its entry is
 * touched ({@code XCLAIM ... JUSTID}) so it never looks idle. A failed entry stays pending; every
 * consumer periodically takes over entries that have been pending longer than the trigger's
 * {@code reclaim_idle_ms} ({@code XAUTOCLAIM}) — failed ones, and those of a replica that died —
 * and an entry delivered more than {@code max_deliveries} times goes to the dead-letter stream
 * instead. Delivery is at least once. See {@code docs/scale-out.md}.
 */
public final class StreamTriggers implements RunningTrigger {
    private static final String LOG_ID = "redis-trigger";
    /**
     * Entries read (or reclaimed) at once. One: an entry's idle time runs from when it was read, so
     * entries waiting in a batch behind a slow one would look abandoned after {@code
     * reclaim_idle_ms} and another replica would take them while this one still means to handle
     * them (bench/scale-out.sh showed exactly that under load with 16). With one, an entry is
     * pending only while it is being handled.
     */
    static final int BATCH = 1;
    /** How long one read waits for new entries; also how soon a stopping consumer notices. */
    static final Duration BLOCK = Duration.ofSeconds(1);
    static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** Keeps entries in flight alive ({@code touch}); one daemon thread for every stream trigger of the process. */
    private static final ScheduledExecutorService TOUCHES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "spindle-stream-touch");
        t.setDaemon(true);
        return t;
    });

    private final List<Consumer> consumers;
    private final HostLog log;
    private final Duration grace;

    private StreamTriggers(List<Consumer> consumers, HostLog log, Duration grace) {
        this.consumers = List.copyOf(consumers);
        this.log = log;
        this.grace = grace;
    }

    /**
     * One trigger, resolved.
     *
     * @param deadLetterStream the trigger's, or {@code <stream>:dead-letter}
     */
    record Resolved(RedisStreamTrigger trigger, String componentId, String address, String stream, String group,
                    String consumer, String deadLetterStream) {}

    /** The stream triggers of the app's manifest. */
    public static List<RedisStreamTrigger> triggers(SpindleApp app) {
        List<RedisStreamTrigger> out = new ArrayList<>();
        for (TriggerConfig t : app.manifest().triggers()) {
            if (t instanceof RedisStreamTrigger s) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Resolves every stream trigger's templates (address, stream, group, consumer, dead-letter stream).
     *
     * @throws ManifestException (with the trigger's file:line) for a missing or invalid address or an empty name
     */
    static List<Resolved> resolve(SpindleApp app, MessageStreams transport) {
        List<Resolved> out = new ArrayList<>();
        for (RedisStreamTrigger t : triggers(app)) {
            String what = "redis trigger \"" + t.id() + "\"";
            String address = RedisTriggers.address(app, t, t.address(), transport::checkAddress);
            String stream = nonEmpty(t, resolve(app, t, t.stream(), "stream"), "stream");
            String group = nonEmpty(t, resolve(app, t, t.group(), "group"), "group");
            String consumer = t.consumer().isPresent() ? nonEmpty(t, resolve(app, t, t.consumer().get(), "consumer"), "consumer")
                    : Replica.name();
            String dead = t.deadLetterStream().isPresent()
                    ? nonEmpty(t, resolve(app, t, t.deadLetterStream().get(), "dead_letter_stream"), "dead_letter_stream")
                    : stream + RedisStreamTrigger.DEAD_LETTER_SUFFIX;
            if (dead.equals(stream)) {
                throw new ManifestException(t.location(), what + ": dead_letter_stream is the stream itself (\"" + stream
                        + "\"); failed entries would come back forever");
            }
            out.add(new Resolved(t, t.componentId().orElseThrow(), address, stream, group, consumer, dead));
        }
        return out;
    }

    private static String nonEmpty(RedisStreamTrigger t, String value, String what) {
        if (value.isEmpty()) {
            throw new ManifestException(t.location(), "redis trigger \"" + t.id() + "\": " + what + " is empty");
        }
        return value;
    }

    private static String resolve(SpindleApp app, RedisStreamTrigger t, Template template, String what) {
        return RedisTriggers.resolve(app, t, template, what);
    }

    /** The app's Redis capability, as for channel triggers. */
    static MessageStreams transport(SpindleApp app) {
        return app.capability(MessageStreams.class).orElseThrow(() -> new ManifestException(triggers(app).get(0).location(),
                "redis stream triggers need the Redis capability (spindle-host-redis on the class path), which this app was loaded without"));
    }

    /** Starts a consumer per stream trigger; {@link #close()} lets entries in flight finish within {@code grace}. */
    public static StreamTriggers start(SpindleApp app, Duration grace) {
        if (triggers(app).isEmpty()) {
            return new StreamTriggers(List.of(), app.log(), grace);
        }
        MessageStreams transport = transport(app);
        List<Consumer> consumers = new ArrayList<>();
        for (Resolved r : resolve(app, transport)) {
            consumers.add(new Consumer(app, r, transport.consumer(r.address(), r.stream(), r.group(), r.consumer())));
        }
        consumers.forEach(Consumer::start);
        return new StreamTriggers(consumers, app.log(), grace);
    }

    /** Entries handled and acknowledged by this process, all triggers (for tests and logs). */
    public long acknowledged() {
        return consumers.stream().mapToLong(c -> c.acked).sum();
    }

    /** True once every consumer has its group and is reading (tests wait for this). */
    public boolean allReading() {
        return consumers.stream().allMatch(c -> c.reading);
    }

    /**
     * Stops reading; the entry in flight finishes and is acknowledged, entries read but not begun
     * are released to the group at once, then the connections close. After {@code grace} a
     * consumer still busy is abandoned (its entry stays pending and is reclaimed elsewhere).
     */
    public void close(Duration grace) {
        consumers.forEach(c -> c.stopping = true);
        long deadline = System.nanoTime() + grace.toNanos();
        for (Consumer c : consumers) {
            long left = deadline - System.nanoTime();
            try {
                c.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (c.thread.isAlive()) {
                log.warn(LOG_ID, "stream \"" + c.r.stream() + "\": an entry was still being handled when the shutdown grace of "
                        + grace.toSeconds() + " s ended; it stays pending and another replica reclaims it");
            } else {
                c.connection.close();
            }
        }
    }

    @Override
    public void close() {
        close(grace);
    }

    /** One trigger's consumer: its thread and connection. */
    private static final class Consumer {
        final SpindleApp app;
        final Resolved r;
        final MessageStreams.StreamConsumer connection;
        final Thread thread;
        final Duration reclaimEvery;
        volatile boolean stopping;
        volatile boolean reading;
        volatile long acked;

        Consumer(SpindleApp app, Resolved r, MessageStreams.StreamConsumer connection) {
            this.app = app;
            this.r = r;
            this.connection = connection;
            Duration idle = r.trigger().reclaimIdle();
            // Half the idle time, so a stuck entry waits at most 1.5 x idle; never busier than 10 passes a second.
            this.reclaimEvery = Duration.ofMillis(Math.min(5000, Math.max(100, idle.toMillis() / 2)));
            this.thread = new Thread(this::run, "spindle-stream-" + r.componentId() + "-" + r.stream());
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            HostLog log = app.log();
            long backoff = INITIAL_BACKOFF.toMillis();
            boolean ready = false;
            boolean outage = false;
            long nextReclaim = 0;
            while (!stopping) {
                try {
                    if (!ready) {
                        connection.ensureGroup();
                        ready = true;
                        reading = true;
                        log.info(r.componentId(), (outage ? "reconnected: " : "") + "reading stream \"" + r.stream()
                                + "\" as consumer \"" + r.consumer() + "\" of group \"" + r.group() + "\"");
                        outage = false;
                        backoff = INITIAL_BACKOFF.toMillis();
                    }
                    if (System.nanoTime() - nextReclaim >= 0) {
                        List<StreamEntry> claimed = connection.claimIdle(r.trigger().reclaimIdle(), BATCH);
                        // a full batch may mean more are waiting: look again at once
                        nextReclaim = System.nanoTime() + (claimed.size() == BATCH ? 0 : reclaimEvery.toNanos());
                        if (!claimed.isEmpty()) {
                            log.info(r.componentId(), "stream \"" + r.stream() + "\": reclaimed " + claimed.size()
                                    + " entr" + (claimed.size() == 1 ? "y" : "ies") + " pending longer than "
                                    + r.trigger().reclaimIdle().toMillis() + " ms");
                            handleAll(claimed);
                            continue;
                        }
                    }
                    handleAll(connection.readNew(BATCH, BLOCK));
                } catch (RuntimeException e) {
                    ready = false;
                    reading = false;
                    if (stopping) {
                        break;
                    }
                    if (!outage) {
                        log.warn(LOG_ID, "stream \"" + r.stream() + "\" group \"" + r.group() + "\": " + e.getMessage()
                                + "; retrying with backoff up to " + MAX_BACKOFF.toSeconds() + " s");
                        outage = true;
                    }
                    try {
                        Thread.sleep(backoff);
                    } catch (InterruptedException ie) {
                        break;
                    }
                    backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
                }
            }
            reading = false;
        }

        /** One at a time, in stream order; once stopping, the entries not begun go back to the group. */
        private void handleAll(List<StreamEntry> entries) {
            for (int i = 0; i < entries.size(); i++) {
                if (stopping) {
                    List<String> rest = entries.subList(i, entries.size()).stream().map(StreamEntry::id).toList();
                    connection.release(rest, r.trigger().reclaimIdle());
                    app.log().info(r.componentId(), "stream \"" + r.stream() + "\": stopping; released " + rest.size()
                            + " entries not yet begun to the group");
                    return;
                }
                handle(entries.get(i));
            }
        }

        private void handle(StreamEntry e) {
            int max = r.trigger().maxDeliveries();
            String where = "stream \"" + r.stream() + "\" entry " + e.id();
            if (e.deliveries() > max) {
                connection.deadLetter(e, r.deadLetterStream(), "failed " + max + " deliveries");
                app.log().warn(r.componentId(), where + ": failed " + max + " deliveries; moved to \"" + r.deadLetterStream() + "\"");
                return;
            }
            byte[] payload = e.fields().get(r.trigger().payloadField());
            if (payload == null) {
                connection.deadLetter(e, r.deadLetterStream(), "no field \"" + r.trigger().payloadField() + "\"");
                app.log().warn(r.componentId(), where + ": has no field \"" + r.trigger().payloadField() + "\"; moved to \""
                        + r.deadLetterStream() + "\"");
                return;
            }
            boolean ok;
            // While the handler runs, the entry is touched every third of the idle time, so a
            // slow handler (or a busy host) never makes it look abandoned to the other replicas.
            long every = Math.max(50, r.trigger().reclaimIdle().toMillis() / 3);
            ScheduledFuture<?> keepAlive = TOUCHES.scheduleWithFixedDelay(() -> {
                try {
                    connection.touch(e.id());
                } catch (RuntimeException ignored) {
                    // The connection is failing: the acknowledgement after the handler reports it.
                }
            }, every, every, TimeUnit.MILLISECONDS);
            try {
                ok = RedisTriggers.deliver(app, r.componentId(), where, payload);
            } finally {
                keepAlive.cancel(false);
            }
            if (ok) {
                connection.ack(e.id());
                acked++;
            } else {
                app.log().warn(r.componentId(), where + ": left pending (delivery " + e.deliveries() + " of " + max
                        + "); retried after " + r.trigger().reclaimIdle().toMillis() + " ms idle");
            }
        }
    }
}
