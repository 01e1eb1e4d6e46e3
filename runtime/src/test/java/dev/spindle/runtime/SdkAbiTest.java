package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.abi.WitFunction;
import dev.spindle.host.abi.WitInterface;
import dev.spindle.redis.RedisCapability;
import dev.spindle.runtime.internal.VariablesCapability;
import dev.spindle.runtime.trigger.TriggerAbi;
import dev.spindle.testing.Guests;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The imports and exports every SDK's committed {@code .wasm} declares, read with Chicory's
 * parser, checked against a table of core signatures transcribed by hand from the layouts these
 * interfaces were first built with. The table is itself checked against the host's declarations
 * (which docs/guest-abi.md is generated from) and against {@code guests/redis-proxy.wasm}, the
 * test-infra guest that imports all 25 functions, so a slip in any of the three shows up.
 */
class SdkAbiTest {
    /**
     * module | import | core params (i32 unless ":i64"); every import returns nothing (results
     * go to the retptr return area, the last parameter).
     */
    static final String SPEC_IMPORTS = """
            fermyon:spin/redis@2.0.0     | [static]connection.open    | addr_ptr addr_len retptr
            fermyon:spin/redis@2.0.0     | [method]connection.publish | self chan_ptr chan_len payload_ptr payload_len retptr
            fermyon:spin/redis@2.0.0     | [method]connection.get     | self key_ptr key_len retptr
            fermyon:spin/redis@2.0.0     | [method]connection.set     | self key_ptr key_len value_ptr value_len retptr
            fermyon:spin/redis@2.0.0     | [method]connection.incr    | self key_ptr key_len retptr
            fermyon:spin/redis@2.0.0     | [method]connection.del     | self keys_ptr keys_len retptr
            fermyon:spin/redis@2.0.0     | [method]connection.sadd    | self key_ptr key_len values_ptr values_len retptr
            fermyon:spin/redis@2.0.0     | [method]connection.smembers| self key_ptr key_len retptr
            fermyon:spin/redis@2.0.0     | [method]connection.srem    | self key_ptr key_len values_ptr values_len retptr
            fermyon:spin/redis@2.0.0     | [method]connection.execute | self cmd_ptr cmd_len args_ptr args_len retptr
            fermyon:spin/redis@2.0.0     | [resource-drop]connection  | handle
            fermyon:spin/variables@2.0.0 | get                        | name_ptr name_len retptr
            spindle:redis/extended@0.1.0 | set-with-ttl | conn key_ptr key_len value_ptr value_len ttl_ms:i64 retptr
            spindle:redis/extended@0.1.0 | has          | conn key_ptr key_len retptr
            spindle:redis/extended@0.1.0 | incr-by      | conn key_ptr key_len delta:i64 retptr
            spindle:redis/extended@0.1.0 | expire       | conn key_ptr key_len ttl_ms:i64 retptr
            spindle:redis/extended@0.1.0 | ttl          | conn key_ptr key_len retptr
            spindle:redis/extended@0.1.0 | push         | conn key_ptr key_len values_ptr values_len retptr
            spindle:redis/extended@0.1.0 | unshift      | conn key_ptr key_len values_ptr values_len retptr
            spindle:redis/extended@0.1.0 | pop          | conn key_ptr key_len retptr
            spindle:redis/extended@0.1.0 | shift        | conn key_ptr key_len retptr
            spindle:redis/extended@0.1.0 | range        | conn key_ptr key_len start:i64 stop:i64 retptr
            spindle:redis/extended@0.1.0 | count        | conn key_ptr key_len retptr
            spindle:redis/extended@0.1.0 | rate-limit   | conn key_ptr key_len max window_ms:i64 retptr
            spindle:redis/extended@0.1.0 | pipeline     | conn commands_ptr commands_len transaction retptr
            """;

    static final String HANDLE_REQUEST = "fermyon:spin/inbound-http#handle-request";
    static final String HANDLE_MESSAGE = "fermyon:spin/inbound-redis#handle-message";

    /** Exports with a fixed core type (inbound-http, inbound-redis, cabi_realloc, cabi_post, reactor start). */
    static final Map<String, FunctionType> SPEC_EXPORTS = Map.of(
            HANDLE_REQUEST, type(10, 1),
            "cabi_post_" + HANDLE_REQUEST, type(1, 0),
            HANDLE_MESSAGE, type(2, 1),
            "cabi_realloc", type(4, 1),
            "_initialize", type(0, 0));

    static FunctionType type(int i32Params, int i32Results) {
        return FunctionType.of(
                java.util.Collections.nCopies(i32Params, ValType.I32), java.util.Collections.nCopies(i32Results, ValType.I32));
    }

    /** "module#name" -> core type, from {@link #SPEC_IMPORTS}. */
    static Map<String, FunctionType> specImports() {
        Map<String, FunctionType> out = new TreeMap<>();
        for (String row : SPEC_IMPORTS.strip().split("\n")) {
            String[] cells = row.split("\\|");
            List<ValType> params = new ArrayList<>();
            for (String p : cells[2].trim().split("\\s+")) {
                params.add(p.endsWith(":i64") ? ValType.I64 : ValType.I32);
            }
            out.put(cells[0].trim() + "#" + cells[1].trim(), FunctionType.of(params, List.of()));
        }
        return out;
    }

    static Map<String, FunctionType> imports(WasmModule module) {
        Map<String, FunctionType> out = new TreeMap<>();
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            assertEquals(ExternalType.FUNCTION, imp.importType(), "only function imports: " + imp.name());
            out.put(imp.module() + "#" + imp.name(), module.typeSection().getType(((FunctionImport) imp).typeIndex()));
        }
        return out;
    }

    /** Exported functions by name -> core type; memory as "memory" -> null. */
    static Map<String, FunctionType> exports(WasmModule module) {
        int importedFunctions = module.importSection().count(ExternalType.FUNCTION);
        Map<String, FunctionType> out = new LinkedHashMap<>();
        for (int i = 0; i < module.exportSection().exportCount(); i++) {
            Export e = module.exportSection().getExport(i);
            if (e.exportType() == ExternalType.FUNCTION) {
                int idx = e.index();
                FunctionType t = idx < importedFunctions
                        ? module.typeSection().getType(((FunctionImport) module.importSection().getImport(idx)).typeIndex())
                        : module.functionSection().getFunctionType(idx - importedFunctions, module.typeSection());
                out.put(e.name(), t);
            } else if (e.exportType() == ExternalType.MEMORY) {
                out.put(e.name(), null);
            }
        }
        return out;
    }

    static WasmModule parse(String repoPath) {
        return Parser.parse(Guests.repoRoot().resolve(repoPath));
    }

    /**
     * The transcription above against the declarations the host runs: every declared import has
     * its row, with the same core type, and every row is declared.
     */
    @Test
    void transcribedTableMatchesTheDeclarations() {
        Map<String, FunctionType> declared = new TreeMap<>();
        List<WitInterface<?>> interfaces = new ArrayList<>(RedisCapability.interfaces());
        interfaces.add(VariablesCapability.INTERFACE);
        for (WitInterface<?> iface : interfaces) {
            for (WitFunction f : iface.functions()) {
                declared.put(iface.module() + "#" + f.name(), f.importType());
            }
        }
        assertEquals(specImports(), declared);
    }

    /** The export rows against the declared trigger exports. */
    @Test
    void exportTypesMatchTheDeclarations() {
        assertEquals(SPEC_EXPORTS.get(HANDLE_REQUEST), TriggerAbi.HANDLE_REQUEST.signature().exportType());
        assertEquals(SPEC_EXPORTS.get(HANDLE_MESSAGE), TriggerAbi.HANDLE_MESSAGE.signature().exportType());
    }

    @Test
    void specTableMatchesTheReferenceGuestThatImportsEverything() {
        assertEquals(specImports(), imports(Parser.parse(Guests.path("redis-proxy"))));
    }

    static final Set<String> REDIS = Set.of("[static]connection.open", "[method]connection.publish", "[method]connection.get",
            "[method]connection.set", "[method]connection.incr", "[method]connection.del", "[method]connection.sadd",
            "[method]connection.smembers", "[method]connection.srem", "[method]connection.execute", "[resource-drop]connection");
    static final Set<String> EXTENDED = Set.of("set-with-ttl", "has", "incr-by", "expire", "ttl", "push", "unshift", "pop",
            "shift", "range", "count", "rate-limit", "pipeline");

    /**
     * Every committed SDK module: its file, the spec imports it must declare (exactly; WASI
     * preview1 imports aside), and the handler exports it must have.
     */
    static Stream<Arguments> modules() {
        List<Arguments> rows = new ArrayList<>();
        for (String sdk : List.of("c", "rust", "assemblyscript")) {
            rows.add(Arguments.of("sdk/" + sdk + "/example/counter.wasm",
                    names("fermyon:spin/redis@2.0.0", Set.of("[static]connection.open", "[method]connection.incr", "[resource-drop]connection"),
                            "fermyon:spin/variables@2.0.0", Set.of("get")),
                    Set.of(HANDLE_REQUEST, "cabi_post_" + HANDLE_REQUEST)));
            rows.add(Arguments.of("sdk/" + sdk + "/test/sdk-test.wasm",
                    names("fermyon:spin/redis@2.0.0", REDIS, "fermyon:spin/variables@2.0.0", Set.of("get")),
                    Set.of(HANDLE_REQUEST, "cabi_post_" + HANDLE_REQUEST, HANDLE_MESSAGE)));
            rows.add(Arguments.of("sdk/" + sdk + "/test/ext-test.wasm",
                    names("fermyon:spin/redis@2.0.0", Set.of("[static]connection.open", "[resource-drop]connection"),
                            "fermyon:spin/variables@2.0.0", Set.of("get"), "spindle:redis/extended@0.1.0", EXTENDED),
                    Set.of()));
        }
        return rows.stream();
    }

    static Set<String> names(Object... moduleAndNames) {
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < moduleAndNames.length; i += 2) {
            for (Object name : (Set<?>) moduleAndNames[i + 1]) {
                out.add(moduleAndNames[i] + "#" + name);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modules")
    void committedModuleDeclaresTheSpecsImportsAndExports(String file, Set<String> expectedImports, Set<String> handlers) {
        WasmModule module = parse(file);
        Map<String, FunctionType> spec = specImports();
        Map<String, FunctionType> declared = imports(module);
        Set<String> nonWasi = new TreeSet<>();
        declared.forEach((name, type) -> {
            if (name.startsWith("wasi_snapshot_preview1#")) {
                return;
            }
            nonWasi.add(name);
            assertTrue(spec.containsKey(name), file + " imports " + name + ", which is not in the spec");
            assertEquals(spec.get(name), type, file + ": core type of " + name);
        });
        assertEquals(expectedImports, nonWasi, file + ": the spec imports it uses");

        Map<String, FunctionType> exported = exports(module);
        assertTrue(exported.containsKey("memory") && exported.get("memory") == null, file + " exports its memory");
        for (String name : List.of("cabi_realloc", "_initialize")) {
            assertEquals(SPEC_EXPORTS.get(name), exported.get(name), file + ": export " + name);
        }
        for (String name : List.of(HANDLE_REQUEST, "cabi_post_" + HANDLE_REQUEST, HANDLE_MESSAGE)) {
            if (handlers.contains(name)) {
                assertEquals(SPEC_EXPORTS.get(name), exported.get(name), file + ": export " + name);
            } else {
                assertTrue(!exported.containsKey(name), file + " must not export " + name);
            }
        }
        assertTrue(!exported.containsKey("_start"), file + " is a reactor, not a command");
    }
}
