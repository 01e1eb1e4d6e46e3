package dev.spindle.runtime.trigger;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Delivers the messages of one (component, channel) pair one at a time, in the order the
 * subscriber received them. Spin does the same, and real apps rely on it: a handler that reads,
 * modifies and writes a key per message loses updates when two run at once, and sees its input
 * out of order when they overtake each other.
 *
 * <p>Each lane has its own thread and a bounded queue. When the queue is full, {@link #offer}
 * blocks the subscriber thread, so it stops reading and Redis buffers for it (backpressure)
 * instead of the host growing without bound. Lanes of different components or channels run
 * concurrently.
 */
final class MessageLane {
    /** Messages waiting in one lane before the subscriber is made to wait. */
    static final int CAPACITY = 1024;
    private static final long POLL_MS = 100;

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Consumer<byte[]> handler;
    private final Thread thread;
    private volatile boolean accepting = true;

    /** @param handler runs each message; it must not throw (the trigger logs failures itself) */
    MessageLane(String threadName, Consumer<byte[]> handler) {
        this.handler = handler;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Queues a message behind the ones already waiting, blocking while the lane is full.
     *
     * @return false when the lane is closing and the message was not queued
     * @throws InterruptedException when the subscriber thread is interrupted while it waits
     */
    boolean offer(byte[] payload) throws InterruptedException {
        while (accepting) {
            if (queue.offer(payload, POLL_MS, TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        return false;
    }

    private void run() {
        while (true) {
            byte[] payload;
            try {
                payload = queue.poll(POLL_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (payload == null) {
                if (!accepting) {
                    return;
                }
                continue;
            }
            handler.accept(payload);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    /** Stops taking messages; those already queued still run. */
    void stopAccepting() {
        accepting = false;
    }

    /**
     * Waits until every queued message has been handled or {@code deadlineNanos} (a
     * {@link System#nanoTime()} value) passes; then stops the lane's thread.
     *
     * @return how many queued messages were dropped because the deadline passed
     */
    int awaitDrained(long deadlineNanos) {
        accepting = false;
        long left = deadlineNanos - System.nanoTime();
        try {
            if (left > 0) {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            return 0;
        }
        int dropped = queue.size();
        queue.clear();
        thread.interrupt();
        return dropped;
    }

    /** Messages waiting (for tests and logs). */
    int queued() {
        return queue.size();
    }
}
