package dev.spindle.runtime;

import dev.spindle.manifest.text.Redactor;
import java.util.function.UnaryOperator;

/**
 * One invocation of a component failed. The app keeps running; the next invocation gets a
 * fresh instance. The message is one line naming the component.
 */
public final class InvocationException extends RuntimeException implements Redactor.Redactable {
    /** Why the invocation ended. */
    public enum Kind {
        /** The guest executed a trap (unreachable, out-of-bounds access, bad handle, ...). */
        TRAP,
        /** The guest ran past its wall-clock budget and was interrupted. */
        TIMEOUT,
        /** The guest recursed past the stack. */
        STACK_EXHAUSTED,
        /** The guest broke the ABI contract in a call to the host. */
        ABI_VIOLATION,
        /** The guest lacks the export the trigger needs. */
        MISSING_EXPORT,
        /** Something failed on the host side. */
        HOST_FAILURE
    }

    private final String componentId;
    private final Kind kind;
    private final String reason;

    public InvocationException(String componentId, Kind kind, String reason) {
        super("component \"" + componentId + "\": " + reason);
        this.componentId = componentId;
        this.kind = kind;
        this.reason = reason;
    }

    @Override
    public InvocationException withMessage(UnaryOperator<String> redaction) {
        return new InvocationException(componentId, kind, redaction.apply(reason));
    }

    public String componentId() {
        return componentId;
    }

    public Kind kind() {
        return kind;
    }
}
