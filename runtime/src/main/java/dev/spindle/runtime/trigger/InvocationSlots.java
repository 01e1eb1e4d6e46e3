package dev.spindle.runtime.trigger;

import java.util.ArrayDeque;

/**
 * The HTTP trigger's bound on guest work: at most {@code workers} requests run a guest at once,
 * at most {@code queue} more wait, and anything beyond is refused (the caller answers 503).
 *
 * <p>It is a thread pool without its own threads: a request that gets a slot runs on the
 * server thread that submitted it (the one that finished reading its body), so the common case
 * costs no hand-off between threads (measured in docs/benchmarks.md: the hop cost more than it
 * bought). A waiting request holds no thread at all; the thread whose invocation finishes takes
 * the next waiting request before it gives its slot back.
 */
final class InvocationSlots {
    private final int workers;
    private final int queue;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int running;

    InvocationSlots(int workers, int queue) {
        this.workers = workers;
        this.queue = queue;
    }

    /** True when a request submitted now would be refused. */
    synchronized boolean full() {
        return running >= workers && waiting.size() >= queue;
    }

    /**
     * Runs {@code task} now on this thread if a slot is free, queues it if the queue has room, or
     * returns false. When it ran, this thread also runs whatever queued up meanwhile.
     */
    boolean submit(Runnable task) {
        synchronized (this) {
            if (running >= workers) {
                if (waiting.size() >= queue) {
                    return false;
                }
                waiting.add(task);
                return true;
            }
            running++;
        }
        Runnable next = task;
        while (next != null) {
            try {
                next.run();
            } catch (RuntimeException e) {
                // Each task answers its own request, failures included; one that still throws must
                // not take the slot, or the requests queued behind it, down with it.
            }
            synchronized (this) {
                next = waiting.poll();
                if (next == null) {
                    running--;
                }
            }
        }
        return true;
    }

    synchronized int running() {
        return running;
    }

    synchronized int waiting() {
        return waiting.size();
    }
}
