package dev.spindle.wasi.io;

/**
 * A blocking host call (a stream read, a poll, waiting for an HTTP response) was interrupted:
 * the invocation ran out of time and its thread is being stopped. Propagates out of the guest
 * call; the interrupt flag is set again so the engine sees it.
 */
public final class HostInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private HostInterruptedException(String message) {
        super(message, null, false, false);
    }

    public static HostInterruptedException from(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new HostInterruptedException("interrupted while waiting in a host call");
    }
}
