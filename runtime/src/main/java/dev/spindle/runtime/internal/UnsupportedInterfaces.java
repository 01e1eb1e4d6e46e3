package dev.spindle.runtime.internal;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.BOOL;
import static dev.spindle.host.abi.Wit.BYTES;
import static dev.spindle.host.abi.Wit.F32;
import static dev.spindle.host.abi.Wit.F64;
import static dev.spindle.host.abi.Wit.S16;
import static dev.spindle.host.abi.Wit.S32;
import static dev.spindle.host.abi.Wit.S64;
import static dev.spindle.host.abi.Wit.S8;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.U16;
import static dev.spindle.host.abi.Wit.U32;
import static dev.spindle.host.abi.Wit.U64;
import static dev.spindle.host.abi.Wit.U8;
import static dev.spindle.host.abi.Wit.borrow;
import static dev.spindle.host.abi.Wit.list;
import static dev.spindle.host.abi.Wit.option;
import static dev.spindle.host.abi.Wit.own;
import static dev.spindle.host.abi.Wit.result;
import static dev.spindle.host.abi.Wit.resultErr;

import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostLog;
import dev.spindle.host.abi.AbiOptions;
import dev.spindle.host.abi.EnumType;
import dev.spindle.host.abi.ResourceType;
import dev.spindle.host.abi.Result;
import dev.spindle.host.abi.VariantType;
import dev.spindle.host.abi.Wit;
import dev.spindle.host.abi.WitFunction;
import dev.spindle.host.abi.WitInterface;
import dev.spindle.host.abi.WitType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spin interfaces Spindle does not provide — SQLite, MySQL, PostgreSQL, LLM inferencing, MQTT —
 * in every generation a guest may import them under (wit-bindgen 0.2's {@code outbound-pg},
 * {@code outbound-mysql}, {@code sqlite}, {@code llm}; the unversioned {@code fermyon:spin/*};
 * {@code fermyon:spin/*@2.0.0}), declared with their exact WIT signatures so that a module
 * importing them still links, and a guest that never calls them works.
 *
 * <p>A call that can fail returns the interface's own error value, saying the interface is not
 * supported by this host ({@code other-error}, {@code io}, {@code runtime-error}, {@code other}
 * ...). A call with no error case traps. Methods of a resource no {@code open} ever handed out
 * trap when they look their handle up, as any unknown handle does. The first call of each
 * interface by each component logs one line.
 *
 * <p>When one of these interfaces gets an implementation, it leaves this table (two capabilities
 * providing one import refuse the app at load).
 */
public final class UnsupportedInterfaces {
    private UnsupportedInterfaces() {}

    /** The error value every stub returns: case {@code errorCase} of the interface's error variant, with a message where it takes one. */
    record NotSupported(int errorCase, String message) {}

    /** What a stub knows of the instance calling it. */
    record Caller(String componentId, HostLog log, Set<String> logged) {
        /** One line per component and interface, for the app's lifetime. */
        void logOnce(String module, String function, String outcome) {
            if (logged.add(componentId + "\u0000" + module)) {
                log.warn(componentId, "called " + module + " " + function + ", but Spindle does not provide " + module
                        + " (" + describe(module) + "); " + outcome + " (logged once per component and interface)");
            }
        }
    }

    /** Every interface this table stubs, by import module name, with what it is. */
    static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    /** The declarations, in {@link #DESCRIPTIONS} order. */
    static final List<WitInterface<Caller>> INTERFACES = new ArrayList<>();

    /** What the interface is, for messages; "an interface Spindle does not provide" for unknown names. */
    static String describe(String module) {
        return DESCRIPTIONS.getOrDefault(module, "an interface Spindle does not provide");
    }

    /** True when {@code module} is one of the Spin interfaces stubbed here. */
    public static boolean isStubbed(String module) {
        return DESCRIPTIONS.containsKey(module);
    }

    /** The stubbed interfaces, by import module name, with what each is (for {@code spindle check} and the docs). */
    public static Map<String, String> stubbed() {
        return java.util.Collections.unmodifiableMap(DESCRIPTIONS);
    }

    private static String message(String module) {
        return module + " is not supported by this host (Spindle provides no " + describe(module) + ")";
    }

    // ---- opaque types: exact layouts; stubs never build ok values, so no Java mapping is needed ----

    /** A record, laid out as the tuple of its field types (the canonical ABI lays both out alike). */
    private static WitType<List<Object>> record(WitType<?>... fields) {
        return Wit.tuple(fields);
    }

    /** A variant whose values the stubs never read or write; {@code null} marks a case without payload. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static VariantType<Object> variant(String name, Object... labelsAndPayloads) {
        List<VariantType.Case<Object, ?>> cases = new ArrayList<>();
        for (int i = 0; i < labelsAndPayloads.length; i += 2) {
            WitType<?> payload = (WitType<?>) labelsAndPayloads[i + 1];
            cases.add(new VariantType.Case(labelsAndPayloads[i].toString(), payload, v -> false, p -> p, v -> null));
        }
        return Wit.variant(name, cases);
    }

    /** An error variant: case {@code NotSupported.errorCase} is the one stubs return, with the message when it has a payload. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static VariantType<Object> error(String name, Object... labelsAndPayloads) {
        List<VariantType.Case<Object, ?>> cases = new ArrayList<>();
        for (int i = 0; i < labelsAndPayloads.length; i += 2) {
            int index = i / 2;
            WitType<?> payload = (WitType<?>) labelsAndPayloads[i + 1];
            cases.add(new VariantType.Case(labelsAndPayloads[i].toString(), payload,
                    v -> v instanceof NotSupported n && n.errorCase() == index,
                    p -> new NotSupported(index, String.valueOf(p)),
                    v -> ((NotSupported) v).message()));
        }
        return Wit.variant(name, cases);
    }

    // ---- the WIT types (Spin's wit/ephemeral at v1.5, wit/deps/spin@unversioned and spin@2.0.0) ----

    private static final List<String> DB_TYPES = List.of("boolean", "int8", "int16", "int32", "int64", "uint8", "uint16",
            "uint32", "uint64", "floating32", "floating64", "str", "binary", "other");
    private static final EnumType<Integer> DB_DATA_TYPE = Wit.enumIndex("db-data-type", DB_TYPES.toArray(new String[0]));
    private static final Object[] SCALARS = {"boolean", BOOL, "int8", S8, "int16", S16, "int32", S32, "int64", S64, "uint8", U8,
            "uint16", U16, "uint32", U32, "uint64", U64, "floating32", F32, "floating64", F64, "str", STRING, "binary", BYTES};
    private static final VariantType<Object> DB_VALUE = variant("db-value", concat(SCALARS, "db-null", null, "unsupported", null));
    private static final VariantType<Object> PARAMETER_VALUE = variant("parameter-value", concat(SCALARS, "db-null", null));
    private static final WitType<List<Object>> COLUMN = record(STRING, DB_DATA_TYPE);
    private static final WitType<List<Object>> ROW_SET = record(list(COLUMN), list(list(DB_VALUE)));

    /** {@code pg-error} / {@code mysql-error} of the older interfaces: {@code other-error(string)} says it. */
    private static final VariantType<Object> OLD_RDBMS_ERROR = error("error", "success", null, "connection-failed", STRING,
            "bad-parameter", STRING, "query-failed", STRING, "value-conversion-failed", STRING, "other-error", STRING);
    private static final int OLD_RDBMS_OTHER = 5;
    /** 2.0.0's {@code rdbms-types.error}: {@code other(string)}. */
    private static final VariantType<Object> RDBMS_ERROR = error("error", "connection-failed", STRING, "bad-parameter", STRING,
            "query-failed", STRING, "value-conversion-failed", STRING, "other", STRING);
    private static final int RDBMS_OTHER = 4;

    private static final VariantType<Object> SQLITE_VALUE = variant("value", "integer", S64, "real", F64, "text", STRING,
            "blob", BYTES, "null", null);
    private static final WitType<List<Object>> QUERY_RESULT = record(list(STRING), list(record(list(SQLITE_VALUE))));
    private static final VariantType<Object> SQLITE_ERROR = error("error", "no-such-database", null, "access-denied", null,
            "invalid-connection", null, "database-full", null, "io", STRING);
    private static final int SQLITE_IO = 4;

    private static final WitType<List<Object>> INFERENCING_PARAMS = record(U32, F32, U32, F32, U32, F32);
    private static final WitType<List<Object>> INFERENCING_RESULT = record(STRING, record(U32, U32));
    private static final WitType<List<Object>> EMBEDDINGS_RESULT = record(list(list(F32)), record(U32));
    private static final VariantType<Object> LLM_ERROR = error("error", "model-not-supported", null, "runtime-error", STRING,
            "invalid-input", STRING);
    private static final int LLM_RUNTIME_ERROR = 1;

    private static final VariantType<Object> MQTT_ERROR = error("error", "invalid-address", null, "too-many-connections", null,
            "connection-failed", STRING, "other", STRING);
    private static final int MQTT_OTHER = 3;
    private static final EnumType<Integer> QOS = Wit.enumIndex("qos", "at-most-once", "at-least-once", "exactly-once");

    private static Object[] concat(Object[] a, Object... b) {
        Object[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The interceptor every stub runs in: log the first call, then let the stub answer. */
    private static WitInterface.Interceptor<Caller> once(String module) {
        return (caller, function, call) -> {
            caller.logOnce(module, function.name(), function.result().isPresent()
                    ? "the call returned its error value \"not supported by this host\"" : "the call trapped");
            return call.get();
        };
    }

    private static <T> Result<T, Object> fail(String module, int errorCase) {
        return Result.err(new NotSupported(errorCase, message(module)));
    }

    private static GuestTrapException trap(String module, String function) {
        return new GuestTrapException(module + " " + function + " is not supported by this host");
    }

    private static WitInterface.Builder<Caller> builder(String module, AbiOptions options, String description) {
        DESCRIPTIONS.put(module, description);
        return WitInterface.<Caller>builder(module, options).intercept(once(module));
    }

    private static void add(WitInterface.Builder<Caller> b) {
        INTERFACES.add(b.build());
    }

    // ---- wit-bindgen 0.2 (Spin 0.x/1.x) and unversioned (Spin 1.x WIT) ----

    private static void postgres(String module, AbiOptions options) {
        add(builder(module, options, "outbound PostgreSQL")
                .func("query", param("address", STRING), param("statement", STRING), param("params", list(PARAMETER_VALUE)),
                        result(ROW_SET, OLD_RDBMS_ERROR), (c, a, s, p) -> fail(module, OLD_RDBMS_OTHER))
                .func("execute", param("address", STRING), param("statement", STRING), param("params", list(PARAMETER_VALUE)),
                        result(U64, OLD_RDBMS_ERROR), (c, a, s, p) -> fail(module, OLD_RDBMS_OTHER)));
    }

    private static void mysql(String module, AbiOptions options) {
        add(builder(module, options, "outbound MySQL")
                .func("query", param("address", STRING), param("statement", STRING), param("params", list(PARAMETER_VALUE)),
                        result(ROW_SET, OLD_RDBMS_ERROR), (c, a, s, p) -> fail(module, OLD_RDBMS_OTHER))
                .func("execute", param("address", STRING), param("statement", STRING), param("params", list(PARAMETER_VALUE)),
                        resultErr(OLD_RDBMS_ERROR), (c, a, s, p) -> fail(module, OLD_RDBMS_OTHER)));
    }

    private static void sqlite(String module, AbiOptions options) {
        add(builder(module, options, "SQLite")
                .func("open", param("database", STRING), result(U32, SQLITE_ERROR), (c, d) -> fail(module, SQLITE_IO))
                .func("execute", param("conn", U32), param("statement", STRING), param("parameters", list(SQLITE_VALUE)),
                        result(QUERY_RESULT, SQLITE_ERROR), (c, conn, s, p) -> fail(module, SQLITE_IO))
                .action("close", param("conn", U32), (c, conn) -> {
                    throw trap(module, "close");
                }));
    }

    private static void llm(String module, AbiOptions options) {
        add(builder(module, options, "LLM inferencing")
                .func("infer", param("model", STRING), param("prompt", STRING), param("params", option(INFERENCING_PARAMS)),
                        result(INFERENCING_RESULT, LLM_ERROR), (c, m, p, o) -> fail(module, LLM_RUNTIME_ERROR))
                .func("generate-embeddings", param("model", STRING), param("text", list(STRING)),
                        result(EMBEDDINGS_RESULT, LLM_ERROR), (c, m, t) -> fail(module, LLM_RUNTIME_ERROR)));
    }

    // ---- fermyon:spin/*@2.0.0: resources, so only open can be reached ----

    private static ResourceType<Object> connection() {
        return ResourceType.of("connection", Object.class, c -> {});
    }

    private static void rdbms2(String module, String description, WitType<?> executeOk) {
        ResourceType<Object> connection = connection();
        WitInterface.Builder<Caller> b = builder(module, AbiOptions.CANONICAL, description)
                .resource(connection)
                .func("[static]connection.open", param("address", STRING), result(own(connection), RDBMS_ERROR),
                        (c, a) -> fail(module, RDBMS_OTHER))
                .func("[method]connection.query", param("self", borrow(connection)), param("statement", STRING),
                        param("params", list(PARAMETER_VALUE)), result(ROW_SET, RDBMS_ERROR), (c, self, s, p) -> fail(module, RDBMS_OTHER));
        if (executeOk == null) {
            b.func("[method]connection.execute", param("self", borrow(connection)), param("statement", STRING),
                    param("params", list(PARAMETER_VALUE)), resultErr(RDBMS_ERROR), (c, self, s, p) -> fail(module, RDBMS_OTHER));
        } else {
            b.func("[method]connection.execute", param("self", borrow(connection)), param("statement", STRING),
                    param("params", list(PARAMETER_VALUE)), result(executeOk, RDBMS_ERROR), (c, self, s, p) -> fail(module, RDBMS_OTHER));
        }
        add(b);
    }

    static {
        postgres("outbound-pg", AbiOptions.WIT_BINDGEN_0_2);
        mysql("outbound-mysql", AbiOptions.WIT_BINDGEN_0_2);
        sqlite("sqlite", AbiOptions.WIT_BINDGEN_0_2);
        llm("llm", AbiOptions.WIT_BINDGEN_0_2);

        postgres("fermyon:spin/postgres", AbiOptions.CANONICAL);
        mysql("fermyon:spin/mysql", AbiOptions.CANONICAL);
        sqlite("fermyon:spin/sqlite", AbiOptions.CANONICAL);
        llm("fermyon:spin/llm", AbiOptions.CANONICAL);

        rdbms2("fermyon:spin/postgres@2.0.0", "outbound PostgreSQL", U64);
        rdbms2("fermyon:spin/mysql@2.0.0", "outbound MySQL", null);
        ResourceType<Object> sqliteConnection = connection();
        add(builder("fermyon:spin/sqlite@2.0.0", AbiOptions.CANONICAL, "SQLite")
                .resource(sqliteConnection)
                .func("[static]connection.open", param("database", STRING), result(own(sqliteConnection), SQLITE_ERROR),
                        (c, d) -> fail("fermyon:spin/sqlite@2.0.0", SQLITE_IO))
                .func("[method]connection.execute", param("self", borrow(sqliteConnection)), param("statement", STRING),
                        param("parameters", list(SQLITE_VALUE)), result(QUERY_RESULT, SQLITE_ERROR),
                        (c, self, s, p) -> fail("fermyon:spin/sqlite@2.0.0", SQLITE_IO)));
        llm("fermyon:spin/llm@2.0.0", AbiOptions.CANONICAL);
        ResourceType<Object> mqttConnection = connection();
        add(builder("fermyon:spin/mqtt@2.0.0", AbiOptions.CANONICAL, "outbound MQTT")
                .resource(mqttConnection)
                .func("[static]connection.open", param("address", STRING), param("username", STRING), param("password", STRING),
                        param("keep-alive-interval-in-secs", U64), result(own(mqttConnection), MQTT_ERROR),
                        (c, a, u, p, k) -> fail("fermyon:spin/mqtt@2.0.0", MQTT_OTHER))
                .func("[method]connection.publish", param("self", borrow(mqttConnection)), param("topic", STRING),
                        param("payload", BYTES), param("qos", QOS), resultErr(MQTT_ERROR),
                        (c, self, t, p, q) -> fail("fermyon:spin/mqtt@2.0.0", MQTT_OTHER)));
    }

    /** The stubs' signatures, for tests and docs. */
    static Map<String, List<WitFunction>> signatures() {
        Map<String, List<WitFunction>> out = new LinkedHashMap<>();
        INTERFACES.forEach(i -> out.put(i.module(), i.functions()));
        return out;
    }

    /** A fresh set for {@link Caller#logged}: one per app. */
    static Set<String> loggedSet() {
        return ConcurrentHashMap.newKeySet();
    }

    /** The declarations {@link UnsupportedCapability} binds for every instance. */
    static List<WitInterface<Caller>> all() {
        return INTERFACES;
    }
}
