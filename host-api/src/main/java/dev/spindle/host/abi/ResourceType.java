package dev.spindle.host.abi;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A WIT {@code resource} the host implements, such as Redis' {@code connection} or wasi:io's
 * {@code input-stream}: its name, the Java class of its representation {@code T}, and what
 * closing one does ({@code [resource-drop]}, or the end of the invocation).
 *
 * <p>A <em>child</em> resource ({@link #childOf}) belongs to a parent resource, the way a
 * wasi:http body stream belongs to its body: the table refuses to drop a parent while one of its
 * children lives, and closes children before their parents.
 *
 * @param <T> the host's representation of one resource
 */
public final class ResourceType<T> {
    private final String name;
    private final Class<T> type;
    private final Consumer<? super T> close;
    private final ResourceType<?> parent;
    private final Function<? super T, ?> parentOf;

    private ResourceType(String name, Class<T> type, Consumer<? super T> close, ResourceType<?> parent,
            Function<? super T, ?> parentOf) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.close = Objects.requireNonNull(close, "close");
        this.parent = parent;
        this.parentOf = parentOf;
    }

    /**
     * @param name the WIT resource name, e.g. {@code connection}
     * @param close releases one resource; called once, on {@code [resource-drop]} or when the
     *     instance's table is closed. It may run on another thread than the guest's (an invocation
     *     timeout) while a host call still uses the resource, and must cope with that.
     */
    public static <T> ResourceType<T> of(String name, Class<T> type, Consumer<? super T> close) {
        return new ResourceType<>(name, type, close, null, null);
    }

    /**
     * This resource type as a child of {@code parent}: every representation names its parent's
     * representation through {@code parentOf}, and the table links the two handles when the child
     * is inserted.
     */
    public <P> ResourceType<T> childOf(ResourceType<P> parent, Function<? super T, ? extends P> parentOf) {
        return new ResourceType<>(name, type, close, Objects.requireNonNull(parent, "parent"),
                Objects.requireNonNull(parentOf, "parentOf"));
    }

    public String name() {
        return name;
    }

    public Class<T> type() {
        return type;
    }

    /** The parent resource type, or null. */
    public ResourceType<?> parent() {
        return parent;
    }

    Object parentOf(T rep) {
        return parentOf.apply(rep);
    }

    void close(Object rep) {
        close.accept(type.cast(rep));
    }

    @Override
    public String toString() {
        return name;
    }
}
