package dev.spindle.host.abi;

import dev.spindle.host.GuestTrapException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One guest instance's resource handles, shared by every interface bound to that instance: a
 * handle from one interface's {@code open} works in any other interface that borrows the same
 * resource type (Spin's Redis interface and Spindle's extension share connections; wasi:http
 * and wasi:io share streams).
 *
 * <ul>
 *   <li><b>Typed.</b> Each entry has its {@link ResourceType}; using a handle as another type traps.
 *   <li><b>Bounded.</b> At most {@link #maxHandles()} live handles (default
 *       {@value #DEFAULT_MAX_HANDLES}); inserting past it closes the new resource and traps. An
 *       interface with a tighter, guest-visible limit (Redis' {@code too-many-connections}) checks
 *       {@link #count} before it creates anything.
 *   <li><b>Ids never reused.</b> Handles are 1, 2, 3, ... in creation order within the instance;
 *       0 is never a handle. A stale handle therefore traps instead of reaching a newer resource.
 *   <li><b>Children.</b> A child (see {@link ResourceType#childOf}) is linked to its parent's entry.
 *       Dropping or taking a parent while a child lives traps, as wasi:http specifies for a body and
 *       its stream (and as wasmtime enforces); {@link #closeAll} closes children first.
 *   <li><b>Closed at the end.</b> {@link #closeAll} runs when the invocation ends (success, trap
 *       or timeout alike), closes every live resource, collects failures, and never throws. After
 *       it, every use traps and a resource inserted late (a host call that was still running) is
 *       closed at once.
 * </ul>
 *
 * <p>Thread-safe: the guest's thread uses it, and {@code closeAll} may come from the thread that
 * enforces the invocation's deadline.
 */
public final class ResourceTable {

    /**
     * Live handles one instance may hold. A real guest holds a few (a Redis connection or two) to
     * a few dozen (a wasi:http handler's request, body, streams and pollables); an entry costs
     * about 100 bytes of host memory, so a guest leaking handles in a loop is stopped at ~1.6 MB.
     */
    public static final int DEFAULT_MAX_HANDLES = 16_384;

    private static final class Entry {
        final int handle;
        final ResourceType<?> type;
        final Object rep;
        final Entry parent;
        int children;

        Entry(int handle, ResourceType<?> type, Object rep, Entry parent) {
            this.handle = handle;
            this.type = type;
            this.rep = rep;
            this.parent = parent;
        }
    }

    private final int maxHandles;
    // Sized for the usual few handles: a table is made for every invocation.
    private final Map<Integer, Entry> entries = new LinkedHashMap<>(8);
    private final Map<Object, Entry> byRep = new IdentityHashMap<>(4);
    private final Map<ResourceType<?>, Integer> counts = new IdentityHashMap<>(2);
    private int nextHandle = 1;
    private boolean closed;

    public ResourceTable() {
        this(DEFAULT_MAX_HANDLES);
    }

    public ResourceTable(int maxHandles) {
        if (maxHandles < 1) {
            throw new IllegalArgumentException("maxHandles must be at least 1");
        }
        this.maxHandles = maxHandles;
    }

    public int maxHandles() {
        return maxHandles;
    }

    /**
     * Gives the guest a new handle for {@code rep} (an {@code own<T>} the host hands over). A
     * child's parent must be live in this table.
     *
     * @throws GuestTrapException when the table is full or closed, or handle ids are exhausted;
     *     {@code rep} is closed first, so it never leaks
     */
    public <T> int insert(ResourceType<T> type, T rep) {
        String refused;
        synchronized (this) {
            refused = closed ? "the instance's resources are already closed"
                    : entries.size() >= maxHandles ? "the instance holds " + maxHandles + " resource handles, the limit"
                    : nextHandle == Integer.MAX_VALUE ? "the instance used up its resource handle ids"
                    : null;
            if (refused == null) {
                if (byRep.containsKey(rep)) {
                    throw new IllegalStateException("this " + type + " already has handle " + byRep.get(rep).handle);
                }
                Entry parent = null;
                if (type.parent() != null) {
                    Object parentRep = type.parentOf(rep);
                    parent = byRep.get(parentRep);
                    if (parent == null || parent.type != type.parent()) {
                        throw new IllegalStateException("the parent " + type.parent() + " of a new " + type + " is not in the table");
                    }
                    parent.children++;
                }
                Entry e = new Entry(nextHandle++, type, rep, parent);
                entries.put(e.handle, e);
                byRep.put(rep, e);
                counts.merge(type, 1, Integer::sum);
                return e.handle;
            }
        }
        closeQuietly(type, rep);
        throw new GuestTrapException("cannot create a " + type + ": " + refused);
    }

    /** The live resource behind a {@code borrow<T>}; an unknown, dropped or other-typed handle traps. */
    public synchronized <T> T get(ResourceType<T> type, int handle) {
        return type.type().cast(live(type, handle, "use").rep);
    }

    /**
     * Removes a handle whose ownership passes to the host (an {@code own<T>} parameter) without
     * closing it; the caller now owns the resource.
     */
    public synchronized <T> T take(ResourceType<T> type, int handle) {
        Entry e = live(type, handle, "take");
        checkNoChildren(e, "pass on");
        remove(e);
        return type.type().cast(e.rep);
    }

    /** {@code [resource-drop]}: removes the handle and closes its resource. */
    public void drop(ResourceType<?> type, int handle) {
        Entry e;
        synchronized (this) {
            e = live(type, handle, "drop");
            checkNoChildren(e, "drop");
            remove(e);
        }
        e.type.close(e.rep);
    }

    /**
     * Closes a handle if it is live and of {@code type} (the table may have been closed meanwhile,
     * which closed it); never traps. For host-owned handles, and for interfaces whose WIT makes an
     * unknown handle a no-op rather than an ABI violation (the u32 key-value {@code close}).
     *
     * @return whether a resource was closed
     */
    public boolean closeIfLive(ResourceType<?> type, int handle) {
        Entry e;
        synchronized (this) {
            e = closed ? null : entries.get(handle);
            if (e == null || e.type != type || e.children > 0) {
                return false;
            }
            remove(e);
        }
        e.type.close(e.rep);
        return true;
    }

    /**
     * The live resource of {@code type} behind {@code handle}, or empty when there is none (unknown,
     * dropped, of another type, or the table closed). For interfaces whose WIT answers a bad handle
     * with an error value ({@code invalid-store}) instead of a trap; {@link #get} is the usual way.
     */
    public synchronized <T> Optional<T> find(ResourceType<T> type, int handle) {
        Entry e = closed ? null : entries.get(handle);
        return e == null || e.type != type ? Optional.empty() : Optional.of(type.type().cast(e.rep));
    }

    /** Removes a handle without closing it (a borrow lent to the guest for one call). */
    synchronized void forget(int handle) {
        Entry e = entries.get(handle);
        if (e != null) {
            remove(e);
        }
    }

    /** The live handle of {@code rep}, or 0 when it has none. */
    public synchronized int handleOf(Object rep) {
        Entry e = byRep.get(rep);
        return e == null ? 0 : e.handle;
    }

    /** The live resources of {@code type}, oldest first (a snapshot). */
    public synchronized <T> List<T> live(ResourceType<T> type) {
        List<T> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.type == type) {
                out.add(type.type().cast(e.rep));
            }
        }
        return out;
    }

    /** Live handles of {@code type}. */
    public synchronized int count(ResourceType<?> type) {
        return counts.getOrDefault(type, 0);
    }

    /** Live handles of every type. */
    public synchronized int size() {
        return entries.size();
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Closes every live resource, newest first (so children before their parents), and marks the
     * table closed. Failures are collected and returned, never thrown; calling it again does nothing.
     */
    public List<RuntimeException> closeAll() {
        List<Entry> live;
        synchronized (this) {
            if (closed) {
                return List.of();
            }
            closed = true;
            live = new ArrayList<>(entries.values());
            entries.clear();
            byRep.clear();
            counts.clear();
        }
        List<RuntimeException> failures = new ArrayList<>();
        for (int i = live.size() - 1; i >= 0; i--) {
            Entry e = live.get(i);
            try {
                e.type.close(e.rep);
            } catch (RuntimeException ex) {
                failures.add(ex);
            }
        }
        return failures;
    }

    private Entry live(ResourceType<?> type, int handle, String what) {
        if (closed) {
            throw new GuestTrapException(type + " handle " + handle + " used after the instance's resources were closed");
        }
        Entry e = entries.get(handle);
        if (e == null) {
            throw new GuestTrapException("cannot " + what + " unknown or already dropped " + type + " handle " + handle);
        }
        if (e.type != type) {
            throw new GuestTrapException("cannot " + what + " handle " + handle + " as a " + type + ": it is a " + e.type);
        }
        return e;
    }

    private static void checkNoChildren(Entry e, String what) {
        if (e.children > 0) {
            throw new GuestTrapException("cannot " + what + " " + e.type + " handle " + e.handle + ": " + e.children
                    + " child resource" + (e.children == 1 ? " is" : "s are") + " still alive (drop them first)");
        }
    }

    private void remove(Entry e) {
        entries.remove(e.handle);
        byRep.remove(e.rep);
        counts.merge(e.type, -1, Integer::sum);
        if (e.parent != null) {
            e.parent.children--;
        }
    }

    private static void closeQuietly(ResourceType<?> type, Object rep) {
        try {
            type.close(rep);
        } catch (RuntimeException ignored) {
            // The trap that follows is the failure the caller sees.
        }
    }
}
