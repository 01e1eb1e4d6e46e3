package dev.spindle.host;

/**
 * A guest asked to end its invocation with an exit status ({@code wasi:cli/exit.exit}): thrown
 * through the guest's call like a trap, and read by the engine as the command's status instead of
 * a failure. Host interfaces that implement an exit throw a subclass; the engine names only this.
 */
public abstract class GuestExit extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected GuestExit(String message) {
        super(message, null, false, false);
    }

    /** The exit status: 0 for success. */
    public abstract int status();
}
