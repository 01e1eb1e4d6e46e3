package dev.spindle.host;

/**
 * A host capability (outbound Redis, variables, ...): an app-wide object, configured once, that
 * binds fresh per-instance state for every guest instance.
 *
 * <p>Binding must be cheap and must not do I/O: the engine binds once at load time only to learn
 * the imports it offers, and once per invocation for real.
 */
public interface HostCapability extends AutoCloseable {

    /** Creates the per-instance state (handle tables and the like) for one instance of a component. */
    InstanceBinding bind(ComponentContext component);

    /** Releases app-wide resources such as connection pools. */
    @Override
    default void close() {}
}
