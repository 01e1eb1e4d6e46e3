package dev.spindle.runtime;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.ChicoryException;
import dev.spindle.host.GuestMemory;
import java.util.Optional;

/**
 * A live guest instance, handed to code running inside {@link SpindleApp#invoke}. Valid only
 * during that call and only on the invocation thread (Chicory instances are single-threaded).
 */
public final class Guest {
    private final String componentId;
    private final Instance instance;
    private final GuestMemory memory;

    Guest(String componentId, Instance instance) {
        this.componentId = componentId;
        this.instance = instance;
        this.memory = GuestMemory.of(instance);
    }

    public String componentId() {
        return componentId;
    }

    /** The exported function, if the module has one by that name. */
    public Optional<ExportFunction> export(String name) {
        try {
            return Optional.ofNullable(instance.exports().function(name));
        } catch (ChicoryException e) {
            return Optional.empty();
        }
    }

    /** Calls an export with core arguments; a missing export ends the invocation with {@link InvocationException.Kind#MISSING_EXPORT}. */
    public long[] call(String name, long... args) {
        ExportFunction fn =
                export(name)
                        .orElseThrow(
                                () -> new InvocationException(
                                        componentId, InvocationException.Kind.MISSING_EXPORT, "module has no export \"" + name + "\""));
        return fn.apply(args);
    }

    /** The instance's memory, through the same bounds-checked marshalling the host functions use. */
    public GuestMemory memory() {
        return memory;
    }
}
