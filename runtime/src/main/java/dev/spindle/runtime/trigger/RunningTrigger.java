package dev.spindle.runtime.trigger;

/**
 * What {@link TriggerType#start} returns: the trigger's work, running (or, for a trigger that
 * runs to completion, done).
 */
public interface RunningTrigger extends AutoCloseable {

    /** What the trigger announces once it serves (the HTTP trigger's routes); empty if nothing. */
    default String banner() {
        return "";
    }

    /** For a trigger that runs to completion: the exit code it finished with. 0 for serving triggers. */
    default int exitCode() {
        return 0;
    }

    /**
     * Stops taking new work and lets work in flight finish within the grace period the trigger
     * was started with ({@link ServeOptions#shutdownGrace()}). Idempotent; never throws.
     */
    @Override
    void close();
}
