package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.wasm.ChicoryException;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostLog;
import dev.spindle.host.HostMemoryBudget;
import dev.spindle.host.InvocationContext;
import dev.spindle.host.InvocationTimeoutException;
import dev.spindle.runtime.InvocationException;
import dev.spindle.runtime.InvocationException.Kind;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs each invocation on a worker thread with a large stack and a wall-clock budget.
 *
 * <p>Each invocation runs with an {@link InvocationContext} carrying its deadline. On timeout the
 * context is cancelled first (every later host call traps, and capabilities' cancel hooks run here,
 * on the caller's thread: a Redis read blocked past the deadline has its socket closed), then the
 * worker is interrupted: compiled guests stop at their next backward branch. The interpreter does
 * not check for interrupts in loops, so an interpreted runaway guest that makes no host call keeps
 * its thread — and its concurrency permit, so stuck threads can never pile up without bound.
 */
public final class InvocationExecutor implements AutoCloseable {
    private final Duration timeout;
    private final HostMemoryBudget memory;
    private final Semaphore permits;
    private final ThreadPoolExecutor pool;
    private final HostLog log;

    public InvocationExecutor(int maxConcurrent, long stackBytes, Duration timeout, HostLog log, HostMemoryBudget memory) {
        this.timeout = timeout;
        this.memory = memory;
        this.log = log;
        this.permits = new Semaphore(maxConcurrent);
        AtomicInteger counter = new AtomicInteger();
        // No queue: the semaphore bounds concurrency, so the pool only ever holds permit holders.
        this.pool = new ThreadPoolExecutor(
                0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(null, r, "spindle-guest-" + counter.incrementAndGet(), stackBytes);
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Runs {@code work} for a component; every failure comes back as one {@link InvocationException}. */
    public <T> T run(String componentId, Callable<T> work) {
        try {
            if (!permits.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new InvocationException(componentId, Kind.HOST_FAILURE,
                        "no invocation slot free within " + timeout.toMillis() + " ms (all workers busy)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvocationException(componentId, Kind.HOST_FAILURE, "interrupted while waiting for a worker");
        }
        InvocationContext invocation = InvocationContext.start(componentId, timeout, memory);
        Future<T> future;
        try {
            future = pool.submit(() -> {
                try {
                    return invocation.runAsCurrent(work);
                } finally {
                    permits.release();
                }
            });
        } catch (RuntimeException e) {
            permits.release();
            throw new InvocationException(componentId, Kind.HOST_FAILURE, "cannot start a worker thread: " + ComponentRuntime.oneLine(e));
        }
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            invocation.cancel();
            future.cancel(true);
            throw new InvocationException(componentId, Kind.TIMEOUT,
                    "timed out after " + timeout.toMillis() + " ms and was interrupted");
        } catch (InterruptedException e) {
            invocation.cancel();
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new InvocationException(componentId, Kind.HOST_FAILURE, "interrupted");
        } catch (ExecutionException e) {
            throw classify(componentId, e.getCause());
        }
    }

    /** Maps whatever escaped a guest call to one of the documented failure kinds. */
    static InvocationException classify(String componentId, Throwable t) {
        if (t instanceof InvocationException ie) {
            return ie;
        }
        if (t instanceof GuestTrapException) {
            return new InvocationException(componentId, Kind.ABI_VIOLATION, "broke the ABI: " + ComponentRuntime.oneLine(t));
        }
        if (t instanceof ChicoryInterruptedException) {
            return new InvocationException(componentId, Kind.TIMEOUT, "was interrupted");
        }
        if (t instanceof InvocationTimeoutException) {
            return new InvocationException(componentId, Kind.TIMEOUT, "timed out: " + ComponentRuntime.oneLine(t));
        }
        if (t instanceof StackOverflowError || (t instanceof ChicoryException && String.valueOf(t.getMessage()).contains("call stack exhausted"))) {
            return new InvocationException(componentId, Kind.STACK_EXHAUSTED, "exhausted the call stack");
        }
        if (t instanceof ChicoryException) {
            return new InvocationException(componentId, Kind.TRAP, "trapped: " + ComponentRuntime.oneLine(t));
        }
        return new InvocationException(componentId, Kind.HOST_FAILURE,
                "host failure: " + t.getClass().getSimpleName() + ": " + ComponentRuntime.oneLine(t));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
