package dev.spindle.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostImport;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.abi.InstanceScope;
import dev.spindle.host.abi.WitFunction;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.testing.Guests;
import dev.spindle.wasi.http.HttpTypes;
import dev.spindle.wasi.http.WasiHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The declarations against guests whose bindings were written by hand from the WIT, without
 * them: every wasi:* and Spin HTTP import of each guest must be provided with exactly the core
 * type the guest expects. A layout or flattening mistake in a declaration changes a core type (or
 * a return area, checked by the trigger tests), so it fails here first.
 */
class DeclarationsTest {
    private static Map<String, HostImport> provided() {
        ComponentContext cx = new ComponentContext("t", AllowedHosts.denyAll(), (l, c, m) -> {});
        try (WasiCapability wasi = new WasiCapability(WasiOptions.defaults(), Map.of());
             InstanceBinding b = wasi.bind(cx, new InstanceScope())) {
            Map<String, HostImport> out = new HashMap<>();
            for (HostImport i : b.imports()) {
                HostImport before = out.put(i.module() + "#" + i.name(), i);
                assertEquals(null, before, "declared twice: " + i.module() + "#" + i.name());
            }
            return out;
        }
    }

    private static List<String> mismatches(Path wasm) throws Exception {
        WasmModule module = Parser.parse(Files.readAllBytes(wasm));
        Map<String, HostImport> provided = provided();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import imp = module.importSection().getImport(i);
            if (imp.importType() != ExternalType.FUNCTION || !(imp.module().startsWith("wasi:") || imp.module().equals("wasi-outbound-http")
                    || imp.module().equals("fermyon:spin/http"))) {
                continue;
            }
            FunctionType wanted = module.typeSection().getType(((FunctionImport) imp).typeIndex());
            HostImport have = provided.get(imp.module() + "#" + imp.name());
            checked++;
            if (have == null) {
                problems.add("missing " + imp.module() + "#" + imp.name());
            } else if (!have.type().equals(wanted)) {
                problems.add(imp.module() + "#" + imp.name() + ": guest " + wanted + ", host " + have.type());
            }
        }
        assertTrue(checked > 0, wasm + " imports nothing this capability provides");
        return problems;
    }

    @ParameterizedTest
    @ValueSource(strings = {"wasi-http/http-0.2.0", "wasi-http/http-rc-2023-11-10", "wasi-http/http-rc-2023-10-18", "wasi-http/spin-http-outbound",
            "redis-poll"})
    void everyImportOfOurHandWrittenGuestsIsProvidedWithItsCoreType(String guest) throws Exception {
        assertEquals(List.of(), mismatches(Guests.path(guest)));
    }

    /** Spin's prebuilt rc-2023-10-18 test components, when assembled (see the corpus README). */
    @ParameterizedTest
    @ValueSource(strings = {"test-component-outbound-redis/outbound-redis.wasm", "test-component-variables/variables.wasm",
            "test-component-key-value/key-value.wasm", "legacy-javascript/legacy-javascript.wasm"})
    void everyImportOfSpinsPrebuiltGuestsIsProvided(String guest) throws Exception {
        Path wasm = Path.of(System.getenv().getOrDefault("SPIN_GUESTS", "/tmp/spin-guests")).resolve(guest);
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(wasm), "corpus not assembled: " + wasm);
        assertEquals(List.of(), mismatches(wasm));
    }

    @Test
    void errorCodeLayoutIsTheCanonicalOne() {
        // 39 cases, the largest payload option<field-size-payload> (24 bytes, align 4), a u64 case
        assertEquals(32, HttpTypes.ERROR_CODE.size());
        assertEquals(8, HttpTypes.ERROR_CODE.alignment());
        assertEquals(List.of(ValType.I32, ValType.I32, ValType.I64, ValType.I32, ValType.I32, ValType.I32, ValType.I32),
                HttpTypes.ERROR_CODE.flat());
    }

    @Test
    void responseOutparamSetTakesNineCoreValuesWithTheI64InFifthPlace() {
        WitFunction set = WasiHttp.interfaces(WasiVersion.V0_2_0).get(0).functions().stream()
                .filter(f -> f.name().equals("[static]response-outparam.set")).findFirst().orElseThrow();
        assertEquals(List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I64, ValType.I32, ValType.I32,
                ValType.I32, ValType.I32), set.importType().params());
        assertEquals(List.of(), set.importType().returns());
    }

    @Test
    void futureTrailersGetReturnsFiftySixBytesInZeroTwoZeroAndTwentyInTheOctoberRc() {
        assertEquals(56, returnArea(WasiVersion.V0_2_0, "[method]future-trailers.get"));
        assertEquals(48, returnArea(WasiVersion.RC_2023_11_10, "[method]future-trailers.get"));
        assertEquals(20, returnArea(WasiVersion.RC_2023_10_18, "[method]future-trailers.get"));
        assertEquals(56, returnArea(WasiVersion.V0_2_0, "[method]future-incoming-response.get"));
        assertEquals(24, returnArea(WasiVersion.RC_2023_10_18, "[method]future-incoming-response.get"));
    }

    private static int returnArea(WasiVersion v, String name) {
        return WasiHttp.interfaces(v).get(0).functions().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow()
                .returnAreaSize();
    }

    @Test
    void everyInterfaceVersionIsOffered() {
        List<String> modules = WasiCapability.modules();
        for (String m : List.of("wasi:http/types@0.2.0", "wasi:http/types@0.2.0-rc-2023-10-18", "wasi:http/types@0.2.0-rc-2023-11-10",
                "wasi:http/outgoing-handler@0.2.0", "wasi:io/streams@0.2.0-rc-2023-10-18", "wasi:io/error@0.2.0",
                "wasi:cli/environment@0.2.0", "wasi:clocks/monotonic-clock@0.2.0", "wasi:random/random@0.2.0",
                "wasi:filesystem/types@0.2.0", "wasi:filesystem/preopens@0.2.0", "wasi-outbound-http", "fermyon:spin/http")) {
            assertTrue(modules.contains(m), m);
        }
    }
}
