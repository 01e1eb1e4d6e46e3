package dev.spindle.component;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import dev.spindle.component.InstantiationPlan.InstanceExport;
import dev.spindle.component.InstantiationPlan.LiftedExport;
import java.util.List;
import java.util.Optional;

/**
 * One live instance of a component: its core instances, and its lifted exports by core name.
 * Like a Chicory {@link Instance}, confined to one thread at a time.
 */
public final class ComponentInstance {
    private final InstantiationPlan plan;
    private final List<Instance> instances;

    private final ComponentInstantiator instantiator;
    private final Runnable clearGuestResources;

    ComponentInstance(InstantiationPlan plan, List<Instance> instances, ComponentInstantiator instantiator,
                      Runnable clearGuestResources) {
        this.instantiator = instantiator;
        this.clearGuestResources = clearGuestResources;
        this.plan = plan;
        this.instances = List.copyOf(instances);
    }

    /** How many core instances it has (plan ids 0 to count - 1). */
    public int coreInstanceCount() {
        return instances.size();
    }

    /**
     * Forgets every handle of the component's own resource types ({@code canon resource.new}), as a
     * fresh instance has none. For an engine that reuses instances: it restores the core
     * instances' memories, globals and tables itself, then calls this.
     */
    public void clearGuestResources() {
        clearGuestResources.run();
    }

    /** The core instance with this plan id. */
    public Instance coreInstance(int id) {
        return instances.get(id);
    }

    /**
     * The lifted export with this core-style name: {@code <interface>#<func>}, e.g.
     * {@code wasi:http/incoming-handler@0.2.0#handle} ({@link InstantiationPlan#findExport}).
     */
    public Optional<LiftedExport> lifted(String coreName) {
        return plan.findExport(coreName);
    }

    /** The core function a lifted export calls. */
    public ExportFunction function(LiftedExport export) {
        return resolve(export.core());
    }

    /** The core instance whose memory a lifted export's arguments and results live in (the function's own, without a memory option). */
    public Instance memoryOwner(LiftedExport export) {
        return instances.get(export.memory().orElse(export.core()).instance());
    }

    /**
     * A lifted export's canonical options as a lowering context: the host lowers the export's
     * arguments into that memory with that realloc, and shares host state with lowerings of the
     * same key.
     */
    public dev.spindle.component.ComponentHost.LoweringContext context(LiftedExport export) {
        return instantiator.context(export.memory(), export.realloc(), instances);
    }

    /** The realloc of a lifted export's options, if it has one. */
    public Optional<ExportFunction> realloc(LiftedExport export) {
        return export.realloc().map(this::resolve);
    }

    /** The post-return function of a lifted export's options, if it has one. */
    public Optional<ExportFunction> postReturn(LiftedExport export) {
        return export.postReturn().map(this::resolve);
    }

    ExportFunction resolve(InstanceExport e) {
        return instances.get(e.instance()).exports().function(e.name());
    }

    public InstantiationPlan plan() {
        return plan;
    }
}
