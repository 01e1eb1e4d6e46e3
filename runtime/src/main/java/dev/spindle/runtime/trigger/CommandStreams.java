package dev.spindle.runtime.trigger;

import java.io.PrintStream;
import java.util.Objects;

/**
 * Where {@code [[trigger.command]]} components write: their stdout and stderr pass straight
 * through, and a run that fails (trap, timeout) prints one {@code error: } line to {@code stderr}.
 * Default: the process's streams as they are when the trigger starts.
 */
public record CommandStreams(PrintStream stdout, PrintStream stderr) {
    public CommandStreams {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
    }

    /** {@link System#out} and {@link System#err}, read now. */
    public static CommandStreams system() {
        return new CommandStreams(System.out, System.err);
    }
}
