package dev.spindle.runtime;

import com.dylibso.chicory.runtime.ExportFunction;
import dev.spindle.host.GuestMemory;
import dev.spindle.host.abi.AbiContext;
import dev.spindle.host.abi.AbiOptions;
import dev.spindle.host.abi.GuestExport;
import dev.spindle.host.abi.ResourceTable;
import dev.spindle.runtime.internal.GuestInstance;
import java.util.Optional;

/**
 * A live guest instance, handed to code running inside {@link SpindleApp#invoke}. Valid only
 * during that call and only on the invocation thread (Chicory instances are single-threaded).
 */
public final class Guest {
    private final String componentId;
    private final GuestInstance instance;
    private AbiContext canonical;

    Guest(String componentId, GuestInstance instance) {
        this.componentId = componentId;
        this.instance = instance;
    }

    public String componentId() {
        return componentId;
    }

    /**
     * The exported function, if the module has one by that name. For a Component Model binary the
     * names are the core ones of its lifted exports: {@code <interface>#<func>} (an unversioned
     * interface matches any version) and {@code cabi_post_<interface>#<func>}.
     */
    public Optional<ExportFunction> export(String name) {
        return instance.export(name);
    }

    /** Calls an export with core arguments; a missing export ends the invocation with {@link InvocationException.Kind#MISSING_EXPORT}. */
    public long[] call(String name, long... args) {
        return required(name).apply(args);
    }

    /** Calls a declared one-parameter export with the canonical ABI: see {@link GuestExport}. */
    public <A, R> R call(GuestExport.Unary<A, R> export, A argument) {
        return export.call(abi(), required(export.name()), argument);
    }

    /** Calls a declared one-parameter export under the given memory conventions (wit-bindgen 0.2 guests). */
    public <A, R> R call(GuestExport.Unary<A, R> export, AbiOptions options, A argument) {
        return export.call(options == AbiOptions.CANONICAL ? abi() : abi(options), required(export.name()), argument);
    }

    /** Calls a declared two-parameter export with the canonical ABI. */
    public <A, B, R> R call(GuestExport.Binary<A, B, R> export, A a, B b) {
        return export.call(abi(), required(export.name()), a, b);
    }

    private ExportFunction required(String name) {
        return export(name).orElseThrow(() -> new InvocationException(
                componentId, InvocationException.Kind.MISSING_EXPORT, "module has no export \"" + name + "\""));
    }

    /** The instance's memory, through the same bounds-checked marshalling the host functions use. */
    public GuestMemory memory() {
        return instance.scope().memory();
    }

    /** The instance's resource table, shared with every host interface bound to it. */
    public ResourceTable resources() {
        return instance.scope().resources();
    }

    /** Lifting and lowering under the canonical ABI's conventions ({@code cabi_realloc}, {@code cabi_post_*}). */
    public AbiContext abi() {
        if (canonical == null) {
            canonical = new AbiContext(instance.scope(), AbiOptions.CANONICAL);
        }
        return canonical;
    }

    /** Lifting and lowering under other conventions (wit-bindgen 0.2 guests). */
    public AbiContext abi(AbiOptions options) {
        return new AbiContext(instance.scope(), options);
    }
}
