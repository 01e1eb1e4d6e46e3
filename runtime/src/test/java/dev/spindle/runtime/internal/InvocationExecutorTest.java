package dev.spindle.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.HostMemoryBudget;
import dev.spindle.runtime.InvocationException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The worker hand-off's bookkeeping: a concurrency permit is released exactly once, however an invocation ends. */
class InvocationExecutorTest {
    private static final Duration TIMEOUT = Duration.ofMillis(200);

    /**
     * The window the permit leak lived in: the caller's wait times out before any worker has
     * started the task. The cancelled task never runs its body, so the caller must release the
     * permit itself; with one slot, a leak would refuse every later invocation.
     */
    @Test
    void aTaskCancelledBeforeAWorkerStartsItGivesItsPermitBack() throws Exception {
        CountDownLatch timedOut = new CountDownLatch(1);
        AtomicBoolean firstWorker = new AtomicBoolean(true);
        try (InvocationExecutor executor = new InvocationExecutor(1, 1 << 20, TIMEOUT, HostMemoryBudget.defaults(), true,
                threads -> (ThreadFactory) r -> threads.newThread(() -> {
                    if (firstWorker.getAndSet(false)) {
                        await(timedOut); // the first worker starts only after its caller has given up
                    }
                    r.run();
                }))) {
            AtomicBoolean ran = new AtomicBoolean();
            InvocationException e = assertThrows(InvocationException.class, () -> executor.run("guest", () -> {
                ran.set(true);
                return null;
            }));
            assertEquals(InvocationException.Kind.TIMEOUT, e.kind());
            assertEquals(1, executor.freePermits(), "the caller released the permit of the task no worker started");
            timedOut.countDown();

            assertEquals("second", executor.run("guest", () -> "second"));
            Thread.sleep(100); // the delayed worker has had time to run the cancelled task, if it were going to
            assertTrue(!ran.get(), "a cancelled task's body never runs");
            assertEquals(1, executor.freePermits());
        }
    }

    /** A guest still running when its caller times out keeps its permit until it stops, then gives it back once. */
    @Test
    void aTimedOutGuestHoldsItsPermitUntilItStops() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        try (InvocationExecutor executor = new InvocationExecutor(1, 1 << 20, TIMEOUT, HostMemoryBudget.defaults(), true,
                threads -> threads)) {
            InvocationException e = assertThrows(InvocationException.class, () -> executor.run("guest", () -> {
                started.countDown();
                // Like an interpreted runaway loop: deaf to the interrupt until told to stop.
                while (stop.getCount() > 0) {
                    Thread.interrupted();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                return null;
            }));
            assertEquals(InvocationException.Kind.TIMEOUT, e.kind());
            assertTrue(started.await(1, TimeUnit.SECONDS));
            assertEquals(0, executor.freePermits(), "the running guest still holds its slot");
            stop.countDown();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (executor.freePermits() == 0 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertEquals(1, executor.freePermits(), "released once, when the guest stopped");
            assertEquals("next", executor.run("guest", () -> "next"));
            assertEquals(1, executor.freePermits());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
