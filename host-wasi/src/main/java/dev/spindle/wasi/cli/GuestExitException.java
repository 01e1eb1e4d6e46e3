package dev.spindle.wasi.cli;

/**
 * A guest called {@code wasi:cli/exit.exit}: the invocation ends here with this status (0 for
 * {@code ok}, 1 for {@code err}). Thrown through the guest's call like a trap; the engine reads
 * the status.
 */
public final class GuestExitException extends dev.spindle.host.GuestExit {
    private static final long serialVersionUID = 1L;
    private final int status;

    public GuestExitException(int status) {
        super("the guest exited with status " + status);
        this.status = status;
    }

    @Override
    public int status() {
        return status;
    }
}
