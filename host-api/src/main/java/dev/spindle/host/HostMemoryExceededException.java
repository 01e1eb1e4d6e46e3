package dev.spindle.host;

/**
 * A host call would hold more host memory than its budget allows ({@link HostMemoryBudget}):
 * thrown before the memory is allocated. Interfaces report it to the guest as a value where their
 * WIT has an error case for it (Redis: {@code other("... exceeds ...")}).
 */
public final class HostMemoryExceededException extends RuntimeException {
    public HostMemoryExceededException(String message) {
        super(message, null, false, false);
    }
}
