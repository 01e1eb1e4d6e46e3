package dev.spindle.host;

/**
 * The invocation is past its deadline, or the engine cancelled it: every host call from then on
 * throws this instead of doing its work, so a guest cannot keep its thread, its connections or its
 * concurrency slot by looping on host calls. The engine ends the invocation as a timeout.
 *
 * <p>Not a {@link GuestTrapException}: the guest broke no contract, it ran out of time.
 */
public final class InvocationTimeoutException extends RuntimeException {
    public InvocationTimeoutException(String message) {
        super(message, null, false, false);
    }

    public InvocationTimeoutException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
