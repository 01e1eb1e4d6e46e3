package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.ExportFunction;
import dev.spindle.component.ComponentInstance;
import dev.spindle.component.InstantiationPlan.LiftedExport;
import dev.spindle.host.abi.InstanceScope;
import java.util.List;
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

    /**
     * The scope attached to the memory the lifted exports use: that of the first one with a memory
     * option, else (componentize-js lifts {@code incoming-handler#handle} without one: it passes
     * only handles) that of the instance defining the first export's function — the main module,
     * whose memory the component's lowerings use too.
     */
    @Override
    public InstanceScope scope() {
        List<LiftedExport> exports = instance.plan().exports();
        Optional<LiftedExport> withMemory = exports.stream().filter(x -> x.memory().isPresent()).findFirst();
        if (withMemory.isPresent()) {
            return ComponentBindings.exportScope(scope, instance.context(withMemory.get()));
        }
        if (!exports.isEmpty()) {
            scope.attach(instance.memoryOwner(exports.get(0)));
        }
        return scope;
    }
}
