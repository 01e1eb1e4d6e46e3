package dev.spindle.host;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How much host memory guest-driven buffers may take: what one invocation may hold at once, and
 * what all invocations of the app may hold together ("in flight"). Guest input must never be able
 * to make the host allocate without bound (200 {@code execute} arguments pointing at the same
 * 32 MiB of guest memory once asked the host for 6.4 GB).
 *
 * <p>Every byte a host call copies out of guest memory ({@link GuestMemory}'s reads, counted as
 * they are read, so aliased list elements count every time) and every byte of a reply the host
 * buffers for the guest (a Redis reply) is charged to the calling invocation's {@link Account}
 * before it is allocated, plus {@link #ELEMENT_OVERHEAD_BYTES} per element. A charge over either
 * limit throws {@link HostMemoryExceededException} and allocates nothing. What a host call charged
 * is released when the call returns ({@link HostCalls}).
 *
 * <p>Thread-safe: the in-flight total is shared; an account belongs to one invocation thread.
 */
public final class HostMemoryBudget {
    /**
     * 256 MiB per invocation: room for one Redis reply at its 128 MiB cap plus arguments as large as
     * the default 128 MiB guest memory. A guest without aliasing cannot need more.
     */
    public static final long DEFAULT_PER_INVOCATION_BYTES = 256L << 20;

    /**
     * Host buffers of all invocations together may take at most half the JVM's maximum heap: the
     * other half stays for guest linear memories (heap arrays), compiled code and the engine, so
     * guest-driven buffers alone can never exhaust the heap.
     */
    public static final int DEFAULT_TOTAL_HEAP_DIVISOR = 2;

    /**
     * Charged per element besides its payload (an array header and a reference): a list of a
     * million empty elements costs host memory too.
     */
    public static final int ELEMENT_OVERHEAD_BYTES = 16;

    /** For host calls made outside any engine invocation (an embedder driving an instance itself). */
    private static final HostMemoryBudget PROCESS_DEFAULT = defaults();

    private static final ThreadLocal<Account> CURRENT = new ThreadLocal<>();

    private final long perInvocationBytes;
    private final long totalBytes;
    private final AtomicLong inFlight = new AtomicLong();

    public HostMemoryBudget(long perInvocationBytes, long totalBytes) {
        if (perInvocationBytes < 1 || totalBytes < 1) {
            throw new IllegalArgumentException("host memory budgets must be positive, got " + perInvocationBytes + " and " + totalBytes);
        }
        this.perInvocationBytes = perInvocationBytes;
        this.totalBytes = totalBytes;
    }

    /** {@link #DEFAULT_PER_INVOCATION_BYTES}, and the heap over {@link #DEFAULT_TOTAL_HEAP_DIVISOR} in total. */
    public static HostMemoryBudget defaults() {
        return new HostMemoryBudget(DEFAULT_PER_INVOCATION_BYTES, defaultTotalBytes());
    }

    /** Half the JVM's maximum heap. */
    public static long defaultTotalBytes() {
        return Runtime.getRuntime().maxMemory() / DEFAULT_TOTAL_HEAP_DIVISOR;
    }

    /** The budget host calls outside any engine invocation are charged to. */
    static HostMemoryBudget processDefault() {
        return PROCESS_DEFAULT;
    }

    public long perInvocationBytes() {
        return perInvocationBytes;
    }

    public long totalBytes() {
        return totalBytes;
    }

    /** Bytes charged and not yet released, across every invocation. */
    public long inFlightBytes() {
        return inFlight.get();
    }

    /** A fresh account for one invocation. */
    public Account newAccount() {
        return new Account();
    }

    /** The account of the host call running on this thread; empty outside host calls. */
    public static Optional<Account> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** {@link #current()} without the {@code Optional}: null outside host calls (for per-element reads). */
    public static Account currentOrNull() {
        return CURRENT.get();
    }

    /** Makes {@code account} current for one host call; returns the one it replaces. */
    static Account enter(Account account) {
        Account previous = CURRENT.get();
        CURRENT.set(account);
        return previous;
    }

    static void leave(Account previous) {
        // set(null), not remove(): the thread's entry stays for its next host call instead of a
        // new one every call (a null value holds nothing).
        CURRENT.set(previous);
    }

    /** One invocation's share: what it holds now, and what a caller paid for ahead of reading. */
    public final class Account {
        private long held;
        private long prepaid;

        private Account() {}

        /**
         * Charges {@code bytes} about to be allocated for {@code what} (a noun phrase: "a redis
         * reply"), first from what was
         * {@linkplain #prepay prepaid}.
         *
         * @throws HostMemoryExceededException when the invocation or the app would go over budget
         */
        public void charge(long bytes, String what) {
            long fromPrepaid = Math.min(prepaid, bytes);
            prepaid -= fromPrepaid;
            reserve(bytes - fromPrepaid, bytes, what);
        }

        /**
         * Charges, before anything is read, the total a caller is about to read in pieces (a list's
         * elements): the pieces' {@link #charge}s then draw on it, so the call fails before its
         * first allocation when the whole would not fit.
         */
        public void prepay(long bytes, String what) {
            reserve(bytes, bytes, what);
            prepaid += bytes;
        }

        private void reserve(long bytes, long shown, String what) {
            if (bytes <= 0) {
                return;
            }
            if (bytes > perInvocationBytes - held) {
                throw new HostMemoryExceededException("host memory for " + what + " (" + shown + " bytes) exceeds the budget of "
                        + perInvocationBytes + " bytes per invocation");
            }
            long now;
            do {
                now = inFlight.get();
                if (bytes > totalBytes - now) {
                    throw new HostMemoryExceededException("host memory for " + what + " (" + shown + " bytes) exceeds what is left"
                            + " of the budget for all invocations (" + totalBytes + " bytes, " + now + " in use)");
                }
            } while (!inFlight.compareAndSet(now, now + bytes));
            held += bytes;
        }

        /** Bytes this invocation holds now. */
        public long held() {
            return held;
        }

        /** Releases everything charged since {@code mark} (a value of {@link #held()}), and any prepayment left. */
        void releaseTo(long mark) {
            long release = held - mark;
            if (release > 0) {
                inFlight.addAndGet(-release);
                held = mark;
            }
            prepaid = 0;
        }
    }
}
