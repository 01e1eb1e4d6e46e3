package dev.spindle.host.abi;

import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.GuestMemory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A WIT function signature ({@code name: func(params) -> result}) and everything the canonical
 * ABI derives from it, computed once:
 *
 * <ul>
 *   <li>the flat parameters; more than {@value #MAX_FLAT_PARAMS} core values are instead passed as
 *       one pointer to the parameters laid out as a tuple in guest memory;
 *   <li>the flat result; more than {@value #MAX_FLAT_RESULTS} core value goes through memory: an
 *       <b>import</b> takes one extra trailing i32, {@code retptr}, pointing at a return area the
 *       guest owns, and returns nothing; an <b>export</b> returns one i32 pointing at the result,
 *       which the host reads and then releases ({@link AbiOptions});
 *   <li>the return area's size and alignment (those of the result type).
 * </ul>
 */
public final class WitFunction {
    /** The canonical ABI's {@code MAX_FLAT_PARAMS}. */
    public static final int MAX_FLAT_PARAMS = 16;
    /** The canonical ABI's {@code MAX_FLAT_RESULTS}. */
    public static final int MAX_FLAT_RESULTS = 1;

    private final String name;
    private final List<Param<?>> params;
    private final WitType<?> result; // null: no result
    private final RecordType.Layout paramLayout; // the parameters as a tuple (offsets for spilling)
    private final boolean paramsInMemory;
    private final boolean resultInMemory;
    private final FunctionType importType;
    private final FunctionType exportType;

    public WitFunction(String name, List<Param<?>> params, WitType<?> result) {
        this.name = name;
        this.params = List.copyOf(params);
        this.result = result;
        List<WitType<?>> types = new ArrayList<>();
        this.params.forEach(p -> types.add(p.type()));
        this.paramLayout = RecordType.Layout.of(types);
        this.paramsInMemory = paramLayout.flat.length > MAX_FLAT_PARAMS;
        this.resultInMemory = result != null && result.flatCount() > MAX_FLAT_RESULTS;

        List<ValType> flatParams = paramsInMemory ? List.of(ValType.I32) : Arrays.asList(paramLayout.flat);
        List<ValType> flatResult = result == null ? List.of() : result.flat();
        List<ValType> importParams = new ArrayList<>(flatParams);
        List<ValType> importResults = flatResult;
        List<ValType> exportResults = flatResult;
        if (resultInMemory) {
            importParams.add(ValType.I32);
            importResults = List.of();
            exportResults = List.of(ValType.I32);
        }
        this.importType = FunctionType.of(importParams, importResults);
        this.exportType = FunctionType.of(flatParams, exportResults);
    }

    public String name() {
        return name;
    }

    public List<Param<?>> params() {
        return params;
    }

    public Optional<WitType<?>> result() {
        return Optional.ofNullable(result);
    }

    WitType<?> resultOrNull() {
        return result;
    }

    /** The core type of the function imported by a guest (the host implements it). */
    public FunctionType importType() {
        return importType;
    }

    /** The core type of the function exported by a guest (the host calls it). */
    public FunctionType exportType() {
        return exportType;
    }

    /** True when the parameters travel as one pointer to a tuple in memory. */
    public boolean paramsInMemory() {
        return paramsInMemory;
    }

    /** True when the result travels through memory (an import's {@code retptr}, an export's returned pointer). */
    public boolean resultInMemory() {
        return resultInMemory;
    }

    /** Size of the return area (0 when the result is flat or absent). */
    public int returnAreaSize() {
        return resultInMemory ? result.size() : 0;
    }

    /** Alignment of the return area (1 when the result is flat or absent). */
    public int returnAreaAlignment() {
        return resultInMemory ? result.alignment() : 1;
    }

    int paramFlatOffset(int i) {
        return paramLayout.flatOffsets[i];
    }

    int paramMemoryOffset(int i) {
        return paramLayout.offsets[i];
    }

    int paramAreaSize() {
        return paramLayout.size;
    }

    int paramAreaAlignment() {
        return paramLayout.alignment;
    }

    /** True when an import's result makes the host allocate in the guest. */
    public boolean importAllocates() {
        return result != null && result.allocates();
    }

    /** True when calling this export makes the host allocate in the guest (arguments with strings or lists, or spilled). */
    public boolean exportAllocates() {
        return paramsInMemory || params.stream().anyMatch(p -> p.type().allocates());
    }

    /** The WIT signature, {@code name: func(a: t, ...) -> r}. */
    public String wit() {
        StringBuilder b = new StringBuilder(name).append(": func(");
        for (int i = 0; i < params.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(params.get(i).name()).append(": ").append(params.get(i).type().wit());
        }
        b.append(')');
        if (result != null) {
            b.append(" -> ").append(result.wit());
        }
        return b.toString();
    }

    /** Names for the core parameters of the import: {@code key_ptr key_len ... retptr}. */
    public List<String> importParamNames() {
        List<String> out = flatParamNames();
        if (resultInMemory) {
            out.add("retptr");
        }
        return out;
    }

    /** Names for the core parameters of the export. */
    public List<String> exportParamNames() {
        return flatParamNames();
    }

    private List<String> flatParamNames() {
        List<String> out = new ArrayList<>();
        if (paramsInMemory) {
            out.add("params_ptr");
            return out;
        }
        for (Param<?> p : params) {
            flatNames(snake(p.name()), p.type(), out);
        }
        return out;
    }

    private static void flatNames(String prefix, WitType<?> t, List<String> out) {
        if (t instanceof StringType || t instanceof BytesType || t instanceof ListType) {
            out.add(prefix + "_ptr");
            out.add(prefix + "_len");
        } else if (t instanceof RecordType<?> r) {
            for (RecordType.Field<?, ?> f : r.fields()) {
                flatNames(r.name().isPresent() ? snake(f.label()) : prefix + "_" + f.label(), f.type(), out);
            }
        } else if (t instanceof OptionType<?> o) {
            out.add(prefix + "_disc");
            flatNames(prefix, o.some(), out);
        } else if (t.flatCount() > 1) {
            out.add(prefix + "_disc");
            for (int i = 1; i < t.flatCount(); i++) {
                out.add(prefix + "_payload" + i);
            }
        } else {
            out.add(prefix);
        }
    }

    private static String snake(String witName) {
        return witName.replace('-', '_');
    }

    /** Checks an export's returned pointer or an import's retptr: aligned and in bounds, before anything else. */
    void checkReturnArea(GuestMemory memory, int ptr) {
        memory.checkReturnArea(ptr, result.size(), result.alignment());
    }

    @Override
    public String toString() {
        return wit();
    }
}
