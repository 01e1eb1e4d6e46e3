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
}
