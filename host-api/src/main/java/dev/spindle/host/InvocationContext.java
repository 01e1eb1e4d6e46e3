package dev.spindle.host;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * One invocation as the host sees it: its deadline, and what must happen when the timeout side
 * cancels it.
 *
 * <p>The engine creates one per invocation and makes it current on the invocation thread for the
 * whole invocation ({@link #runAsCurrent}). Host functions never look at it directly: the one
 * host-call wrapper ({@link HostCalls#guard}) checks it before and after every call. Capabilities
 * that hold something a blocked host call could be waiting on (a Redis socket) register an
 * {@link #onCancel} hook, which the engine runs from the timeout side, on another thread, so a
 * read blocked past the deadline is unblocked by closing its socket.
 *
 * <p>Thread-safe: the invocation thread reads it, the timeout side cancels it.
 */
public final class InvocationContext {
    private static final ThreadLocal<InvocationContext> CURRENT = new ThreadLocal<>();

    private final String componentId;
    private final Duration timeout;
    private final long deadlineNanos;
    private final HostMemoryBudget.Account memory;
    private volatile boolean cancelled;
    private final List<Runnable> cancelHooks = new ArrayList<>(); // guarded by this

    private InvocationContext(String componentId, Duration timeout, HostMemoryBudget budget) {
        this.componentId = Objects.requireNonNull(componentId, "componentId");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
        this.memory = budget.newAccount();
    }

    /**
     * An invocation of {@code componentId} whose deadline is {@code timeout} from now, its host
     * calls charged to {@code budget} (the app's).
     */
    public static InvocationContext start(String componentId, Duration timeout, HostMemoryBudget budget) {
        return new InvocationContext(componentId, timeout, Objects.requireNonNull(budget, "budget"));
    }

    /** {@link #start(String, Duration, HostMemoryBudget)} with {@link HostMemoryBudget#defaults()}. */
    public static InvocationContext start(String componentId, Duration timeout) {
        return start(componentId, timeout, HostMemoryBudget.processDefault());
    }

    /** The invocation running on this thread, if the engine started one. */
    public static Optional<InvocationContext> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** Runs {@code work} on this thread with this invocation as {@link #current()}. */
    public <T> T runAsCurrent(Callable<T> work) throws Exception {
        InvocationContext previous = CURRENT.get();
        CURRENT.set(this);
        try {
            return work.call();
        } finally {
            CURRENT.set(previous); // not remove(): the entry stays for the thread's next invocation
        }
    }

    public String componentId() {
        return componentId;
    }

    public Duration timeout() {
        return timeout;
    }

    /** The invocation's share of the app's host-memory budget; its host calls are charged to it. */
    public HostMemoryBudget.Account memory() {
        return memory;
    }

    /** Nanoseconds left until the deadline; zero or negative once it has passed. */
    public long remainingNanos() {
        return cancelled ? 0 : deadlineNanos - System.nanoTime();
    }

    /** True once the deadline has passed or the invocation was cancelled. */
    public boolean isOver() {
        return cancelled || deadlineNanos - System.nanoTime() <= 0;
    }

    /**
     * The check every host call makes: throws {@link InvocationTimeoutException} once the
     * invocation is over or its thread was interrupted. The interrupt flag is left set, so a
     * compiled guest also stops at its next backward branch.
     */
    public void checkActive() {
        if (isOver() || Thread.currentThread().isInterrupted()) {
            throw timedOut();
        }
    }

    /** The exception a host call throws once this invocation is over. */
    public InvocationTimeoutException timedOut() {
        return new InvocationTimeoutException("invocation of component \"" + componentId + "\" is past its "
                + timeout.toMillis() + " ms deadline; host calls are refused");
    }

    /**
     * Registers work for the timeout side: it runs once, on the thread that cancels the invocation
     * (at once, on this thread, if it was already cancelled). Hooks must be quick and must not
     * block on the invocation thread (close a socket, do not wait for a reply).
     */
    public void onCancel(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        synchronized (this) {
            if (!cancelled) {
                cancelHooks.add(hook);
                return;
            }
        }
        runQuietly(hook);
    }

    /**
     * Ends the invocation from the timeout side: every later host call throws, and the registered
     * hooks run now on the calling thread. Idempotent.
     */
    public void cancel() {
        List<Runnable> hooks;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            hooks = List.copyOf(cancelHooks);
            cancelHooks.clear();
        }
        hooks.forEach(InvocationContext::runQuietly);
    }

    public boolean isCancelled() {
        return cancelled;
    }

    private static void runQuietly(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            // A failing hook must not stop the others, nor turn a timeout into a host crash.
        }
    }
}
