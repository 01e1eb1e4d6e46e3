package dev.spindle.host.abi;

import com.dylibso.chicory.runtime.Instance;
import dev.spindle.host.GuestMemory;
import java.util.List;
import java.util.Objects;

/**
 * The host side of one guest instance, shared by every interface bound to it: the instance's
 * {@link GuestMemory} and its {@link ResourceTable}.
 *
 * <p>The engine creates it before the instance exists (host functions must be bound first); the
 * first host call or export call {@linkplain #attach attaches} the instance, and from then on
 * every call reuses the same {@code GuestMemory} (with its cached allocator and UTF-8 decoder)
 * instead of building one per call.
 */
public final class InstanceScope {
    private final ResourceTable resources;
    private volatile Instance instance;
    private volatile GuestMemory memory;

    public InstanceScope() {
        this(new ResourceTable());
    }

    public InstanceScope(ResourceTable resources) {
        this.resources = Objects.requireNonNull(resources, "resources");
    }

    /**
     * A scope already attached to {@code memory}'s instance: an engine that reuses an instance for
     * many invocations gives each a fresh scope (a fresh resource table) but keeps the instance's
     * one {@code GuestMemory}, whose export lookups are then made once per instance, not per call.
     */
    public InstanceScope(ResourceTable resources, GuestMemory memory) {
        this(resources);
        this.memory = Objects.requireNonNull(memory, "memory");
        this.instance = memory.instance();
    }

    public ResourceTable resources() {
        return resources;
    }

    /** Binds the scope to its instance (idempotent); a different instance is a host bug. */
    public GuestMemory attach(Instance instance) {
        Instance current = this.instance;
        if (current == instance) {
            return memory;
        }
        synchronized (this) {
            if (this.instance == null) {
                this.memory = GuestMemory.of(instance);
                this.instance = instance;
            } else if (this.instance != instance) {
                throw new IllegalStateException("an InstanceScope belongs to one instance");
            }
            return memory;
        }
    }

    /** The attached instance's memory. */
    public GuestMemory memory() {
        GuestMemory m = memory;
        if (m == null) {
            throw new IllegalStateException("no guest instance is attached to this scope yet");
        }
        return m;
    }

    /** The attached instance, or null before the first call. */
    public Instance instance() {
        return instance;
    }

    /** Ends the instance: closes every resource it still holds; failures are returned, never thrown. */
    public List<RuntimeException> close() {
        return resources.closeAll();
    }
}
