package dev.spindle.host;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.WasmFunctionHandle;

/**
 * The one wrapper every host function runs in: Spindle's own imports ({@link HostImport}), WASI,
 * and anything else an engine links. Whatever builds {@code HostFunction}s (today
 * {@link HostImport#toHostFunction}, tomorrow the declarative ABI layer) passes them through
 * {@link #guard}.
 *
 * <p>It makes the invocation's {@link HostMemoryBudget.Account} current for the call and
 * releases what the call charged when it returns. Before and after the call it checks the current {@link InvocationContext}: once the
 * invocation is past its deadline, cancelled, or its thread interrupted, the call throws
 * {@link InvocationTimeoutException} instead of running (or instead of returning). A call that
 * fails after the deadline (a socket closed by the timeout side, WASI's "Thread interrupted") is
 * reported the same way, so the engine classifies it as the timeout it is. This is what makes a
 * guest that loops on host calls end at its deadline even when something inside a call swallowed
 * the thread's interrupt.
 */
public final class HostCalls {
    private HostCalls() {}

    /** {@code fn} with the deadline check around every call; type and names unchanged. */
    public static HostFunction guard(HostFunction fn) {
        WasmFunctionHandle body = fn.handle();
        return new HostFunction(fn.module(), fn.name(), fn.functionType(), (instance, args) -> call(instance, args, body));
    }

    /** Runs one host call under the current invocation's deadline. */
    public static long[] call(Instance instance, long[] args, WasmFunctionHandle body) {
        InvocationContext invocation = InvocationContext.current().orElse(null);
        check(invocation);
        // What the call copies out of guest memory or buffers for it is charged to the invocation
        // (outside an engine invocation, to a fresh account of the process-wide default budget)
        // and released when the call returns.
        HostMemoryBudget.Account memory = invocation != null ? invocation.memory() : HostMemoryBudget.processDefault().newAccount();
        HostMemoryBudget.Account outer = HostMemoryBudget.enter(memory);
        long mark = memory.held();
        long[] results;
        try {
            results = body.apply(instance, args);
        } catch (InvocationTimeoutException e) {
            throw e;
        } catch (RuntimeException e) {
            if (over(invocation)) {
                throw timedOut(invocation, e);
            }
            throw e;
        } finally {
            memory.releaseTo(mark);
            HostMemoryBudget.leave(outer);
        }
        check(invocation);
        return results;
    }

    private static void check(InvocationContext invocation) {
        if (over(invocation)) {
            throw timedOut(invocation, null);
        }
    }

    private static boolean over(InvocationContext invocation) {
        return Thread.currentThread().isInterrupted() || (invocation != null && invocation.isOver());
    }

    private static InvocationTimeoutException timedOut(InvocationContext invocation, Throwable cause) {
        InvocationTimeoutException e = invocation != null
                ? invocation.timedOut()
                : new InvocationTimeoutException("the invocation thread was interrupted; host calls are refused");
        if (cause != null) {
            e.addSuppressed(cause);
        }
        return e;
    }
}
