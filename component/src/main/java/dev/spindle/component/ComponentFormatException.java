package dev.spindle.component;

/**
 * A component binary that cannot be loaded: malformed bytes, or a construct Spindle does not run
 * (async, value definitions, a canonical built-in beyond lift/lower/resource.*). The message is one
 * line naming the construct and, where known, its byte offset.
 */
public final class ComponentFormatException extends RuntimeException {
    public ComponentFormatException(String message) {
        super(message);
    }
}
