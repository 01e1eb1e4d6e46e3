package dev.spindle.redis;

import dev.spindle.host.ComponentContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One instance's access to key-value stores, shared by the three key-value interfaces bound to
 * it: which labels it may open, and the u32 handles of the unversioned and legacy interfaces (a
 * handle from the legacy {@code open} works with the unversioned functions too).
 * {@code fermyon:spin/key-value@2.0.0}'s {@code store} resources live in the instance's shared
 * resource table instead, and count against the same limit.
 *
 * <p>Handles are positive, never reused within the instance, at most
 * {@link RedisOptions#maxHandlesPerInstance()} open at once. A component may open only the labels
 * its manifest lists in {@code key_value_stores}; anything else is {@code access-denied}, whether
 * or not a store is configured for it, as in Spin.
 */
final class KeyValueHandles {
    private final ComponentContext component;
    private final Set<String> allowedLabels;
    private final KeyValueConfig config;
    private final RedisPools pools;
    private final RedisOptions options;
    private final Map<Integer, KeyValueStore> open = new LinkedHashMap<>();
    private int nextHandle = 1;

    KeyValueHandles(ComponentContext component, Set<String> allowedLabels, KeyValueConfig config, RedisPools pools,
            RedisOptions options) {
        this.component = component;
        this.allowedLabels = Set.copyOf(allowedLabels);
        this.config = config;
        this.pools = pools;
        this.options = options;
    }

    /**
     * A store of {@code label}, if the component may open it; {@code alreadyOpen} counts the
     * stores the instance holds (u32 handles and resources alike share the limit).
     *
     * @throws KeyValueError access-denied, no-such-store or store-table-full
     */
    KeyValueStore openStore(String label, int alreadyOpen) {
        if (!allowedLabels.contains(label)) {
            component.log().warn(component.componentId(), "denied key-value store \"" + label + "\": add it to key_value_stores"
                    + " of component \"" + component.componentId() + "\"");
            throw new KeyValueError(KeyValueError.Kind.ACCESS_DENIED, "key-value store \"" + label + "\" is not in key_value_stores");
        }
        KeyValueConfig.Store store = config.store(label).orElseThrow(() -> new KeyValueError(KeyValueError.Kind.NO_SUCH_STORE,
                "no key-value store \"" + label + "\" is configured (add [key_value_store." + label + "] to the runtime config)"));
        if (alreadyOpen >= options.maxHandlesPerInstance()) {
            throw new KeyValueError(KeyValueError.Kind.STORE_TABLE_FULL,
                    "this instance already has " + options.maxHandlesPerInstance() + " key-value stores open");
        }
        return new KeyValueStore(store, pools, options, component.componentId());
    }

    /** The u32 handle of a newly opened store (the unversioned and legacy interfaces). */
    synchronized int open(String label, int resourcesOpen) {
        KeyValueStore store = openStore(label, open.size() + resourcesOpen);
        if (nextHandle == Integer.MAX_VALUE) {
            throw new KeyValueError(KeyValueError.Kind.STORE_TABLE_FULL, "this instance has used up its store handles");
        }
        int handle = nextHandle++;
        open.put(handle, store);
        return handle;
    }

    /** {@link #open(String, int)} when no resource stores are open. */
    int open(String label) {
        return open(label, 0);
    }

    /** The open store behind a handle, if any. */
    synchronized Optional<KeyValueStore> get(int handle) {
        return Optional.ofNullable(open.get(handle));
    }

    /** Closes a handle; false when it was not open. */
    synchronized boolean close(int handle) {
        return open.remove(handle) != null;
    }

    /** Open handles (for tests). */
    synchronized int size() {
        return open.size();
    }

    /** Stores hold no connection between operations, so closing the instance only forgets them. */
    synchronized void closeAll() {
        open.clear();
    }
}
