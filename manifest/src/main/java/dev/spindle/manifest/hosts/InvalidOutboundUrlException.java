package dev.spindle.manifest.hosts;

/**
 * An address that cannot be used. The message is one line, {@code `address` reason}, where the address is shown
 * with its userinfo hidden, its control characters escaped and its length capped.
 */
public final class InvalidOutboundUrlException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    public InvalidOutboundUrlException(String message) {
        super(message);
        this.reason = message;
    }

    InvalidOutboundUrlException(String shownAddress, String reason) {
        super("`" + shownAddress + "` " + reason);
        this.reason = reason;
    }

    /** Why the address was refused, without the address. */
    public String reason() {
        return reason;
    }
}
