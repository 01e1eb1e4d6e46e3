package dev.spindle.cli;

/**
 * The command line itself is wrong (a bad option value, options that go together, a name the
 * manifest does not have): one line, "see --help", exit 2, like picocli's own parse errors.
 */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
