package dev.spindle.manifest.cron;

/** A {@code cron_expression} that cannot be parsed; the message is one line naming the field. */
public final class InvalidCronExpressionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidCronExpressionException(String message) {
        super(message);
    }
}
