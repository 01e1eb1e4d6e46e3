package dev.spindle.redis;

import java.util.Objects;

/**
 * A key-value failure the guest sees as a value. The kinds are the union of the error cases of
 * Spin's key-value interfaces; each interface maps them to its own variant (the unversioned and
 * wit-bindgen 0.2 interfaces have all six, {@code fermyon:spin/key-value@2.0.0} has no
 * {@code invalid-store} and {@code no-such-key}). Messages never contain credentials.
 */
public final class KeyValueError extends RuntimeException {

    public enum Kind {
        /** The instance already holds as many open stores as it may. */
        STORE_TABLE_FULL,
        /** The label is allowed to the component but no store is configured for it. */
        NO_SUCH_STORE,
        /** The component's {@code key_value_stores} does not list the label. */
        ACCESS_DENIED,
        /** A u32 store handle that was never opened or is closed (unversioned / legacy interfaces). */
        INVALID_STORE,
        /** No value for the key (the legacy {@code get}; 2.0.0's answers {@code ok(none)}). */
        NO_SUCH_KEY,
        /** Anything else: the server is unreachable, a reply exceeded the limit, ... */
        OTHER
    }

    private final Kind kind;

    KeyValueError(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = Objects.requireNonNull(kind);
    }

    static KeyValueError other(String message) {
        return new KeyValueError(Kind.OTHER, message);
    }

    public Kind kind() {
        return kind;
    }
}
