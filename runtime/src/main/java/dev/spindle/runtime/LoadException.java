package dev.spindle.runtime;

import dev.spindle.manifest.text.Redactor;
import java.util.function.UnaryOperator;

/**
 * A component cannot be loaded: its source is missing, is not a valid Wasm module, or imports
 * something the host does not provide. The message is one line naming the component.
 */
public final class LoadException extends RuntimeException implements Redactor.Redactable {
    public LoadException(String message) {
        super(message);
    }

    @Override
    public LoadException withMessage(UnaryOperator<String> redaction) {
        return new LoadException(redaction.apply(getMessage()));
    }
}
