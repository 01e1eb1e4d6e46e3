package dev.spindle.wasi.io;

/**
 * wasi:io's {@code pollable}: an event that is ready now or later. Host objects (streams,
 * timers, HTTP futures) hand out pollables from their {@code subscribe}.
 *
 * <p>Guests run on one thread, so waiting is done by the pollable itself: {@link #block} returns
 * when it is ready or the deadline passed. Implementations that cannot honour a deadline (a
 * blocking read on a socket) may wait for readiness alone; {@link Poll} only passes a deadline
 * when a timer is among the pollables.
 */
public interface Pollable {
    /** Ready now: the operation it stands for will not block. */
    boolean ready();

    /**
     * Waits until {@link #ready()} or until {@code System.nanoTime()} reaches
     * {@code deadlineNanos} ({@link Long#MAX_VALUE}: no deadline).
     *
     * @throws HostInterruptedException if the invocation was interrupted (its timeout)
     */
    void block(long deadlineNanos);

    /** For a timer, the {@code System.nanoTime()} at which it becomes ready; {@link Long#MAX_VALUE} otherwise. */
    default long readyAt() {
        return Long.MAX_VALUE;
    }

    /** A pollable that is always ready (a closed stream, an already completed future). */
    Pollable READY = new Pollable() {
        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public void block(long deadlineNanos) {}
    };

    /** Sleeps until the deadline; for pollables that become ready only through another pollable. */
    static void sleepUntil(long deadlineNanos) {
        if (deadlineNanos == Long.MAX_VALUE) {
            throw new IllegalStateException("nothing can make this pollable ready");
        }
        long nanos = deadlineNanos - System.nanoTime();
        if (nanos > 0) {
            try {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            } catch (InterruptedException e) {
                throw HostInterruptedException.from(e);
            }
        }
    }
}
