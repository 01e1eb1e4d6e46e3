package dev.spindle.manifest.hosts;

/** A guest-supplied address that cannot be parsed. The message is one line and never contains the password. */
public final class InvalidOutboundUrlException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidOutboundUrlException(String message) {
        super(message);
    }
}
