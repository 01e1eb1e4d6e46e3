package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.wasm.ChicoryException;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostLog;
import dev.spindle.host.HostMemoryBudget;
import dev.spindle.host.InvocationContext;
import dev.spindle.host.InvocationTimeoutException;
import dev.spindle.host.Tracing;
import dev.spindle.runtime.InvocationException;
import dev.spindle.runtime.InvocationException.Kind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

/**
 * Runs each invocation on a thread with a large stack and a wall-clock budget.
 *
 * <p><b>Where it runs.</b> A caller that is itself an <em>invocation thread</em> (made by
 * {@link #threadFactory}: the HTTP trigger's server threads are) runs the invocation right there,
 * with no hand-off: it has the 16 MiB stack guests need, and the watchdog below gives it the same
 * deadline a worker would have. Any other caller (a plain thread, an invocation already running
 * on this thread, or any caller with the interpreter, whose loops cannot be interrupted) hands the
 * invocation to one of the executor's own worker threads and waits for it at most the timeout.
 * The hand-off costs two thread wake-ups per invocation (docs/benchmarks.md, P4).
 *
 * <p><b>Deadline.</b> Each invocation runs with an {@link InvocationContext} carrying its deadline.
 * On timeout the context is cancelled first (every later host call traps, and capabilities' cancel
 * hooks run on the timeout side: a Redis read blocked past the deadline has its socket closed), then
 * the thread running the guest is interrupted: compiled guests stop at their next backward branch.
 * For a worker, the waiting caller does both and returns at once; for an invocation running in
 * place, a watchdog thread does (within a few milliseconds of the deadline), and the interrupt is
 * cleared before the thread goes back to its other work. The interpreter does not check for
 * interrupts in loops, so an interpreted runaway guest that makes no host call keeps its worker —
 * and its concurrency permit, so stuck threads can never pile up without bound.
 */
public final class InvocationExecutor implements AutoCloseable {
    private final Duration timeout;
    private final HostMemoryBudget memory;
    private final Semaphore permits;
    private final ThreadPoolExecutor pool;
    private final long stackBytes;
    private final boolean inPlace;
    private final Watchdog watchdog;
    private final AtomicInteger threadCounter = new AtomicInteger();
    private final ConcurrentHashMap<Series, Counter> counters = new ConcurrentHashMap<>();

    /**
     * @param inPlace whether invocation threads run invocations in place (false for the interpreter:
     *     a runaway loop there would hold the caller's thread past the deadline)
     */
    public InvocationExecutor(int maxConcurrent, long stackBytes, Duration timeout, HostLog log, HostMemoryBudget memory,
                              boolean inPlace) {
        this(maxConcurrent, stackBytes, timeout, memory, inPlace, UnaryOperator.identity());
    }

    /** @param workerThreads wraps the factory of worker threads (tests delay a worker's start with it) */
    InvocationExecutor(int maxConcurrent, long stackBytes, Duration timeout, HostMemoryBudget memory, boolean inPlace,
                       UnaryOperator<ThreadFactory> workerThreads) {
        this.timeout = timeout;
        this.memory = memory;
        this.stackBytes = stackBytes;
        this.inPlace = inPlace;
        this.permits = new Semaphore(maxConcurrent);
        // No queue: the semaphore bounds concurrency, so the pool only ever holds permit holders.
        this.pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                workerThreads.apply(threadFactory("spindle-guest-")));
        this.watchdog = new Watchdog(timeout);
    }

    public InvocationExecutor(int maxConcurrent, long stackBytes, Duration timeout, HostLog log, HostMemoryBudget memory) {
        this(maxConcurrent, stackBytes, timeout, log, memory, true);
    }

    /**
     * Makes invocation threads (daemons with the invocation stack size, named {@code prefix}N): a
     * server that runs its request handling on them lets invocations run in place.
     */
    public ThreadFactory threadFactory(String prefix) {
        return r -> {
            Thread t = new InvocationThread(r, prefix + threadCounter.incrementAndGet(), stackBytes, watchdog);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Runs {@code work} for a component; every failure comes back as one {@link InvocationException}.
     * Counted in {@code spindle.invocations} by component and outcome ({@code ok}, or the failure's
     * kind: {@code trap}, {@code timeout}, ...), and traced as one span ({@link Tracing#invocation}) ending with that outcome.
     */
    public <T> T run(String componentId, Callable<T> work) {
        // Traced: the guest runs with the invocation's span current, on whichever thread runs it,
        // so its Redis calls are children of it (tracing off: NONE, and work itself).
        Tracing.Traced span = Tracing.get().invocation(componentId);
        try {
            T result = runCounted(componentId, span.wrap(work));
            count(componentId, "ok");
            span.endInvocation(null);
            return result;
        } catch (InvocationException e) {
            String outcome = e.kind().name().toLowerCase(java.util.Locale.ROOT);
            count(componentId, outcome);
            span.endInvocation(outcome);
            throw e;
        } catch (RuntimeException | Error e) {
            span.endInvocation("host_failure");
            throw e;
        }
    }

    private void count(String componentId, String outcome) {
        // Registered once per series and reused (registering builds and sorts the tags each time).
        Counter counter = counters.get(new Series(componentId, outcome));
        if (counter == null) {
            counter = counters.computeIfAbsent(new Series(componentId, outcome), k -> Counter.builder("spindle.invocations")
                    .description("Guest invocations by component and outcome")
                    .tags("component", k.componentId(), "outcome", k.outcome()).register(Metrics.globalRegistry));
        }
        counter.increment();
    }

    private record Series(String componentId, String outcome) {}

    private <T> T runCounted(String componentId, Callable<T> work) {
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
        if (inPlace && Thread.currentThread() instanceof InvocationThread thread && thread.watchdog == watchdog && !thread.busy) {
            try {
                return runInPlace(thread, componentId, invocation, work);
            } finally {
                permits.release();
            }
        }
        return runOnWorker(componentId, invocation, work);
    }

    private <T> T runInPlace(InvocationThread thread, String componentId, InvocationContext invocation, Callable<T> work) {
        thread.busy = true;
        long ticket = thread.begin(invocation, System.nanoTime() + timeout.toNanos());
        boolean timedOut = false;
        try {
            T result = invocation.runAsCurrent(work);
            timedOut = thread.end(ticket);
            return result;
        } catch (Throwable t) {
            timedOut = thread.end(ticket);
            if (timedOut && !(t instanceof InvocationException)) {
                throw new InvocationException(componentId, Kind.TIMEOUT,
                        "timed out after " + timeout.toMillis() + " ms and was interrupted");
            }
            throw classify(componentId, t);
        } finally {
            thread.busy = false;
        }
    }

    private <T> T runOnWorker(String componentId, InvocationContext invocation, Callable<T> work) {
        // The permit is released by whoever claims the task first: the worker as it starts (it then
        // releases it when the guest is done, however long that takes), or the waiting caller when
        // it gives up on a task no worker has started (a cancelled task never runs its body).
        AtomicBoolean claimed = new AtomicBoolean();
        Future<T> future;
        try {
            future = pool.submit(() -> {
                if (!claimed.compareAndSet(false, true)) {
                    return null; // the caller gave up before this worker started, and released the permit
                }
                try {
                    InvocationThread self = (InvocationThread) Thread.currentThread();
                    self.busy = true; // a nested invocation from here must not run in place
                    try {
                        return invocation.runAsCurrent(work);
                    } finally {
                        self.busy = false;
                    }
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
            giveUp(invocation, future, claimed);
            throw new InvocationException(componentId, Kind.TIMEOUT,
                    "timed out after " + timeout.toMillis() + " ms and was interrupted");
        } catch (InterruptedException e) {
            giveUp(invocation, future, claimed);
            Thread.currentThread().interrupt();
            throw new InvocationException(componentId, Kind.HOST_FAILURE, "interrupted");
        } catch (ExecutionException e) {
            throw classify(componentId, e.getCause());
        }
    }

    /** Stops a worker's invocation the caller no longer waits for; releases its permit if no worker started it. */
    private void giveUp(InvocationContext invocation, Future<?> future, AtomicBoolean claimed) {
        invocation.cancel();
        future.cancel(true);
        if (claimed.compareAndSet(false, true)) {
            permits.release();
        }
    }

    /** Free invocation slots (tests). */
    int freePermits() {
        return permits.availablePermits();
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
        watchdog.close();
    }

    /**
     * A thread invocations may run on in place. Its running invocation is published as a ticket
     * (positive while it runs, 0 when none), so the watchdog can tell one invocation from the next:
     * it interrupts only if the ticket it saw expire is still the running one.
     */
    static final class InvocationThread extends Thread {
        private static final VarHandle TICKET;

        static {
            try {
                TICKET = MethodHandles.lookup().findVarHandle(InvocationThread.class, "ticket", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Watchdog watchdog;
        boolean busy; // this thread's own: an invocation runs on it now
        boolean watched; // this thread's own: the watchdog knows it
        private long issued; // this thread's own
        private volatile long ticket; // positive: the invocation running in place; negative: the watchdog is interrupting it
        private volatile long deadline;
        private volatile InvocationContext context;
        private volatile long interrupted; // the ticket the watchdog has finished interrupting

        InvocationThread(Runnable r, String name, long stackBytes, Watchdog watchdog) {
            super(null, r, name, stackBytes);
            this.watchdog = watchdog;
        }

        long begin(InvocationContext invocation, long deadlineNanos) {
            long t = ++issued;
            context = invocation;
            deadline = deadlineNanos;
            ticket = t; // published last: the watchdog reads the ticket first, then the deadline
            watchdog.watch(this);
            return t;
        }

        /** Ends the invocation; true if the watchdog timed it out (its interrupt is cleared here). */
        boolean end(long t) {
            if (TICKET.compareAndSet(this, t, 0L)) {
                context = null;
                return false;
            }
            while (interrupted != t) {
                Thread.onSpinWait(); // the watchdog is between its claim and the interrupt
            }
            Thread.interrupted();
            ticket = 0L;
            context = null;
            return true;
        }

        /** The watchdog's side: interrupts the invocation with this ticket if it is still running. */
        void expire(long t) {
            if (TICKET.compareAndSet(this, t, -t)) {
                InvocationContext c = context;
                if (c != null) {
                    c.cancel();
                }
                interrupt();
                interrupted = t;
            }
        }

        long ticket() {
            return ticket;
        }

        long deadline() {
            return deadline;
        }
    }

    /**
     * One daemon thread that times out invocations running in place. It sleeps while none runs;
     * while some do, it looks at each every tick (a twentieth of the timeout, between 1 and 10 ms)
     * and expires those past their deadline.
     */
    static final class Watchdog implements Runnable {
        private final CopyOnWriteArrayList<InvocationThread> threads = new CopyOnWriteArrayList<>();
        private final long tickNanos;
        private final Thread thread;
        private volatile boolean parked;
        private volatile boolean closed;

        Watchdog(Duration timeout) {
            this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(TimeUnit.MILLISECONDS.toNanos(10), timeout.toNanos() / 20));
            this.thread = new Thread(this, "spindle-watchdog");
            thread.setDaemon(true);
            thread.start();
        }

        /** Called by an invocation thread as an invocation starts in place. */
        void watch(InvocationThread t) {
            if (!t.watched) {
                t.watched = true;
                threads.add(t);
            }
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            while (!closed) {
                boolean anyRunning = false;
                long now = System.nanoTime();
                for (InvocationThread t : threads) {
                    if (!t.isAlive()) {
                        threads.remove(t);
                        continue;
                    }
                    long ticket = t.ticket();
                    if (ticket > 0) {
                        anyRunning = true;
                        if (now - t.deadline() >= 0) {
                            t.expire(ticket);
                        }
                    }
                }
                if (anyRunning) {
                    LockSupport.parkNanos(tickNanos);
                } else {
                    parked = true;
                    if (!anyRunningNow()) {
                        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                    }
                    parked = false;
                }
            }
        }

        private boolean anyRunningNow() {
            for (InvocationThread t : threads) {
                if (t.ticket() > 0) {
                    return true;
                }
            }
            return false;
        }

        void close() {
            closed = true;
            LockSupport.unpark(thread);
        }
    }
}
