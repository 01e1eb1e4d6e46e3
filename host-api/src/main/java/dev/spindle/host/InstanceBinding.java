package dev.spindle.host;

import java.util.List;

/**
 * The per-instance side of a capability: its imports, bound to state owned by one instance,
 * and the cleanup the engine runs when the invocation ends (trap, timeout or success alike).
 */
public interface InstanceBinding extends AutoCloseable {

    List<HostImport> imports();

    /** Returns every resource the instance still holds (connections, handles). Must not throw. */
    @Override
    void close();

    /**
     * A binding with nothing of its own to close: its state lives in the instance's
     * {@code InstanceScope} (resource table), which the engine closes.
     */
    static InstanceBinding of(List<HostImport> imports) {
        return of(imports, () -> {});
    }

    /** A binding that runs {@code close} when the invocation ends ({@code close} must not throw). */
    static InstanceBinding of(List<HostImport> imports, Runnable close) {
        // Bound interfaces are immutable, and copying them would make every host function at once.
        List<HostImport> bound = imports instanceof dev.spindle.host.abi.WitInterface.Bound<?> ? imports : List.copyOf(imports);
        return new InstanceBinding() {
            @Override
            public List<HostImport> imports() {
                return bound;
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
