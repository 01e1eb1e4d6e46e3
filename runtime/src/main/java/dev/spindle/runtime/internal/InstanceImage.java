package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Element;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.MutabilityType;
import java.util.Optional;

/**
 * Everything of one core instance a guest can change, saved once after instantiation (and
 * {@code _initialize}) and put back before every reuse: the memories it defines (their bytes and
 * size, {@link SnapshotMemory}), its mutable globals, the tables it defines ({@link SnapshotTable})
 * and its element segments (which {@code elem.drop} clears). Imported memories, tables and globals
 * (a component's core instances share the main module's) belong to the instance that defines them
 * and are restored with it.
 *
 * <p>Nothing else of a Chicory instance changes while it runs: the compiled machine keeps no
 * state of its own, and instances of modules that could keep some (exception tags, GC types) are
 * not pooled ({@link #poolable}).
 */
final class InstanceImage {
    private final SnapshotMemory.Image[] memories;
    private final long[] globalsLow;
    private final long[] globalsHigh;
    private final int[] mutableGlobals; // indices into the instance's defined globals
    private final SnapshotTable.Image[] tables;
    private final Element[] elements;
    /** The instance the image was taken from (a template's): what its tables' entries point at. */
    private final Instance source;

    private InstanceImage(Instance source, SnapshotMemory.Image[] memories, int[] mutableGlobals, long[] globalsLow,
                          long[] globalsHigh, SnapshotTable.Image[] tables, Element[] elements) {
        this.source = source;
        this.memories = memories;
        this.mutableGlobals = mutableGlobals;
        this.globalsLow = globalsLow;
        this.globalsHigh = globalsHigh;
        this.tables = tables;
        this.elements = elements;
    }

    /**
     * Why instances of {@code module} cannot be pooled, or empty if they can: a shared memory
     * (threads) or state Chicory keeps outside memories, globals and tables (exception tags,
     * GC structs and arrays).
     */
    static Optional<String> notPoolable(WasmModule module) {
        if (module.memorySection().isPresent()) {
            var section = module.memorySection().get();
            for (int i = 0; i < section.memoryCount(); i++) {
                if (section.getMemory(i).limits().shared()) {
                    return Optional.of("it has a shared memory");
                }
            }
        }
        if (module.tagSection().isPresent() && module.tagSection().get().types().length > 0) {
            return Optional.of("it uses exception tags");
        }
        for (FunctionType type : module.typeSection().types()) {
            if (type == null) {
                return Optional.of("it uses GC types");
            }
        }
        return Optional.empty();
    }

    static boolean poolable(WasmModule module) {
        return notPoolable(module).isEmpty();
    }

    /** Saves {@code instance}'s state (built with {@link SnapshotMemory} and {@link SnapshotTable}). */
    static InstanceImage capture(Instance instance) {
        var imports = instance.imports();
        WasmModule module = instance.module();
        int definedMemories = module.memorySection().map(s -> s.memoryCount()).orElse(0);
        SnapshotMemory.Image[] memories = new SnapshotMemory.Image[definedMemories];
        for (int i = 0; i < definedMemories; i++) {
            memories[i] = memory(instance, imports.memoryCount() + i).capture();
        }
        int definedGlobals = module.globalSection().globalCount();
        int[] mutable = new int[definedGlobals];
        int count = 0;
        for (int i = 0; i < definedGlobals; i++) {
            if (instance.global(imports.globalCount() + i).getMutabilityType() == MutabilityType.Var) {
                mutable[count++] = i;
            }
        }
        mutable = java.util.Arrays.copyOf(mutable, count);
        long[] low = new long[count];
        long[] high = new long[count];
        for (int m = 0; m < count; m++) {
            GlobalInstance g = instance.global(imports.globalCount() + mutable[m]);
            low[m] = g.getValueLow();
            high[m] = g.getValueHigh();
        }
        int definedTables = module.tableSection().tableCount();
        SnapshotTable.Image[] tables = new SnapshotTable.Image[definedTables];
        for (int i = 0; i < definedTables; i++) {
            tables[i] = table(instance, imports.tableCount() + i).capture();
        }
        Element[] elements = new Element[instance.elementCount()];
        for (int i = 0; i < elements.length; i++) {
            elements[i] = instance.element(i);
        }
        return new InstanceImage(instance, memories, mutable, low, high, tables, elements);
    }

    /**
     * Puts {@code instance} (an instance of the same module, built the same way) back to this image.
     * With {@code full}, everything is copied (an instance that has never held the image);
     * otherwise only what changed since the image or the last restore.
     */
    void restore(Instance instance, boolean full) {
        restore(instance, full, owner -> owner == source ? instance : owner);
    }

    /** The instance this image was captured from. */
    Instance source() {
        return source;
    }

    /**
     * {@link #restore(Instance, boolean)} for one core instance of a component whose tables may hold
     * functions of its other core instances: {@code rebind} maps each template core instance to the
     * restored component's.
     */
    void restore(Instance instance, boolean full, java.util.function.UnaryOperator<Instance> rebind) {
        var imports = instance.imports();
        for (int i = 0; i < memories.length; i++) {
            memory(instance, imports.memoryCount() + i).restore(memories[i], full);
        }
        for (int m = 0; m < mutableGlobals.length; m++) {
            GlobalInstance g = instance.global(imports.globalCount() + mutableGlobals[m]);
            g.setValueLow(globalsLow[m]);
            g.setValueHigh(globalsHigh[m]);
        }
        for (int i = 0; i < tables.length; i++) {
            table(instance, imports.tableCount() + i).restore(tables[i], full, rebind);
        }
        for (int i = 0; i < elements.length; i++) {
            if (instance.element(i) != elements[i]) {
                instance.setElement(i, elements[i]);
            }
        }
    }

    /** Bytes the image's memories hold, for the pool's accounting. */
    long memoryBytes() {
        long total = 0;
        for (SnapshotMemory.Image m : memories) {
            total += m.sizeBytes();
        }
        return total;
    }

    private static SnapshotMemory memory(Instance instance, int index) {
        Memory m = instance.memory(index);
        if (m instanceof SnapshotMemory s) {
            return s;
        }
        throw new IllegalStateException("a pooled instance's memory must be a SnapshotMemory, not " + m.getClass().getName());
    }

    private static SnapshotTable table(Instance instance, int index) {
        TableInstance t = instance.table(index);
        if (t instanceof SnapshotTable s) {
            return s;
        }
        throw new IllegalStateException("a pooled instance's table must be a SnapshotTable, not " + t.getClass().getName());
    }
}
