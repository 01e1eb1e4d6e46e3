package dev.spindle.cli.logging;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@code spindle} writes its log to standard error.
 *
 * @param format one line of text, or one JSON object, per event
 * @param quiet leave guest output and the access log off the terminal (as Spin's {@code -q})
 * @param logDirectory also append each component's stdout and stderr lines to
 *     {@code <dir>/<component>_stdout.txt} and {@code _stderr.txt} (Spin's {@code --log-dir})
 */
public record LogSettings(Format format, boolean quiet, Optional<Path> logDirectory) {
    public enum Format { TEXT, JSON }

    public LogSettings {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(logDirectory, "logDirectory");
    }

    /** Text, everything on the terminal, no log directory: what {@code spindle} does before options are read. */
    public static LogSettings defaults() {
        return new LogSettings(Format.TEXT, false, Optional.empty());
    }
}
