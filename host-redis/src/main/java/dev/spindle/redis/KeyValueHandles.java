package dev.spindle.redis;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.abi.ResourceTable;
import dev.spindle.host.abi.ResourceType;
import java.util.Optional;
import java.util.Set;

/**
 * One instance's access to key-value stores, shared by the three key-value interfaces bound to
 * it: which labels it may open, and its open stores. Both kinds of store live in the instance's
 * one {@link ResourceTable}: {@code fermyon:spin/key-value@2.0.0}'s {@code store} resources
 * ({@link KeyValueInterfaces#STORE}) and the u32 handles of the unversioned and legacy interfaces
 * ({@link #HANDLE}; a handle from the legacy {@code open} works with the unversioned functions
 * too). So the table's ids (positive, never reused), its bound and its close-all at the end of the
 * invocation apply to them as to every other resource.
 *
 * <p>At most {@link RedisOptions#maxHandlesPerInstance()} stores of both kinds are open at once
 * ({@code store-table-full} past it). A component may open only the labels its manifest lists in
 * {@code key_value_stores}; anything else is {@code access-denied}, whether or not a store is
 * configured for it, as in Spin.
 */
final class KeyValueHandles {
    /** A store opened through a u32 handle; closing it releases nothing (stores hold no connection). */
    static final ResourceType<KeyValueStore> HANDLE = ResourceType.of("key-value store handle", KeyValueStore.class, s -> {});

    private final ComponentContext component;
    private final Set<String> allowedLabels;
    private final KeyValueConfig config;
    private final RedisPools pools;
    private final RedisOptions options;
    private final ResourceTable resources;

    KeyValueHandles(ComponentContext component, Set<String> allowedLabels, KeyValueConfig config, RedisPools pools,
            RedisOptions options, ResourceTable resources) {
        this.component = component;
        this.allowedLabels = Set.copyOf(allowedLabels);
        this.config = config;
        this.pools = pools;
        this.options = options;
        this.resources = resources;
    }

    /**
     * A store of {@code label}, if the component may open it and the instance has room for one
     * more store (u32 handles and resources alike count).
     *
     * @throws KeyValueError access-denied, no-such-store or store-table-full
     */
    KeyValueStore openStore(String label) {
        if (!allowedLabels.contains(label)) {
            component.log().warn(component.componentId(), "denied key-value store \"" + label + "\": add it to key_value_stores"
                    + " of component \"" + component.componentId() + "\"");
            throw new KeyValueError(KeyValueError.Kind.ACCESS_DENIED, "key-value store \"" + label + "\" is not in key_value_stores");
        }
        KeyValueConfig.Store store = config.store(label).orElseThrow(() -> new KeyValueError(KeyValueError.Kind.NO_SUCH_STORE,
                "no key-value store \"" + label + "\" is configured (add [key_value_store." + label + "] to the runtime config)"));
        if (openStores() >= options.maxHandlesPerInstance()) {
            throw new KeyValueError(KeyValueError.Kind.STORE_TABLE_FULL,
                    "this instance already has " + options.maxHandlesPerInstance() + " key-value stores open");
        }
        return new KeyValueStore(store, pools, options, component.componentId());
    }

    /** The u32 handle of a newly opened store (the unversioned and legacy interfaces). */
    int open(String label) {
        return resources.insert(HANDLE, openStore(label));
    }

    /** The open store behind a u32 handle, if the instance holds one by that number. */
    Optional<KeyValueStore> get(int handle) {
        return resources.find(HANDLE, handle);
    }

    /** Closes a u32 handle; false when it was not open. */
    boolean close(int handle) {
        return resources.closeIfLive(HANDLE, handle);
    }

    /** Stores open through either kind of handle. */
    int openStores() {
        return resources.count(HANDLE) + resources.count(KeyValueInterfaces.STORE);
    }
}
