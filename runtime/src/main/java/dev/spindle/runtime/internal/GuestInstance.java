package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.ChicoryException;
import dev.spindle.host.abi.InstanceScope;
import java.util.Optional;

/**
 * One live guest, as triggers see it: its exports by core name and the {@link InstanceScope} its
 * exports are called in (memory, allocator, resource table). A core module's instance, or a
 * component's instance whose lifted exports answer to the names a core module would export them
 * under ({@code <interface>#<func>}, {@code cabi_post_<interface>#<func>}).
 */
public interface GuestInstance {

    /** The export with this core name, if the guest has it. */
    Optional<ExportFunction> export(String name);

    /** The scope exports are called in, attached to the memory they use. */
    InstanceScope scope();

    /** A core module's instance and its scope. */
    static GuestInstance of(Instance instance, InstanceScope scope) {
        return new GuestInstance() {
            @Override
            public Optional<ExportFunction> export(String name) {
                if (scope.instance() == instance) {
                    return Optional.ofNullable(scope.memory().export(name)); // cached per instance
                }
                try {
                    return Optional.ofNullable(instance.exports().function(name));
                } catch (ChicoryException e) {
                    return Optional.empty();
                }
            }

            @Override
            public InstanceScope scope() {
                scope.attach(instance);
                return scope;
            }
        };
    }
}
