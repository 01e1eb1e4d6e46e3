package dev.spindle.manifest.hosts;

/**
 * An {@code allowed_outbound_hosts} entry that cannot be parsed. The message is one line: the entry, why it is
 * wrong, and what to write instead.
 */
public final class InvalidAllowedHostException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String entry;

    public InvalidAllowedHostException(String entry, String message) {
        super(message);
        this.entry = entry;
    }

    /** The entry exactly as written in the manifest (after variable resolution). */
    public String entry() {
        return entry;
    }
}
