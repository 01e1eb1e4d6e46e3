package dev.spindle.host.abi;

import com.dylibso.chicory.wasm.types.ValType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders declarations as the Markdown tables of {@code docs/guest-abi.md}, so the page is
 * generated from the code that implements it (a test keeps the two equal).
 */
public final class AbiDocs {
    private AbiDocs() {}

    /** The imports of {@code iface}: WIT signature, core parameters and result, return area; then the types they use. */
    public static String imports(WitInterface<?> iface) {
        StringBuilder b = new StringBuilder();
        b.append("Import module `").append(iface.module()).append("`");
        if (iface.options() != AbiOptions.CANONICAL) {
            b.append(" (allocator `").append(iface.options().reallocExport()).append("`)");
        }
        b.append(".\n\n");
        b.append("| import | WIT | core parameters | core result | return area |\n|---|---|---|---|---|\n");
        Map<String, WitType<?>> types = new LinkedHashMap<>();
        for (WitFunction f : iface.functions()) {
            b.append("| `").append(f.name()).append("` | `").append(signature(f)).append("` | ")
                    .append(coreParams(f.importParamNames(), f.importType().params())).append(" | ")
                    .append(coreResults(f.importType().returns())).append(" | ")
                    .append(f.resultInMemory() ? area(f) : "none").append(" |\n");
            collect(f, types);
        }
        b.append(typeTable(types));
        return b.toString();
    }

    /** The exports the host calls, with the same columns; the core result of an export is a pointer when the result is in memory. */
    public static String exports(List<? extends GuestExport<?>> exports) {
        StringBuilder b = new StringBuilder("| export | WIT | core parameters | core result | result area |\n|---|---|---|---|---|\n");
        Map<String, WitType<?>> types = new LinkedHashMap<>();
        for (GuestExport<?> e : exports) {
            WitFunction f = e.signature();
            b.append("| `").append(f.name()).append("` | `").append(signature(f)).append("` | ")
                    .append(coreParams(f.exportParamNames(), f.exportType().params())).append(" | ")
                    .append(f.resultInMemory() ? "i32 (pointer to the result)" : coreResults(f.exportType().returns())).append(" | ")
                    .append(f.resultInMemory() ? area(f) : "none").append(" |\n");
            collect(f, types);
        }
        b.append(typeTable(types));
        return b.toString();
    }

    private static String signature(WitFunction f) {
        String wit = f.wit();
        return wit.substring(wit.indexOf(": func") + 2);
    }

    private static String area(WitFunction f) {
        return f.returnAreaSize() + " bytes, align " + f.returnAreaAlignment();
    }

    private static String coreParams(List<String> names, List<ValType> types) {
        if (names.isEmpty()) {
            return "none";
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String t = valType(types.get(i));
            out.add(t.equals("i32") ? names.get(i) : names.get(i) + ": " + t);
        }
        return String.join(", ", out);
    }

    private static String coreResults(List<ValType> types) {
        if (types.isEmpty()) {
            return "none";
        }
        List<String> out = new ArrayList<>();
        types.forEach(t -> out.add(valType(t)));
        return String.join(", ", out);
    }

    private static String valType(ValType t) {
        if (t.equals(ValType.I32)) {
            return "i32";
        }
        if (t.equals(ValType.I64)) {
            return "i64";
        }
        if (t.equals(ValType.F32)) {
            return "f32";
        }
        return "f64";
    }

    private static void collect(WitFunction f, Map<String, WitType<?>> types) {
        f.params().forEach(p -> collect(p.type(), types));
        f.result().ifPresent(r -> collect(r, types));
    }

    /** Every compound type a signature uses, innermost first, once. */
    private static void collect(WitType<?> t, Map<String, WitType<?>> types) {
        if (t == null || t instanceof Primitive || t instanceof StringType || t instanceof HandleType
                || (t instanceof BytesType b && b.isString())) {
            return;
        }
        if (t instanceof ListType<?> l) {
            collect(l.element(), types);
        } else if (t instanceof OptionType<?> o) {
            collect(o.some(), types);
        } else if (t instanceof ResultType<?, ?> r) {
            collect(r.ok(), types);
            collect(r.err(), types);
        } else if (t instanceof RecordType<?> r) {
            r.fields().forEach(field -> collect(field.type(), types));
        } else if (t instanceof VariantType<?> v) {
            v.cases().forEach(c -> collect(c.payload(), types));
        }
        types.putIfAbsent(definition(t), t);
    }

    private static String typeTable(Map<String, WitType<?>> types) {
        if (types.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("\n| type | size | align | layout (byte offsets) |\n|---|---|---|---|\n");
        types.forEach((definition, t) -> b.append("| `").append(definition).append("` | ").append(t.size()).append(" | ")
                .append(t.alignment()).append(" | ").append(layout(t)).append(" |\n"));
        return b.toString();
    }

    private static String definition(WitType<?> t) {
        if (t instanceof RecordType<?> r) {
            return r.definition();
        }
        if (t instanceof VariantType<?> v) {
            return v.definition();
        }
        if (t instanceof EnumType<?> e) {
            return e.definition();
        }
        if (t instanceof FlagsType f) {
            return f.definition();
        }
        return t.wit();
    }

    private static String discriminant(WitType<?> t, int cases) {
        return (cases <= 0x100 ? "u8" : cases <= 0x10000 ? "u16" : "u32") + " discriminant @0";
    }

    private static String layout(WitType<?> t) {
        if (t instanceof ListType<?> || (t instanceof BytesType b && !b.isString())) {
            WitType<?> element = t instanceof ListType<?> l ? l.element() : Wit.U8;
            return "ptr @0, len @4; elements of " + element.size() + (element.size() == 1 ? " byte" : " bytes") + ", align " + element.alignment();
        }
        if (t instanceof RecordType<?> r) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < r.fields().size(); i++) {
                parts.add((r.name().isPresent() ? r.fields().get(i).label() : "element " + i) + " @" + r.offset(i));
            }
            return String.join(", ", parts);
        }
        if (t instanceof OptionType<?> o) {
            return discriminant(t, 2) + " (0 none, 1 some); some @" + o.payloadOffset();
        }
        if (t instanceof ResultType<?, ?> r) {
            String payload = r.ok() == null && r.err() == null ? "no payload"
                    : (r.ok() != null ? "ok" : "") + (r.ok() != null && r.err() != null ? "/" : "") + (r.err() != null ? "err" : "")
                    + " @" + r.payloadOffset();
            return discriminant(t, 2) + " (0 ok, 1 err); " + payload;
        }
        if (t instanceof VariantType<?> v) {
            List<String> cases = new ArrayList<>();
            for (int i = 0; i < v.cases().size(); i++) {
                cases.add(i + " " + v.cases().get(i).label());
            }
            return discriminant(t, cases.size()) + " (" + String.join(", ", cases) + "); payload @" + v.payloadOffset();
        }
        if (t instanceof EnumType<?> e) {
            List<String> cases = new ArrayList<>();
            for (int i = 0; i < e.labels().size(); i++) {
                cases.add(i + " " + e.labels().get(i));
            }
            return discriminant(t, cases.size()) + " (" + String.join(", ", cases) + ")";
        }
        if (t instanceof FlagsType f) {
            List<String> bits = new ArrayList<>();
            for (int i = 0; i < f.labels().size(); i++) {
                bits.add(f.labels().get(i) + " bit " + i);
            }
            return String.join(", ", bits);
        }
        return "";
    }
}
