package dev.spindle.host.abi;

import dev.spindle.host.GuestMemory;

/**
 * {@code own<R>} or {@code borrow<R>} of a host resource: an i32 handle into the instance's
 * {@link ResourceTable} (size 4, align 4). The Java value is the resource's representation
 * {@code T}.
 *
 * <ul>
 *   <li>Lifting a {@code borrow} (a guest passes a handle it holds) looks the handle up; lifting an
 *       {@code own} takes it out of the table: the host owns the resource from then on.
 *   <li>Lowering an {@code own} (the host hands the guest a new resource) inserts it and passes
 *       the new handle. Lowering a {@code borrow} (only into an export call's parameters) lends
 *       the resource for the duration of that call.
 * </ul>
 * Unknown, dropped or other-typed handles trap.
 */
public final class HandleType<T> extends WitType<T> {

    private final ResourceType<T> resource;
    private final boolean own;

    HandleType(ResourceType<T> resource, boolean own) {
        super(4, 4, I32_1, false, true);
        this.resource = resource;
        this.own = own;
    }

    public ResourceType<T> resource() {
        return resource;
    }

    public boolean isOwn() {
        return own;
    }

    @Override
    public String wit() {
        return (own ? "own<" : "borrow<") + resource.name() + ">";
    }



    private T lift(AbiContext cx, int handle) {
        ResourceTable table = cx.resources();
        return own ? table.take(resource, handle) : table.get(resource, handle);
    }

    private int lower(AbiContext cx, T rep) {
        ResourceTable table = cx.resources();
        if (!own) {
            int existing = table.handleOf(rep);
            if (existing != 0) {
                return existing; // the guest already holds it: borrow its own handle
            }
            int handle = table.insert(resource, rep);
            cx.lent(handle);
            return handle;
        }
        return table.insert(resource, rep);
    }

    @Override
    public T load(AbiContext cx, int address) {
        return lift(cx, cx.memory().readI32(address));
    }

    @Override
    public T liftFlat(AbiContext cx, long[] core, int at) {
        return lift(cx, (int) core[at]);
    }

    @Override
    public void store(AbiContext cx, int address, T value) {
        GuestMemory m = cx.memory();
        m.writeI32(address, lower(cx, value));
    }

    @Override
    public void lowerFlat(AbiContext cx, T value, long[] core, int at) {
        core[at] = lower(cx, value);
    }
}
