package dev.spindle.host;

/**
 * A guest broke the ABI contract: a pointer outside its memory, a handle it never received,
 * invalid UTF-8 where a string is required, an allocator that returned nonsense.
 *
 * <p>Host functions throw this instead of returning an error value because the guest's own
 * state is no longer trustworthy; the engine ends the invocation as a trap (Chicory lets a host
 * function's exception propagate unwrapped out of the export call).
 */
public final class GuestTrapException extends RuntimeException {
    public GuestTrapException(String message) {
        super(message);
    }
}
