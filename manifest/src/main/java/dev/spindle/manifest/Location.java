package dev.spindle.manifest;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A place in a manifest file. {@code line} and {@code column} are 1-based; 0 means "unknown"
 * (then {@link #toString()} prints only what is known).
 */
public record Location(Path file, int line, int column) {
    public Location {
        Objects.requireNonNull(file, "file");
    }

    /** A location naming only the file (no line known). */
    public static Location ofFile(Path file) {
        return new Location(file, 0, 0);
    }

    /** {@code file:line:column}, {@code file:line} or {@code file}. */
    @Override
    public String toString() {
        if (line <= 0) {
            return file.toString();
        }
        return column <= 0 ? file + ":" + line : file + ":" + line + ":" + column;
    }
}
