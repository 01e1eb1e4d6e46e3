package dev.spindle.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.WasmModule;
import dev.spindle.testing.Guests;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Splitting a function changes its shape, never what it computes. The oracle is the unsplit module
 * run by Chicory's interpreter: the split module, compiled and interpreted, must return the same
 * values and leave the same memory and globals, over inputs that take every path of {@code
 * guests/wat/split-dispatch.wat} (a dispatch loop with exits that carry values, early returns,
 * multi-value blocks, an if and a loop with parameters). The limits are small so its 2.6 KB
 * function splits the way StarlingMonkey's 135 KB ones do at the real limits.
 */
class FunctionSplitterTest {
    private static final byte[] DISPATCH = Guests.bytes("split-dispatch");
    private static final int THRESHOLD = 600;
    private static final int LIMIT = 500;
    private static final int[] STEPS = {0, 1, 2, 3, 7, 20, 64, 333, 1000, 4099};
    private static final long[] SEEDS = {0, 1, -7, 123_456_789_012L};

    @Test
    void theLargeFunctionBecomesValidPiecesUnderTheLimit() {
        byte[] split = FunctionSplitter.split(DISPATCH, THRESHOLD, LIMIT);
        WasmModule original = CoreModules.decode(DISPATCH, true);
        WasmModule module = CoreModules.decode(split, true); // validates every piece
        assertTrue(module.functionSection().functionCount() > original.functionSection().functionCount() + 3,
                module.functionSection().functionCount() + " functions");
        int[] before = FunctionSplitter.bodySizes(DISPATCH);
        int[] after = FunctionSplitter.bodySizes(split);
        assertTrue(before[1] > THRESHOLD, "run: " + before[1] + " bytes");
        assertTrue(after[1] < before[1] / 3, "run, split: " + after[1] + " of " + before[1] + " bytes");
        for (int i = before.length; i < after.length; i++) {
            assertTrue(after[i] <= LIMIT, "piece " + i + ": " + after[i] + " bytes");
        }
        assertEquals(original.exportSection().exportCount(), module.exportSection().exportCount());
    }

    @Test
    void thePiecesComputeWhatTheWholeFunctionDid() {
        WasmModule whole = CoreModules.decode(DISPATCH, true);
        WasmModule split = CoreModules.decode(FunctionSplitter.split(DISPATCH, THRESHOLD, LIMIT), true);
        var compiled = MachineFactoryCompiler.builder(split).compile();
        List<String> distinct = new ArrayList<>();
        for (int steps : STEPS) {
            for (long seed : SEEDS) {
                Outcome expected = run(Instance.builder(whole).build(), steps, seed);
                assertEquals(expected, run(Instance.builder(split).build(), steps, seed), "interpreted, n=" + steps + " seed=" + seed);
                assertEquals(expected, run(Instance.builder(split).withMachineFactory(compiled).build(), steps, seed),
                        "compiled, n=" + steps + " seed=" + seed);
                if (!distinct.contains(expected.toString())) {
                    distinct.add(expected.toString());
                }
            }
        }
        assertTrue(distinct.size() > STEPS.length, "the inputs take different paths: " + distinct.size() + " outcomes");
    }

    @Test
    void theResultDependsOnlyOnTheInputSoTheCacheKeyIsStable() {
        assertArrayEquals(FunctionSplitter.split(DISPATCH, THRESHOLD, LIMIT), FunctionSplitter.split(DISPATCH.clone(), THRESHOLD, LIMIT));
    }

    @Test
    void modulesWithoutALargeFunctionAreReturnedAsTheyAre() {
        assertSame(DISPATCH, FunctionSplitter.split(DISPATCH), "2.6 KB is under the real threshold");
        byte[] straight = module(straightLine(20_000));
        assertSame(straight, FunctionSplitter.split(straight, THRESHOLD, LIMIT), "no construct to move: left whole");
        byte[] garbage = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x7f};
        assertSame(garbage, FunctionSplitter.split(garbage, THRESHOLD, LIMIT), "what it cannot read, it leaves to the parser");
    }

    /** Through {@link CoreModules}, as a load does: a function past the JVM's method limit is compiled in pieces, none interpreted. */
    @Test
    void aFunctionTooLargeForAJvmMethodIsCompiledInPieces(@TempDir Path dir) {
        byte[] large = module(blocks(200));
        assertTrue(large.length > 50_000, large.length + " bytes");
        CoreModules modules = new CoreModules("large", true, CompileCache.open(dir));
        WasmModule module = modules.parse(large, "invalid");
        var factory = modules.compile(module);
        WasmModule whole = CoreModules.decode(large, true);
        for (int x : new int[] {0, 1, 99, -5, 1 << 30}) {
            long expected = Instance.builder(whole).build().export("f").apply(x)[0];
            assertEquals(expected, Instance.builder(module).withMachineFactory(factory).build().export("f").apply(x)[0]);
        }
        byte[] entry = CompileCache.open(dir).get(CoreModules.digest(FunctionSplitter.split(large)));
        Optional<InterpretedFunctions.Layout> layout = InterpretedFunctions.in(entry);
        assertTrue(layout.isPresent());
        assertTrue(layout.get().functions() > 1, "the pieces are functions of their own");
        assertEquals(Set.of(), layout.get().interpreted(), "nothing left to the interpreter");

        // A second start takes the split module from the cache beside the classes; a damaged copy is split again.
        CompileCache cache = CompileCache.open(dir);
        assertArrayEquals(FunctionSplitter.split(large), cache.getBytes(FunctionSplitter.VERSION + ":" + CoreModules.digest(large)));
        CoreModules again = new CoreModules("large", true, cache);
        WasmModule hit = again.parse(large, "invalid");
        assertEquals(1, cache.hits());
        assertEquals(Instance.builder(whole).build().export("f").apply(42)[0],
                Instance.builder(hit).withMachineFactory(again.compile(hit)).build().export("f").apply(42)[0]);
        try (var files = java.nio.file.Files.list(cache.directory())) {
            Path stored = files.filter(f -> f.toString().endsWith(".bytes")).findFirst().orElseThrow();
            java.nio.file.Files.write(stored, new byte[] {1, 2, 3});
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        CompileCache damaged = CompileCache.open(dir);
        WasmModule resplit = new CoreModules("large", true, damaged).parse(large, "invalid");
        assertEquals(1, damaged.hits(), "split again, to the same bytes: the classes still match");
        assertEquals(module.functionSection().functionCount(), resplit.functionSection().functionCount());
    }

    private record Outcome(long result, long global, String memory) {}

    private static Outcome run(Instance instance, int steps, long seed) {
        long result = instance.export("run").apply(steps, seed)[0];
        byte[] table = instance.memory().readBytes(64, 1024);
        return new Outcome(result, instance.global(0).getValue(), java.util.HexFormat.of().formatHex(table));
    }

    // ---- modules made here: (func (export "f") (param i32) (result i32) <body>) ----

    /** local.get 0, then {@code adds} times (i32.const 1, i32.add): one long run of straight-line code. */
    private static byte[] straightLine(int adds) {
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        code.writeBytes(new byte[] {0x00, 0x20, 0x00});
        for (int i = 0; i < adds; i++) {
            code.writeBytes(new byte[] {0x41, 0x01, 0x6a});
        }
        code.write(0x0b);
        return code.toByteArray();
    }

    /** {@code count} blocks, each a run of arithmetic on local 0 with a br_if out of the block. */
    private static byte[] blocks(int count) {
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        code.write(0x00); // no locals beyond the parameter
        for (int b = 0; b < count; b++) {
            code.writeBytes(new byte[] {0x02, 0x40});                                  // block
            for (int i = 0; i < 25; i++) {
                code.writeBytes(new byte[] {0x20, 0x00, 0x41, (byte) ((b + i) & 0x3f), 0x6a, 0x41, 0x03, 0x77, 0x21, 0x00}); // x = rotl(x + k, 3)
            }
            code.writeBytes(new byte[] {0x20, 0x00, 0x41, 0x01, 0x71, 0x0d, 0x00});    // br_if 0 (x & 1)
            code.writeBytes(new byte[] {0x20, 0x00, 0x41, 0x05, 0x6a, 0x21, 0x00});    // x += 5
            code.write(0x0b);                                                          // end
        }
        code.writeBytes(new byte[] {0x20, 0x00, 0x0b});
        return code.toByteArray();
    }

    private static byte[] module(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
        section(out, 1, new byte[] {0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f});            // (i32) -> i32
        section(out, 3, new byte[] {0x01, 0x00});
        section(out, 7, new byte[] {0x01, 0x01, 'f', 0x00, 0x00});
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        code.write(0x01);
        writeU32(code, body.length);
        code.writeBytes(body);
        section(out, 10, code.toByteArray());
        return out.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        writeU32(out, content.length);
        out.writeBytes(content);
    }

    private static void writeU32(ByteArrayOutputStream out, int value) {
        do {
            int x = value & 0x7f;
            value >>>= 7;
            out.write(value == 0 ? x : x | 0x80);
        } while (value != 0);
    }
}
