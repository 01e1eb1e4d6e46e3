package dev.spindle.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Which manifest a command works on, as Spin finds it: {@code -f/--from FILE|DIR} (a directory
 * means its {@code spin.toml}), or the positional MANIFEST kept from earlier Spindle versions;
 * with neither, {@code spin.toml} in the current directory or the nearest parent that has one,
 * stopping at the root of a Git repository.
 */
final class AppSource {
    static final String DEFAULT_MANIFEST = "spin.toml";
    /** Spin gives up after this many parent directories. */
    private static final int MAX_DISTANCE = 20;

    @Option(names = {"-f", "--from"}, paramLabel = "FILE|DIR",
            description = "The app's manifest, or a directory holding a spin.toml (default: spin.toml here or in the nearest parent directory).")
    Path from;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MANIFEST", description = "Same as --from (kept for earlier command lines).")
    Path positional;

    /**
     * The manifest file to load. When it came from a parent directory, says so on {@code err}
     * (as Spin does), so that a surprise is visible.
     *
     * @throws UsageException if both forms are given, or the file or directory is not there
     */
    Path resolve(Path workingDirectory, PrintWriter err) {
        if (from != null && positional != null) {
            throw new UsageException("give the manifest once: -f " + from + " or " + positional + ", not both");
        }
        Path given = from != null ? from : positional;
        if (given != null) {
            return resolveGiven(given);
        }
        Path dir = workingDirectory.toAbsolutePath().normalize();
        for (int distance = 0; dir != null && distance < MAX_DISTANCE; distance++, dir = dir.getParent()) {
            Path candidate = dir.resolve(DEFAULT_MANIFEST);
            if (Files.isRegularFile(candidate)) {
                Path shown = distance == 0 ? Path.of(DEFAULT_MANIFEST) : candidate;
                if (distance > 0) {
                    err.println("No " + DEFAULT_MANIFEST + " in the current directory; using " + shown + " from the "
                            + relation(distance) + " directory");
                }
                return shown;
            }
            if (Files.isDirectory(dir.resolve(".git"))) {
                break;
            }
        }
        throw new UsageException("no " + DEFAULT_MANIFEST + " in " + workingDirectory.toAbsolutePath().normalize()
                + " or its parent directories; pass -f FILE|DIR");
    }

    private static Path resolveGiven(Path given) {
        if (Files.isDirectory(given)) {
            Path file = given.resolve(DEFAULT_MANIFEST);
            if (!Files.isRegularFile(file)) {
                throw new UsageException("directory " + given + " has no " + DEFAULT_MANIFEST + "; pass -f with the manifest file");
            }
            return file;
        }
        // A missing file is left to the manifest loader, whose message names it the usual way.
        return given;
    }

    static String relation(int distance) {
        return switch (distance) {
            case 1 -> "parent";
            case 2 -> "grandparent";
            default -> "great-".repeat(distance - 2) + "grandparent";
        };
    }

    /** Convenience for the commands: the process's working directory. */
    Path resolve(PrintWriter err) {
        return resolve(Path.of(""), err);
    }
}
