package dev.spindle.manifest;

import java.util.Objects;
import java.util.Optional;

/**
 * A manifest or variable problem the user must fix. {@link #getMessage()} is always one line:
 * {@code file:line:column: what is wrong; what to write instead}.
 */
public final class ManifestException extends RuntimeException implements dev.spindle.manifest.text.Redactor.Redactable {
    private static final long serialVersionUID = 1L;

    private final transient Location location;
    private final String reason;

    public ManifestException(Location location, String reason) {
        super(format(location, reason));
        this.location = location;
        this.reason = oneLine(Objects.requireNonNull(reason, "reason"));
    }

    public ManifestException(String reason) {
        this(null, reason);
    }

    @Override
    public ManifestException withMessage(java.util.function.UnaryOperator<String> redaction) {
        return new ManifestException(location, redaction.apply(reason));
    }

    /** Where the problem is, when known. */
    public Optional<Location> location() {
        return Optional.ofNullable(location);
    }

    /** The message without the location prefix. */
    public String reason() {
        return reason;
    }

    private static String format(Location location, String reason) {
        String r = oneLine(Objects.requireNonNull(reason, "reason"));
        return location == null ? r : location + ": " + r;
    }

    private static String oneLine(String s) {
        return s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }
}
