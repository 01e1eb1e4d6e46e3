package dev.spindle.host;

import dev.spindle.host.abi.InstanceScope;

/**
 * A host capability (outbound Redis, variables, ...): an app-wide object, configured once, that
 * binds fresh per-instance state for every guest instance.
 *
 * <p>Binding must be cheap and must not do I/O: the engine binds once at load time only to learn
 * the imports it offers, and once per invocation for real.
 *
 * <p>Implement one of the two {@code bind} methods. Capabilities with resources implement
 * {@link #bind(ComponentContext, InstanceScope)}: the scope's resource table is the one every
 * interface bound to the instance shares, and the engine closes it when the invocation ends.
 */
public interface HostCapability extends AutoCloseable {

    /** Creates the per-instance state for one instance of a component. */
    default InstanceBinding bind(ComponentContext component, InstanceScope instance) {
        return bind(component);
    }

    /**
     * {@link #bind(ComponentContext, InstanceScope)} for an instance whose module imports only the
     * interfaces named in {@code importedModules} (module names as this capability declares them):
     * the engine calls this one per invocation, so a capability offering many interfaces (every
     * wasi:http version) binds only those the guest can call. The default binds everything.
     */
    default InstanceBinding bind(ComponentContext component, InstanceScope instance, java.util.Set<String> importedModules) {
        return bind(component, instance);
    }

    /** For capabilities that need nothing of the instance (no resources, no shared memory object). */
    default InstanceBinding bind(ComponentContext component) {
        throw new UnsupportedOperationException(getClass().getName() + " implements neither bind method");
    }

    /** Releases app-wide resources such as connection pools. */
    @Override
    default void close() {}
}
