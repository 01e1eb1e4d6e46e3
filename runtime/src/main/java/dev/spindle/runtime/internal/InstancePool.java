package dev.spindle.runtime.internal;

import java.util.ArrayDeque;
import java.util.Optional;
import java.util.function.Function;

/**
 * Pre-initialized instances of one component, reused across invocations with their state put
 * back in between (Spin's isolation model, at a fraction of the cost of a fresh instance).
 *
 * <p>The first invocation builds the <em>template</em>: it instantiates the component and runs
 * {@code _initialize} once, linked to a throwaway host state with the component's own
 * environment, then saves every core instance's memories, globals and tables
 * ({@link InstanceImage}). That instance is the first one in the pool. Every later instance is
 * built once and restored from the image in full; after each invocation it is restored again —
 * only the memory cards the invocation wrote, the globals, and the tables if they changed — before
 * it goes back. An invocation that fails in any way (trap, timeout, stack exhaustion, a host
 * failure) does not give its instance back: it is dropped, and a new one is made when needed.
 *
 * <p>If {@code _initialize} (or a start function) calls the host for anything whose result could
 * differ between invocations — a clock, randomness, a file, Redis — its state is not shared and
 * the component runs in a fresh instance per invocation instead, as before ({@link #freshReason}).
 * If it only read the environment or argv, invocations that bring their own (WAGI) get a fresh
 * instance; the others share the template.
 *
 * <p>Thread-safe. An instance is used by one invocation thread at a time; the hand-over through
 * the pool's lock orders its state between threads.
 */
final class InstancePool {
    /** Idle instances kept per component (memory permitting, {@link #MAX_IDLE_BYTES}). */
    static final int MAX_IDLE = 64;
    /** Memory idle instances of one component may hold; at least one is always kept. */
    static final long MAX_IDLE_BYTES = 128L << 20;

    /** One pooled instance: a core module's or a component's, with the host switch it is linked to. */
    interface Pooled {
        HostSwitch host();

        /**
         * A fresh scope for one invocation of this instance: an empty resource table, and the
         * instance's memory view when it has one that outlives invocations (export lookups cached).
         */
        default dev.spindle.host.abi.InstanceScope newScope() {
            return new dev.spindle.host.abi.InstanceScope();
        }

        /** The instance as triggers see it, its exports called in {@code scope} (the invocation's). */
        GuestInstance guest(dev.spindle.host.abi.InstanceScope scope);

        /** Saves the state now as the image (the template's instance only). */
        Image capture();

        /** Puts the state back to {@code image}; {@code full} for an instance that never held it. */
        void restore(Image image, boolean full);

        /** Memory held, for the idle budget. */
        long bytes();
    }

    /** The saved state of a component: one image per core instance. */
    record Image(InstanceImage[] instances, long bytes) {}

    /** How the component's instances are made. */
    interface Factory {
        /** Instantiates (start functions run) and links the imports to {@code host}; no {@code _initialize}. */
        Pooled instantiate(HostSwitch host);

        /** Runs {@code _initialize} if the component has one (the template only). */
        void initialize(Pooled instance);
    }

    /** A template's outcome: the image, or why instances are not shared. */
    private record Template(Image image, boolean readEnvironment, String freshReason) {}

    /** The host state instances are built with, outside any invocation. */
    interface NeutralHosts {
        /** Host state with the component's own environment and argv, output to the log; {@code recording} for the template. */
        InvocationHost open(boolean recording);

        /** Releases it (failures logged, output flushed). */
        void close(InvocationHost host);
    }

    private final Factory factory;
    private final HostLinks links;
    private final NeutralHosts neutral;
    private final ArrayDeque<Pooled> idle = new ArrayDeque<>();
    private volatile Template template;
    private long idleBytes;
    private int created;

    InstancePool(Factory factory, HostLinks links, NeutralHosts neutral) {
        this.factory = factory;
        this.links = links;
        this.neutral = neutral;
    }

    /**
     * An instance in the template's state for an invocation, or empty when this invocation must
     * use a fresh instance (see the class comment). Building the template or a new instance runs
     * guest code (start functions, {@code _initialize}): call it on the invocation thread.
     *
     * @param ownEnvironment whether this invocation brings environment variables or argv of its own
     */
    Optional<Pooled> acquire(boolean ownEnvironment) {
        Template t = template;
        if (t == null) {
            t = buildTemplate();
        }
        if (t.freshReason() != null || (ownEnvironment && t.readEnvironment())) {
            return Optional.empty();
        }
        synchronized (this) {
            Pooled p = idle.pollFirst();
            if (p != null) {
                idleBytes -= p.bytes();
                return Optional.of(p);
            }
        }
        Pooled p = build(false, false);
        p.restore(t.image(), true);
        return Optional.of(p);
    }

    private synchronized Template buildTemplate() {
        if (template != null) {
            return template;
        }
        Template t;
        InvocationHost host = neutral.open(true);
        try {
            Pooled p = build(host, true);
            if (!host.sharable()) {
                t = new Template(null, false, "its initialization calls the host for something an invocation could see differently");
            } else {
                t = new Template(p.capture(), host.readEnvironment(), null);
                idle.addFirst(p);
                idleBytes += p.bytes();
            }
        } finally {
            neutral.close(host);
        }
        template = t;
        return t;
    }

    private Pooled build(boolean recording, boolean initialize) {
        InvocationHost host = neutral.open(recording);
        try {
            return build(host, initialize);
        } finally {
            neutral.close(host);
        }
    }

    private Pooled build(InvocationHost host, boolean initialize) {
        HostSwitch hosts = new HostSwitch(links);
        hosts.begin(host);
        try {
            Pooled p = factory.instantiate(hosts);
            if (initialize) {
                factory.initialize(p);
            }
            synchronized (this) {
                created++;
            }
            return p;
        } finally {
            hosts.end();
        }
    }

    /**
     * Takes an instance back after an invocation: restored and kept if the invocation ended
     * normally ({@code clean}) and the idle budget allows, dropped otherwise.
     */
    void release(Pooled p, boolean clean) {
        Template t = template;
        if (!clean || t == null || t.image() == null) {
            return;
        }
        p.restore(t.image(), false);
        long bytes = p.bytes();
        synchronized (this) {
            if (idle.isEmpty() || (idle.size() < MAX_IDLE && idleBytes + bytes <= MAX_IDLE_BYTES)) {
                idle.addFirst(p);
                idleBytes += bytes;
            }
        }
    }

    /** Why this component runs in fresh instances, if it does (known after the first invocation). */
    Optional<String> freshReason() {
        Template t = template;
        return t == null ? Optional.empty() : Optional.ofNullable(t.freshReason());
    }

    /** Instances built so far (the template's included), for tests and benchmarks. */
    synchronized int created() {
        return created;
    }

    synchronized int idle() {
        return idle.size();
    }
}
