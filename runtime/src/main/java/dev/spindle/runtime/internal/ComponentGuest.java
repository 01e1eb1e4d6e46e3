package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.ExportFunction;
import dev.spindle.component.ComponentInstance;
import dev.spindle.component.InstantiationPlan.LiftedExport;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.abi.InstanceScope;
import java.util.Optional;

/**
 * A component instance seen through {@link GuestInstance}: {@code <interface>#<func>} finds the
 * lifted export (any version of an unversioned interface), {@code cabi_post_<name>} its
 * post-return option, and the scope is the one of its canonical options (memory, realloc) — the
 * same one the component's lowerings with those options use.
 */
final class ComponentGuest implements GuestInstance {
    private static final String POST_RETURN_PREFIX = "cabi_post_";

    private final ComponentInstance instance;
    private final InstanceScope scope;

    /** @param scope the invocation's scope, shared with the component's lowerings */
    ComponentGuest(ComponentInstance instance, InstanceScope scope) {
        this.instance = instance;
        this.scope = scope;
    }

    @Override
    public Optional<ExportFunction> export(String name) {
        if (name.startsWith(POST_RETURN_PREFIX)) {
            return instance.lifted(name.substring(POST_RETURN_PREFIX.length())).flatMap(instance::postReturn);
        }
        return instance.lifted(name).map(instance::function);
    }

    @Override
    public InstanceScope scope() {
        LiftedExport e = instance.plan().exports().stream()
                .filter(x -> x.memory().isPresent())
                .findFirst()
                .orElseThrow(() -> new GuestTrapException("the component exports no function that takes a memory"));
        return ComponentBindings.exportScope(scope, instance.context(e));
    }
}
