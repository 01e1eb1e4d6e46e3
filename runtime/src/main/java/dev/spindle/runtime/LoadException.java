package dev.spindle.runtime;

/**
 * A component cannot be loaded: its source is missing, is not a valid Wasm module, or imports
 * something the host does not provide. The message is one line naming the component.
 */
public final class LoadException extends RuntimeException {
    public LoadException(String message) {
        super(message);
    }
}
