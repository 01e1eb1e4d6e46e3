package dev.spindle.component;

import dev.spindle.component.ComponentAst.Alias;
import dev.spindle.component.ComponentAst.AliasTarget;
import dev.spindle.component.ComponentAst.Arg;
import dev.spindle.component.ComponentAst.CanonOptions;
import dev.spindle.component.ComponentAst.CoreArg;
import dev.spindle.component.ComponentAst.CoreExport;
import dev.spindle.component.ComponentAst.CoreValType;
import dev.spindle.component.ComponentAst.Definition;
import dev.spindle.component.ComponentTypes.Case;
import dev.spindle.component.ComponentTypes.Decl;
import dev.spindle.component.ComponentTypes.ExternType;
import dev.spindle.component.ComponentTypes.Field;
import dev.spindle.component.ComponentTypes.Param;
import dev.spindle.component.ComponentTypes.Primitive;
import dev.spindle.component.ComponentTypes.TypeDef;
import dev.spindle.component.ComponentTypes.ValType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes a component binary (the Component Model's Binary.md) into a {@link ComponentAst}.
 *
 * <p>Constructs that none of the supported producers emit (componentize-js, {@code wasm-tools
 * component new} with the WASI preview 1 adapters) and that Spindle does not run are refused with
 * one line naming the construct: async functions and canonical options, the async, thread and
 * error-context built-ins, stream/future/map/fixed-size-list types, value and start definitions.
 */
public final class ComponentDecoder {
    private static final byte[] MAGIC = {0x00, 0x61, 0x73, 0x6D};
    /** Nested components deeper than this are refused (a hostile binary must not exhaust the stack). */
    private static final int MAX_DEPTH = 16;

    private ComponentDecoder() {}

    /** What the first 8 bytes say a binary is. */
    public enum Kind { CORE_MODULE, COMPONENT, UNKNOWN }

    /** Recognises a core module ({@code \0asm 01 00 00 00}) or a component ({@code \0asm 0d 00 01 00}) by its header. */
    public static Kind kind(byte[] bytes) {
        if (bytes.length < 8) {
            return Kind.UNKNOWN;
        }
        for (int i = 0; i < 4; i++) {
            if (bytes[i] != MAGIC[i]) {
                return Kind.UNKNOWN;
            }
        }
        int layer = (bytes[6] & 0xFF) | (bytes[7] & 0xFF) << 8;
        if (layer == 0 && bytes[4] == 1 && bytes[5] == 0) {
            return Kind.CORE_MODULE;
        }
        if (layer == 1) {
            return Kind.COMPONENT;
        }
        return Kind.UNKNOWN;
    }

    public static ComponentAst decode(byte[] bytes) {
        if (kind(bytes) != Kind.COMPONENT) {
            throw new ComponentFormatException("not a WebAssembly component (the header is not \\0asm with layer 1)");
        }
        int version = (bytes[4] & 0xFF) | (bytes[5] & 0xFF) << 8;
        if (version != 0x0d) {
            throw new ComponentFormatException("component binary version 0x" + Integer.toHexString(version)
                    + " is not supported (only 0xd, the version every current producer emits)");
        }
        return new ComponentDecoder().component(bytes, 8, bytes.length, 0);
    }

    private ComponentAst component(byte[] bytes, int start, int end, int depth) {
        if (depth > MAX_DEPTH) {
            throw new ComponentFormatException("components nested deeper than " + MAX_DEPTH + " levels at byte " + start);
        }
        BinaryReader r = new BinaryReader(bytes, start, end);
        List<Definition> defs = new ArrayList<>();
        while (!r.atEnd()) {
            int id = r.u8();
            int size = r.count();
            int sectionStart = r.position();
            int sectionEnd = sectionStart + size;
            BinaryReader s = new BinaryReader(bytes, sectionStart, sectionEnd);
            switch (id) {
                case 0 -> s.skip(size); // custom (names, producers): not needed to run
                case 1 -> defs.add(new ComponentAst.CoreModule(s.bytes(size), sectionStart));
                case 2 -> vec(s, () -> defs.add(coreInstance(s)));
                case 3 -> vec(s, () -> defs.add(coreType(s)));
                case 4 -> {
                    checkHeader(bytes, sectionStart, sectionEnd);
                    defs.add(new ComponentAst.NestedComponent(component(bytes, sectionStart + 8, sectionEnd, depth + 1), sectionStart));
                    s.skip(size);
                }
                case 5 -> vec(s, () -> defs.add(instance(s)));
                case 6 -> vec(s, () -> defs.add(alias(s)));
                case 7 -> vec(s, () -> defs.add(new ComponentAst.Type(type(s))));
                case 8 -> vec(s, () -> defs.add(canon(s)));
                case 9 -> throw unsupported(s, "a start definition (section 9, a value-definitions feature)");
                case 10 -> vec(s, () -> defs.add(new ComponentAst.Import(externName(s), externType(s))));
                case 11 -> vec(s, () -> defs.add(export(s)));
                case 12 -> throw unsupported(s, "value definitions (section 12)");
                default -> throw new ComponentFormatException("unknown component section id " + id + " at byte " + (sectionStart - 1));
            }
            if (!s.atEnd()) {
                throw new ComponentFormatException("section " + id + " has " + (sectionEnd - s.position())
                        + " unread bytes at byte " + s.position());
            }
            r.skip(size);
        }
        return new ComponentAst(defs);
    }

    private static void checkHeader(byte[] bytes, int start, int end) {
        byte[] header = new byte[Math.min(8, end - start)];
        System.arraycopy(bytes, start, header, 0, header.length);
        if (kind(header) != Kind.COMPONENT) {
            throw new ComponentFormatException("nested component at byte " + start + " has no component header");
        }
    }

    private static void vec(BinaryReader r, Runnable item) {
        int n = r.count();
        for (int i = 0; i < n; i++) {
            item.run();
        }
    }

    private static ComponentFormatException unsupported(BinaryReader r, String what) {
        return new ComponentFormatException("unsupported component construct: " + what + " at byte " + r.position());
    }

    // ---- instances ----

    private static Definition coreInstance(BinaryReader r) {
        int tag = r.u8();
        if (tag == 0x00) {
            int module = r.u32();
            List<CoreArg> args = new ArrayList<>();
            vec(r, () -> {
                String name = r.name();
                int sort = r.u8();
                if (sort != 0x12) {
                    throw r.error("core instantiate argument of sort 0x" + Integer.toHexString(sort) + " (only instances)");
                }
                args.add(new CoreArg(name, r.u32()));
            });
            return new ComponentAst.CoreInstantiate(module, args);
        }
        if (tag == 0x01) {
            List<CoreExport> exports = new ArrayList<>();
            vec(r, () -> {
                String name = r.name();
                Sort sort = coreSort(r);
                exports.add(new CoreExport(name, sort, r.u32()));
            });
            return new ComponentAst.CoreInstanceFromExports(exports);
        }
        throw r.error("unknown core instance expression 0x" + Integer.toHexString(tag));
    }

    private static Definition instance(BinaryReader r) {
        int tag = r.u8();
        if (tag == 0x00) {
            int component = r.u32();
            List<Arg> args = new ArrayList<>();
            vec(r, () -> {
                String name = r.name();
                Sort sort = sort(r);
                args.add(new Arg(name, sort, r.u32()));
            });
            return new ComponentAst.Instantiate(component, args);
        }
        if (tag == 0x01) {
            List<Arg> exports = new ArrayList<>();
            vec(r, () -> {
                String name = externName(r);
                Sort sort = sort(r);
                exports.add(new Arg(name, sort, r.u32()));
            });
            return new ComponentAst.InstanceFromExports(exports);
        }
        throw r.error("unknown instance expression 0x" + Integer.toHexString(tag));
    }

    private static Sort coreSort(BinaryReader r) {
        int b = r.u8();
        return switch (b) {
            case 0x00 -> Sort.CORE_FUNC;
            case 0x01 -> Sort.CORE_TABLE;
            case 0x02 -> Sort.CORE_MEMORY;
            case 0x03 -> Sort.CORE_GLOBAL;
            case 0x04 -> throw unsupported(r, "core tag (exception handling)");
            case 0x10 -> Sort.CORE_TYPE;
            case 0x11 -> Sort.CORE_MODULE;
            case 0x12 -> Sort.CORE_INSTANCE;
            default -> throw r.error("unknown core sort 0x" + Integer.toHexString(b));
        };
    }

    private static Sort sort(BinaryReader r) {
        int b = r.u8();
        return switch (b) {
            case 0x00 -> coreSort(r);
            case 0x01 -> Sort.FUNC;
            case 0x02 -> throw unsupported(r, "value sort");
            case 0x03 -> Sort.TYPE;
            case 0x04 -> Sort.COMPONENT;
            case 0x05 -> Sort.INSTANCE;
            default -> throw r.error("unknown sort 0x" + Integer.toHexString(b));
        };
    }

    // ---- aliases ----

    private static Alias alias(BinaryReader r) {
        Sort sort = sort(r);
        int tag = r.u8();
        AliasTarget target = switch (tag) {
            case 0x00 -> new ComponentAst.InstanceExport(r.u32(), r.name());
            case 0x01 -> new ComponentAst.CoreInstanceExport(r.u32(), r.name());
            case 0x02 -> new ComponentAst.Outer(r.u32(), r.u32());
            default -> throw r.error("unknown alias target 0x" + Integer.toHexString(tag));
        };
        return new Alias(sort, target);
    }

    // ---- core types ----

    private static ComponentAst.CoreType coreType(BinaryReader r) {
        int form = r.u8();
        if (form == 0x50) {
            throw unsupported(r, "core module type");
        }
        if (form != 0x60) {
            throw unsupported(r, "core type form 0x" + Integer.toHexString(form) + " (GC types)");
        }
        List<CoreValType> params = new ArrayList<>();
        vec(r, () -> params.add(coreValType(r)));
        List<CoreValType> results = new ArrayList<>();
        vec(r, () -> results.add(coreValType(r)));
        return new ComponentAst.CoreType(params, results);
    }

    private static CoreValType coreValType(BinaryReader r) {
        int b = r.u8();
        return switch (b) {
            case 0x7F -> CoreValType.I32;
            case 0x7E -> CoreValType.I64;
            case 0x7D -> CoreValType.F32;
            case 0x7C -> CoreValType.F64;
            case 0x7B -> CoreValType.V128;
            case 0x70 -> CoreValType.FUNCREF;
            case 0x6F -> CoreValType.EXTERNREF;
            default -> throw r.error("unknown core value type 0x" + Integer.toHexString(b));
        };
    }

    // ---- component types ----

    private TypeDef type(BinaryReader r) {
        int b = r.peek();
        switch (b) {
            case 0x40 -> {
                r.u8();
                List<Param> params = new ArrayList<>();
                vec(r, () -> params.add(new Param(r.name(), valType(r))));
                return new ComponentTypes.FuncType(params, resultList(r));
            }
            case 0x43 -> throw unsupported(r, "async function type (func async)");
            case 0x41 -> {
                r.u8();
                List<Decl> decls = new ArrayList<>();
                vec(r, () -> decls.add(componentDecl(r)));
                return new ComponentTypes.ComponentType(decls);
            }
            case 0x42 -> {
                r.u8();
                List<Decl> decls = new ArrayList<>();
                vec(r, () -> decls.add(instanceDecl(r)));
                return new ComponentTypes.InstanceType(decls);
            }
            case 0x3F -> {
                r.u8();
                int rep = r.u8();
                if (rep != 0x7F) {
                    throw r.error("resource representation 0x" + Integer.toHexString(rep) + " (only i32)");
                }
                Optional<Integer> dtor = r.u8() == 0x01 ? Optional.of(r.u32()) : Optional.empty();
                return new ComponentTypes.ResourceTypeDef(dtor);
            }
            default -> {
                return new ComponentTypes.ValueTypeDef(defValType(r));
            }
        }
    }

    private static Optional<ValType> resultList(BinaryReader r) {
        int tag = r.u8();
        if (tag == 0x00) {
            return Optional.of(valType(r));
        }
        if (tag == 0x01) {
            int zero = r.u8();
            if (zero != 0x00) {
                throw unsupported(r, "named function results");
            }
            return Optional.empty();
        }
        throw r.error("unknown result list 0x" + Integer.toHexString(tag));
    }

    private Decl componentDecl(BinaryReader r) {
        if (r.peek() == 0x03) {
            r.u8();
            return new ComponentTypes.ImportDecl(externName(r), externType(r));
        }
        return instanceDecl(r);
    }

    private Decl instanceDecl(BinaryReader r) {
        int tag = r.u8();
        return switch (tag) {
            case 0x00 -> new ComponentTypes.CoreTypeDecl(coreType(r));
            case 0x01 -> new ComponentTypes.TypeDecl(type(r));
            case 0x02 -> new ComponentTypes.AliasDecl(alias(r));
            case 0x04 -> new ComponentTypes.ExportDecl(externName(r), externType(r));
            default -> throw r.error("unknown instance-type declarator 0x" + Integer.toHexString(tag));
        };
    }

    private static ValType primitive(int b) {
        return switch (b) {
            case 0x7F -> Primitive.BOOL;
            case 0x7E -> Primitive.S8;
            case 0x7D -> Primitive.U8;
            case 0x7C -> Primitive.S16;
            case 0x7B -> Primitive.U16;
            case 0x7A -> Primitive.S32;
            case 0x79 -> Primitive.U32;
            case 0x78 -> Primitive.S64;
            case 0x77 -> Primitive.U64;
            case 0x76 -> Primitive.F32;
            case 0x75 -> Primitive.F64;
            case 0x74 -> Primitive.CHAR;
            case 0x73 -> Primitive.STRING;
            default -> null;
        };
    }

    private static ValType valType(BinaryReader r) {
        long v = r.s33();
        if (v >= 0) {
            return new ComponentTypes.TypeRef((int) v);
        }
        int b = (int) (v & 0x7F);
        ValType p = primitive(b);
        if (p == null) {
            throw r.error("value type 0x" + Integer.toHexString(b) + " is not a primitive or a type index");
        }
        return p;
    }

    private static ValType defValType(BinaryReader r) {
        int b = r.u8();
        ValType p = primitive(b);
        if (p != null) {
            return p;
        }
        switch (b) {
            case 0x72 -> {
                List<Field> fields = new ArrayList<>();
                vec(r, () -> fields.add(new Field(r.name(), valType(r))));
                return new ComponentTypes.RecordT(fields);
            }
            case 0x71 -> {
                List<Case> cases = new ArrayList<>();
                vec(r, () -> {
                    String name = r.name();
                    Optional<ValType> t = r.u8() == 0x01 ? Optional.of(valType(r)) : Optional.empty();
                    if (r.u8() != 0x00) {
                        throw unsupported(r, "variant case refinement");
                    }
                    cases.add(new Case(name, t));
                });
                return new ComponentTypes.VariantT(cases);
            }
            case 0x70 -> {
                return new ComponentTypes.ListT(valType(r));
            }
            case 0x6F -> {
                List<ValType> elements = new ArrayList<>();
                vec(r, () -> elements.add(valType(r)));
                return new ComponentTypes.TupleT(elements);
            }
            case 0x6E -> {
                List<String> labels = new ArrayList<>();
                vec(r, () -> labels.add(r.name()));
                return new ComponentTypes.FlagsT(labels);
            }
            case 0x6D -> {
                List<String> labels = new ArrayList<>();
                vec(r, () -> labels.add(r.name()));
                return new ComponentTypes.EnumT(labels);
            }
            case 0x6B -> {
                return new ComponentTypes.OptionT(valType(r));
            }
            case 0x6A -> {
                Optional<ValType> ok = r.u8() == 0x01 ? Optional.of(valType(r)) : Optional.empty();
                Optional<ValType> err = r.u8() == 0x01 ? Optional.of(valType(r)) : Optional.empty();
                return new ComponentTypes.ResultT(ok, err);
            }
            case 0x69 -> {
                return new ComponentTypes.OwnT(r.u32());
            }
            case 0x68 -> {
                return new ComponentTypes.BorrowT(r.u32());
            }
            case 0x67 -> throw unsupported(r, "fixed-size list type");
            case 0x66 -> throw unsupported(r, "stream type (async)");
            case 0x65 -> throw unsupported(r, "future type (async)");
            case 0x64 -> throw unsupported(r, "error-context type (async)");
            case 0x63 -> throw unsupported(r, "map type");
            default -> throw r.error("unknown value type 0x" + Integer.toHexString(b));
        }
    }

    // ---- canon ----

    private static Definition canon(BinaryReader r) {
        int op = r.u8();
        switch (op) {
            case 0x00 -> {
                expectZero(r, "canon lift");
                int coreFunc = r.u32();
                CanonOptions opts = options(r);
                return new ComponentAst.Lift(coreFunc, opts, r.u32());
            }
            case 0x01 -> {
                expectZero(r, "canon lower");
                int func = r.u32();
                return new ComponentAst.Lower(func, options(r));
            }
            case 0x02 -> {
                return new ComponentAst.ResourceBuiltin(ComponentAst.ResourceOp.NEW, r.u32());
            }
            case 0x03 -> {
                return new ComponentAst.ResourceBuiltin(ComponentAst.ResourceOp.DROP, r.u32());
            }
            case 0x07 -> {
                // resource.drop async in earlier drafts of the binary format
                throw unsupported(r, "canon resource.drop async");
            }
            case 0x04 -> {
                return new ComponentAst.ResourceBuiltin(ComponentAst.ResourceOp.REP, r.u32());
            }
            default -> throw unsupported(r, "canon built-in 0x" + Integer.toHexString(op) + " (" + builtinName(op) + ")");
        }
    }

    private static String builtinName(int op) {
        return switch (op) {
            case 0x05 -> "task.cancel";
            case 0x06 -> "subtask.cancel";
            case 0x08 -> "backpressure.set";
            case 0x09 -> "task.return";
            case 0x0a -> "context.get";
            case 0x0b -> "context.set";
            case 0x0c -> "thread.yield";
            case 0x0d -> "subtask.drop";
            case 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14 -> "stream.*";
            case 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b -> "future.*";
            case 0x1c, 0x1d, 0x1e -> "error-context.*";
            case 0x1f, 0x20, 0x21, 0x22, 0x23 -> "waitable-set.* / waitable.join";
            case 0x24, 0x25 -> "backpressure.*";
            default -> op >= 0x26 ? "thread.*" : "unknown";
        };
    }

    private static void expectZero(BinaryReader r, String what) {
        int b = r.u8();
        if (b != 0x00) {
            throw r.error(what + " with sort byte 0x" + Integer.toHexString(b) + " (expected func)");
        }
    }

    private static CanonOptions options(BinaryReader r) {
        Optional<Integer>[] slots = new Optional[] {Optional.empty(), Optional.empty(), Optional.empty()};
        vec(r, () -> {
            int opt = r.u8();
            switch (opt) {
                case 0x00 -> { } // string-encoding=utf8, the default
                case 0x01 -> throw unsupported(r, "string-encoding=utf16");
                case 0x02 -> throw unsupported(r, "string-encoding=latin1+utf16");
                case 0x03 -> slots[0] = Optional.of(r.u32());
                case 0x04 -> slots[1] = Optional.of(r.u32());
                case 0x05 -> slots[2] = Optional.of(r.u32());
                case 0x06 -> throw unsupported(r, "canonical option async");
                case 0x07 -> throw unsupported(r, "canonical option callback (async)");
                default -> throw r.error("unknown canonical option 0x" + Integer.toHexString(opt));
            }
        });
        return new CanonOptions(slots[0], slots[1], slots[2]);
    }

    // ---- imports and exports ----

    private static String externName(BinaryReader r) {
        int tag = r.u8();
        if (tag == 0x00 || tag == 0x01) {
            return r.name();
        }
        if (tag == 0x02) {
            String name = r.name();
            vec(r, () -> {
                int kind = r.u8();
                switch (kind) {
                    case 0x00, 0x01 -> r.name();
                    case 0x02 -> r.name();
                    default -> throw r.error("unknown name attribute 0x" + Integer.toHexString(kind));
                }
            });
            return name;
        }
        throw r.error("unknown extern name form 0x" + Integer.toHexString(tag));
    }

    private static ExternType externType(BinaryReader r) {
        int tag = r.u8();
        return switch (tag) {
            case 0x00 -> {
                int core = r.u8();
                if (core != 0x11) {
                    throw r.error("core extern type 0x" + Integer.toHexString(core) + " (only modules)");
                }
                yield new ComponentTypes.ModuleExtern(r.u32());
            }
            case 0x01 -> new ComponentTypes.FuncExtern(r.u32());
            case 0x02 -> throw unsupported(r, "value import or export");
            case 0x03 -> {
                int bound = r.u8();
                if (bound == 0x00) {
                    yield new ComponentTypes.TypeEqExtern(r.u32());
                }
                if (bound == 0x01) {
                    yield new ComponentTypes.TypeSubResourceExtern();
                }
                throw r.error("unknown type bound 0x" + Integer.toHexString(bound));
            }
            case 0x04 -> new ComponentTypes.ComponentExtern(r.u32());
            case 0x05 -> new ComponentTypes.InstanceExtern(r.u32());
            default -> throw r.error("unknown extern type 0x" + Integer.toHexString(tag));
        };
    }

    private static Definition export(BinaryReader r) {
        String name = externName(r);
        Sort sort = sort(r);
        int index = r.u32();
        Optional<ExternType> ascribed = r.u8() == 0x01 ? Optional.of(externType(r)) : Optional.empty();
        return new ComponentAst.Export(name, sort, index, ascribed);
    }
}
