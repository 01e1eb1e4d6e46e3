package dev.spindle.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.runtime.LoadException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compile-cache hit parses the module without the bodies its cached classes replace, and keeps
 * the bodies of functions Chicory interprets (too large for a JVM method). The module here has
 * one of each, after an imported function (so defined functions start at index 1): {@code huge}
 * (x + 60,000, one i32.add at a time: far past the JVM's 64 KB method limit; index 1) and {@code
 * small} (huge(x) + one(), compiled; index 2), where {@code one} is the host's import returning 1.
 */
class CoreModulesTest {
    private static final int ADDS = 60_000;
    private static final byte[] MODULE = hugeAndSmall();
    private static final ImportValues ONE = ImportValues.builder()
            .addFunction(new HostFunction("env", "one", FunctionType.of(java.util.List.of(), java.util.List.of(ValType.I32)), (instance, args) -> new long[] {1}))
            .build();

    private static long call(WasmModule module, Function<Instance, Machine> factory, String export, int arg) {
        Instance instance = Instance.builder(module).withImportValues(ONE).withMachineFactory(factory).build();
        return instance.export(export).apply(arg)[0];
    }

    @Test
    void aHitKeepsOnlyTheInterpretedBodiesAndRunsTheSame(@TempDir Path dir) {
        CoreModules miss = new CoreModules("huge", true, CompileCache.open(dir));
        WasmModule full = miss.parse(MODULE, "invalid");
        Function<Instance, Machine> compiled = miss.compile(full);
        assertEquals(5 + ADDS + 1, call(full, compiled, "small", 5));

        byte[] entry = CompileCache.open(dir).get(CoreModules.digest(MODULE));
        assertEquals(Optional.of(new InterpretedFunctions.Layout(3, Set.of(1))), InterpretedFunctions.in(entry),
                "three functions: 0 imported, 1 interpreted, 2 compiled");
        assertEquals(InterpretedFunctions.in(entry), CompileCache.open(dir).hit(CoreModules.digest(MODULE)).layout(),
                "the entry stores the layout its classes give");

        CompileCache cache = CompileCache.open(dir);
        CoreModules hit = new CoreModules("huge", true, cache);
        WasmModule slim = hit.parse(MODULE, "invalid");
        assertEquals(1, cache.hits());
        assertEquals(0, cache.misses());
        assertEquals(2, slim.codeSection().getFunctionBody(1).instructions().size(), "small's body: unreachable, end");
        assertTrue(slim.codeSection().getFunctionBody(0).instructions().size() > 2 * ADDS, "huge's body kept");
        Function<Instance, Machine> loaded = hit.compile(slim);
        assertEquals(5 + ADDS + 1, call(slim, loaded, "small", 5));
        assertEquals(7 + ADDS, call(slim, loaded, "huge", 7));
        assertEquals(0, cache.writes());
    }

    @Test
    void theSlimmedModuleTrapsWhereABodyWasDroppedSoAWrongSetCanNeverRunWrongCode() {
        byte[] slim = CoreModules.slimmed(MODULE, 1, Set.of());
        WasmModule module = CoreModules.decode(slim, false);
        Instance instance = Instance.builder(module).withImportValues(ONE).build(); // the interpreter runs the bodies as they are
        assertThrows(TrapException.class, () -> instance.export("small").apply(1));
        assertThrows(TrapException.class, () -> instance.export("huge").apply(1));
        assertTrue(slim.length < MODULE.length / 100, slim.length + " bytes");
    }

    @Test
    void classesNotLaidOutAsExpectedMeanKeepEveryBody() {
        assertEquals(Optional.empty(), InterpretedFunctions.in(new byte[] {1, 2, 3}));
        assertEquals(Optional.empty(), InterpretedFunctions.in(new byte[0]));
    }

    @Test
    void anInvalidModuleIsRefusedInOneLineNamingTheComponent(@TempDir Path dir) {
        byte[] broken = MODULE.clone();
        broken[broken.length - 1] = 0x00; // the last body no longer ends with `end`
        var e = assertThrows(LoadException.class, () -> new CoreModules("huge", true, CompileCache.open(dir)).parse(broken, "invalid"));
        assertTrue(e.getMessage().startsWith("component \"huge\": invalid: "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    /** (func $huge (param i32) (result i32) local.get 0 (i32.const 1 i32.add) x ADDS) (func $small ... call $huge +1). */
    private static byte[] hugeAndSmall() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
        section(out, 1, new byte[] {0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f}); // (i32) -> i32, () -> i32
        ByteArrayOutputStream imports = new ByteArrayOutputStream();
        imports.write(1);
        name(imports, "env");
        name(imports, "one");
        imports.writeBytes(new byte[] {0x00, 0x01});                                  // func 0: env.one, type 1
        section(out, 2, imports.toByteArray());
        section(out, 3, new byte[] {0x02, 0x00, 0x00});                               // funcs 1 and 2, type 0
        ByteArrayOutputStream exports = new ByteArrayOutputStream();
        exports.write(2);
        name(exports, "huge");
        exports.writeBytes(new byte[] {0x00, 0x01});
        name(exports, "small");
        exports.writeBytes(new byte[] {0x00, 0x02});
        section(out, 7, exports.toByteArray());
        ByteArrayOutputStream huge = new ByteArrayOutputStream();
        huge.writeBytes(new byte[] {0x00, 0x20, 0x00});                               // no locals; local.get 0
        for (int i = 0; i < ADDS; i++) {
            huge.writeBytes(new byte[] {0x41, 0x01, 0x6a});                           // i32.const 1; i32.add
        }
        huge.write(0x0b);
        byte[] small = {0x00, 0x20, 0x00, 0x10, 0x01, 0x10, 0x00, 0x6a, 0x0b};      // local.get 0; call huge; call one; add
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        code.write(2);
        leb(code, huge.size());
        code.writeBytes(huge.toByteArray());
        leb(code, small.length);
        code.writeBytes(small);
        section(out, 10, code.toByteArray());
        return out.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] payload) {
        out.write(id);
        leb(out, payload.length);
        out.writeBytes(payload);
    }

    private static void name(ByteArrayOutputStream out, String name) {
        leb(out, name.length());
        out.writeBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void leb(ByteArrayOutputStream out, int value) {
        do {
            int b = value & 0x7f;
            value >>>= 7;
            out.write(value == 0 ? b : b | 0x80);
        } while (value != 0);
    }
}
