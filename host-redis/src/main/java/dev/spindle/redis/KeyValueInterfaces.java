package dev.spindle.redis;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.BOOL;
import static dev.spindle.host.abi.Wit.BYTES;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.U32;
import static dev.spindle.host.abi.Wit.borrow;
import static dev.spindle.host.abi.Wit.list;
import static dev.spindle.host.abi.Wit.option;
import static dev.spindle.host.abi.Wit.own;
import static dev.spindle.host.abi.Wit.result;
import static dev.spindle.host.abi.Wit.resultErr;

import dev.spindle.host.abi.AbiOptions;
import dev.spindle.host.abi.ResourceType;
import dev.spindle.host.abi.Result;
import dev.spindle.host.abi.VariantType;
import dev.spindle.host.abi.Wit;
import dev.spindle.host.abi.WitFunction;
import dev.spindle.host.abi.WitInterface;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Spin's three key-value interfaces, declared once each over one implementation
 * ({@link KeyValueHandles}, {@link KeyValueStore}):
 *
 * <ul>
 *   <li>{@code fermyon:spin/key-value@2.0.0} (Spin 2+ SDKs): resource {@code store} with
 *       {@code [static]store.open}, {@code get} (absent key: {@code ok(none)}), {@code set},
 *       {@code delete}, {@code exists}, {@code get-keys}; error
 *       {@code store-table-full | no-such-store | access-denied | other(string)}.
 *   <li>{@code fermyon:spin/key-value} (unversioned, Rust SDK 1.4/1.5) and {@code key-value}
 *       (wit-bindgen 0.2, Spin 0.x/1.x SDKs): u32 store handles, {@code open}, {@code get}
 *       (absent key: {@code err(no-such-key)}), {@code set}, {@code delete}, {@code exists},
 *       {@code get-keys}, {@code close}; error
 *       {@code store-table-full | no-such-store | access-denied | invalid-store | no-such-key | io(string)}.
 * </ul>
 *
 * A handle the instance does not hold is {@code invalid-store} on the u32 interfaces (the WIT says
 * so) and a trap on the resource interface (an unknown resource handle is an ABI violation);
 * {@code close} of an unknown handle does nothing, as the WIT says.
 */
final class KeyValueInterfaces {
    private KeyValueInterfaces() {}

    static final String MODULE = "fermyon:spin/key-value@2.0.0";
    static final String UNVERSIONED_MODULE = "fermyon:spin/key-value";
    static final String LEGACY_MODULE = "key-value";

    /** What every key-value call of one instance works on. */
    record Instance(KeyValueHandles handles) {}

    /** {@code resource store}: an open store; dropping it releases nothing (stores hold no connection). */
    static final ResourceType<KeyValueStore> STORE = ResourceType.of("store", KeyValueStore.class, s -> {});

    /** 2.0.0's {@code variant error}; invalid-store and no-such-key cannot happen there, anything else is {@code other}. */
    static final VariantType<KeyValueError> ERROR = Wit.variant("error",
            unit("store-table-full", KeyValueError.Kind.STORE_TABLE_FULL),
            unit("no-such-store", KeyValueError.Kind.NO_SUCH_STORE),
            unit("access-denied", KeyValueError.Kind.ACCESS_DENIED),
            Wit.<KeyValueError, String>valueCase("other", STRING, e -> true, KeyValueError::other, e -> String.valueOf(e.getMessage())));

    /** The unversioned and legacy {@code variant error}, all six cases. */
    static final VariantType<KeyValueError> LEGACY_ERROR = Wit.variant("error",
            unit("store-table-full", KeyValueError.Kind.STORE_TABLE_FULL),
            unit("no-such-store", KeyValueError.Kind.NO_SUCH_STORE),
            unit("access-denied", KeyValueError.Kind.ACCESS_DENIED),
            unit("invalid-store", KeyValueError.Kind.INVALID_STORE),
            unit("no-such-key", KeyValueError.Kind.NO_SUCH_KEY),
            Wit.<KeyValueError, String>valueCase("io", STRING, e -> true, KeyValueError::other, e -> String.valueOf(e.getMessage())));

    private static VariantType.Case<KeyValueError, Void> unit(String label, KeyValueError.Kind kind) {
        return Wit.<KeyValueError>unitCase(label, e -> e.kind() == kind, () -> new KeyValueError(kind, label));
    }

    /**
     * Every key-value call runs inside this: a {@link KeyValueError} thrown while the call runs
     * becomes its {@code err(error)} (every function but {@code close} returns one); traps pass.
     */
    private static Object call(Instance instance, WitFunction function, Supplier<Object> call) {
        try {
            return call.get();
        } catch (KeyValueError e) {
            if (function.result().isEmpty()) {
                throw e; // close: cannot happen, it reports nothing
            }
            return Result.err(e);
        }
    }

    // ---- fermyon:spin/key-value@2.0.0 ----

    static final WitInterface<Instance> V2 = WitInterface.<Instance>builder(MODULE)
            .intercept(KeyValueInterfaces::call)
            .resource(STORE)
            .func("[static]store.open", param("label", STRING), result(own(STORE), ERROR),
                    (i, label) -> Result.ok(i.handles().openStore(label)))
            .func("[method]store.get", param("self", borrow(STORE)), param("key", STRING), result(option(BYTES), ERROR),
                    (i, store, key) -> Result.ok(store.get(key)))
            .func("[method]store.set", param("self", borrow(STORE)), param("key", STRING), param("value", BYTES), resultErr(ERROR),
                    (i, store, key, value) -> {
                        store.set(key, value);
                        return Result.ok();
                    })
            .func("[method]store.delete", param("self", borrow(STORE)), param("key", STRING), resultErr(ERROR),
                    (i, store, key) -> {
                        store.delete(key);
                        return Result.ok();
                    })
            .func("[method]store.exists", param("self", borrow(STORE)), param("key", STRING), result(BOOL, ERROR),
                    (i, store, key) -> Result.ok(store.exists(key)))
            .func("[method]store.get-keys", param("self", borrow(STORE)), result(list(STRING), ERROR),
                    (i, store) -> Result.ok(store.getKeys()))
            .build();

    // ---- unversioned fermyon:spin/key-value and wit-bindgen 0.2's key-value ----

    static final WitInterface<Instance> UNVERSIONED = handleInterface(UNVERSIONED_MODULE, AbiOptions.CANONICAL);
    static final WitInterface<Instance> LEGACY = handleInterface(LEGACY_MODULE, AbiOptions.WIT_BINDGEN_0_2);

    private static WitInterface<Instance> handleInterface(String module, AbiOptions options) {
        return WitInterface.<Instance>builder(module, options)
                .intercept(KeyValueInterfaces::call)
                .func("open", param("name", STRING), result(U32, LEGACY_ERROR),
                        (i, name) -> Result.ok((long) i.handles().open(name)))
                .func("get", param("store", U32), param("key", STRING), result(BYTES, LEGACY_ERROR),
                        (i, store, key) -> {
                            Optional<byte[]> value = store(i, store).get(key);
                            return value.<Result<byte[], KeyValueError>>map(Result::ok).orElseGet(() -> Result.err(
                                    new KeyValueError(KeyValueError.Kind.NO_SUCH_KEY, "no value for key \"" + key + "\"")));
                        })
                .func("set", param("store", U32), param("key", STRING), param("value", BYTES), resultErr(LEGACY_ERROR),
                        (i, store, key, value) -> {
                            store(i, store).set(key, value);
                            return Result.ok();
                        })
                .func("delete", param("store", U32), param("key", STRING), resultErr(LEGACY_ERROR),
                        (i, store, key) -> {
                            store(i, store).delete(key);
                            return Result.ok();
                        })
                .func("exists", param("store", U32), param("key", STRING), result(BOOL, LEGACY_ERROR),
                        (i, store, key) -> Result.ok(store(i, store).exists(key)))
                .func("get-keys", param("store", U32), result(list(STRING), LEGACY_ERROR),
                        (i, store) -> Result.ok(store(i, store).getKeys()))
                .action("close", param("store", U32), (i, store) -> i.handles().close((int) (long) store))
                .build();
    }

    /** The store behind a u32 handle, or {@code invalid-store}. */
    private static KeyValueStore store(Instance instance, long handle) {
        return (handle > Integer.MAX_VALUE ? Optional.<KeyValueStore>empty() : instance.handles().get((int) handle))
                .orElseThrow(() -> new KeyValueError(KeyValueError.Kind.INVALID_STORE, "store handle " + handle + " is not open"));
    }

    /** All three, as one instance binds them. */
    static final List<WitInterface<Instance>> ALL = List.of(V2, UNVERSIONED, LEGACY);
}
