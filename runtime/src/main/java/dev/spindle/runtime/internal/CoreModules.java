package dev.spindle.runtime.internal;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import dev.spindle.component.BinaryReader;
import dev.spindle.component.ComponentFormatException;
import dev.spindle.runtime.LoadException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Parses and compiles the core modules of one load, through the compile cache when there is one.
 *
 * <p>A miss validates the module, compiles it with Chicory's runtime compiler and stores the
 * classes. A hit skips validation (the entry exists because the same bytes were validated and
 * compiled before) and, more to the point, skips decoding the function bodies the cached classes
 * replace: compiled code never reads them. For the 12 MB StarlingMonkey module that is 9 MB of its
 * code section, most of what a second start spent parsing, and the instruction lists it no longer
 * keeps in the heap. The module is parsed from a slimmed copy of its bytes (see {@link
 * #slimmed}) in which each compiled function's body is replaced by {@code unreachable}; only the
 * bodies of functions Chicory runs interpreted (those too large for a JVM method, found in the
 * cached classes by {@link InterpretedFunctions} when the entry was written) are kept. Were one ever missed, calling it would
 * trap, never run the wrong code.
 */
final class CoreModules {
    /** An empty body: no locals, {@code unreachable}, {@code end}; its size byte first. */
    private static final byte[] UNREACHABLE_BODY = {0x03, 0x00, 0x00, 0x0b};
    private static final int FUNCTION_SECTION = 3;
    private static final int CODE_SECTION = 10;

    private final String componentId;
    private final boolean compiled;
    private final CompileCache cache;
    /** Modules a hit loaded, with the machine factory made from the cached classes. */
    private final Map<WasmModule, Function<Instance, Machine>> fromCache = new IdentityHashMap<>();

    /**
     * Core modules of component {@code componentId}, to be compiled (else run by the interpreter);
     * {@code cache} null for none.
     */
    CoreModules(String componentId, boolean compiled, CompileCache cache) {
        this.componentId = componentId;
        this.compiled = compiled;
        this.cache = compiled ? cache : null;
    }

    /** Parses a core module; {@code what} says what it is in the one-line error if it is not valid. */
    WasmModule parse(byte[] source, String what) {
        try {
            byte[] wasm = compiled ? split(source) : source;
            if (cache != null) {
                Optional<WasmModule> hit = loadCached(wasm);
                if (hit.isPresent()) {
                    return hit.get();
                }
            }
            return decode(wasm, true);
        } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new LoadException("component \"" + componentId + "\": " + what + ": " + ComponentRuntime.oneLine(e));
        }
    }

    /**
     * {@code source} with its large functions split (see {@link FunctionSplitter}): the JVM compiles
     * no method of more than 8,000 bytes of bytecode, so compiled code is only as fast as its
     * largest functions allow. Splitting StarlingMonkey takes a second of a cold JVM's CPU, so the
     * result is kept in the cache beside the classes compiled from it, under the source's digest.
     */
    private byte[] split(byte[] source) {
        if (!FunctionSplitter.hasBodyOver(source, FunctionSplitter.THRESHOLD)) {
            return source;
        }
        if (cache == null) {
            return FunctionSplitter.split(source);
        }
        String key = FunctionSplitter.VERSION + ":" + digest(source);
        byte[] stored = cache.getBytes(key);
        if (stored != null) {
            return stored;
        }
        byte[] split = FunctionSplitter.split(source);
        cache.putBytes(key, split);
        return split;
    }

    /** The machine factory of a module {@link #parse} returned. */
    Function<Instance, Machine> compile(WasmModule module) {
        Function<Instance, Machine> cached = fromCache.get(module);
        if (cached != null) {
            return cached;
        }
        try {
            if (cache == null) {
                return MachineFactoryCompiler.builder(module).compile();
            }
            return MachineFactoryCompiler.builder(module).withCache(cache).compile();
        } catch (ChicoryException | IllegalArgumentException | IllegalStateException e) {
            throw new LoadException("component \"" + componentId + "\": cannot be compiled: "
                    + ComponentRuntime.oneLine(e) + " (try --interpreter)");
        }
    }

    /**
     * On a hit, the module (slimmed when the cached classes say which bodies to keep) with its
     * machine factory recorded for {@link #compile}; empty on a miss, or when the cached classes do
     * not load (the entry is dropped, and the caller compiles afresh).
     */
    private Optional<WasmModule> loadCached(byte[] wasm) {
        String digest = digest(wasm);
        CompileCache.Entry entry = cache.hit(digest);
        if (entry == null) {
            return Optional.empty();
        }
        byte[] classes = entry.classes();
        WasmModule module = null;
        Optional<InterpretedFunctions.Layout> layout = entry.layout();
        if (layout.isPresent()) {
            try {
                int imported = layout.get().functions() - definedFunctions(wasm);
                WasmModule slim = decode(slimmed(wasm, imported, layout.get().interpreted()), false);
                // The classes and the module must agree on where defined functions start.
                if (imported >= 0 && slim.importSection().count(ExternalType.FUNCTION) == imported) {
                    module = slim;
                }
            } catch (ChicoryException | ComponentFormatException | IllegalArgumentException | IndexOutOfBoundsException e) {
                // not the module the classes describe after all: keep every body
            }
        }
        if (module == null) {
            // Classes laid out as this code does not know: keep every body (correct, just slower).
            module = decode(wasm, false);
        }
        try {
            // The slimmed module's own digest differs; its classes are the original's entry, read above.
            fromCache.put(module, MachineFactoryCompiler.builder(module).withCache(new Fixed(classes)).compile());
            return Optional.of(module);
        } catch (RuntimeException | LinkageError e) {
            // An entry whose classes do not load (written by a broken run): drop it, compile afresh.
            cache.evict(digest);
            return Optional.empty();
        }
    }

    /** The key Chicory's parser gives a module: its SHA-256, as {@code sha-256:<base64>}. */
    static String digest(byte[] wasm) {
        return "sha-256:" + Base64.getEncoder().encodeToString(CompileCache.sha256(wasm));
    }

    /** The count at the head of the function section (0 without one): the functions the module defines. */
    private static int definedFunctions(byte[] wasm) {
        BinaryReader sections = new BinaryReader(wasm, 8, wasm.length);
        while (!sections.atEnd()) {
            int id = sections.u8();
            int size = sections.u32();
            if (id == FUNCTION_SECTION) {
                return sections.u32();
            }
            sections.skip(size);
        }
        return 0;
    }

    /**
     * Parses with the builder's settings. (Through the {@code Supplier} overload on purpose:
     * {@code parser.parse(InputStream)} compiles to the static {@code Parser.parse(InputStream)},
     * which ignores the builder and always validates.)
     */
    static WasmModule decode(byte[] wasm, boolean validate) {
        return Parser.builder().withValidation(validate).build().parse(() -> new ByteArrayInputStream(wasm));
    }

    /**
     * {@code wasm} with its code section rewritten: the body of defined function {@code i} kept when
     * {@code keep} holds its function index ({@code imported + i}), else {@code unreachable}. Every
     * other section is copied as it is, so indices, types, data and exports are unchanged.
     */
    static byte[] slimmed(byte[] wasm, int imported, Set<Integer> keep) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(wasm.length / 4);
        out.write(wasm, 0, 8); // magic and version
        BinaryReader sections = new BinaryReader(wasm, 8, wasm.length);
        while (!sections.atEnd()) {
            int id = sections.u8();
            int size = sections.u32();
            int start = sections.position();
            out.write(id);
            if (id == CODE_SECTION) {
                ByteArrayOutputStream code = new ByteArrayOutputStream();
                BinaryReader bodies = new BinaryReader(wasm, start, start + size);
                int count = bodies.u32();
                FunctionSplitter.writeU32(code, count);
                for (int i = 0; i < count; i++) {
                    int bodyStart = bodies.position();
                    bodies.skip(bodies.u32());
                    if (keep.contains(imported + i)) {
                        code.write(wasm, bodyStart, bodies.position() - bodyStart);
                    } else {
                        code.write(UNREACHABLE_BODY, 0, UNREACHABLE_BODY.length);
                    }
                }
                FunctionSplitter.writeU32(out, code.size());
                out.write(code.toByteArray(), 0, code.size());
            } else {
                FunctionSplitter.writeU32(out, size);
                out.write(wasm, start, size);
            }
            sections.skip(size);
        }
        return out.toByteArray();
    }

    /** One compile's cache: always the classes already read; never written (they are on disk under the original digest). */
    private record Fixed(byte[] classes) implements Cache {
        @Override
        public byte[] get(String key) {
            return classes;
        }

        @Override
        public void putIfAbsent(String key, byte[] data) {
            // the entry exists
        }
    }
}
