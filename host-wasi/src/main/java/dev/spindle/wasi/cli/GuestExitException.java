package dev.spindle.wasi.cli;

/**
 * A guest called {@code wasi:cli/exit.exit}: the invocation ends here with this status (0 for
 * {@code ok}, 1 for {@code err}). Thrown through the guest's call like a trap; the engine reads
 * the status.
 */
public final class GuestExitException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public GuestExitException(int status) {
        super("the guest exited with status " + status, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
