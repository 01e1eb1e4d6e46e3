package dev.spindle.component;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Import;
import dev.spindle.component.ComponentAst.Definition;
import dev.spindle.component.InstantiationPlan.CoreDef;
import dev.spindle.component.InstantiationPlan.CoreInstantiation;
import dev.spindle.component.InstantiationPlan.GuestResourceBuiltin;
import dev.spindle.component.InstantiationPlan.HostLowering;
import dev.spindle.component.InstantiationPlan.HostResourceDrop;
import dev.spindle.component.InstantiationPlan.ImportBinding;
import dev.spindle.component.InstantiationPlan.InstanceExport;
import dev.spindle.component.InstantiationPlan.LiftedExport;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Flattens a decoded component into an {@link InstantiationPlan} by evaluating it symbolically:
 * every definition appends a value to its sort's index space, nested components are inlined at
 * each instantiation with their arguments substituted, and core instantiations become plan steps
 * whose imports are resolved through instance bags to concrete core definitions (wasmtime's
 * {@code inline.rs} does the same).
 *
 * <p>Supported: everything {@code wasm-tools component new} (with or without the preview 1
 * adapters) and componentize-js emit — imported instances and functions, core and component
 * instance bags, aliases (export, core export, outer), nested components instantiated with
 * functions, types and instances, {@code canon lift/lower} and {@code resource.new/drop/rep}.
 * Refused with one line naming the construct: lowering a lifted function (a component-to-component
 * adapter), importing core modules or components, exporting an imported function unchanged.
 */
public final class Inliner {
    /** Bounds the work a hostile binary can cause by instantiating nested components over and over. */
    private static final int MAX_DEFINITIONS = 1_000_000;
    private static final int MAX_CORE_INSTANCES = 10_000;

    private final Function<byte[], WasmModule> parser;
    private final List<WasmModule> modules = new ArrayList<>();
    private final List<CoreInstantiation> instantiations = new ArrayList<>();
    private final List<WasmModule> instanceModules = new ArrayList<>();
    private int definitionsEvaluated;
    private int nextResource;

    private Inliner(Function<byte[], WasmModule> parser) {
        this.parser = parser;
    }

    /** Decodes and plans a component; core modules are parsed and validated with Chicory. */
    public static InstantiationPlan plan(byte[] componentBytes) {
        return plan(ComponentDecoder.decode(componentBytes));
    }

    public static InstantiationPlan plan(ComponentAst component) {
        return plan(component, Inliner::parseModule);
    }

    /** Plans with a caller-supplied core-module parser (the engine may cache or validate differently). */
    public static InstantiationPlan plan(ComponentAst component, Function<byte[], WasmModule> parser) {
        Inliner inliner = new Inliner(parser);
        Scope root = new Scope(null, null);
        inliner.evaluate(component, root);
        List<LiftedExport> exports = new ArrayList<>();
        for (Map.Entry<String, Object> e : root.exports.entrySet()) {
            inliner.collectExports(e.getKey(), e.getValue(), exports);
        }
        return new InstantiationPlan(inliner.modules, inliner.instantiations, exports, root.importNames);
    }

    private static WasmModule parseModule(byte[] bytes) {
        try {
            return Parser.builder().withValidation(true).build().parse(new ByteArrayInputStream(bytes));
        } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ComponentFormatException("an embedded core module is not valid: " + m.replaceAll("\\s+", " ").trim());
        }
    }

    // ---- symbolic values ----

    /** A core instance that is a plan step. */
    private record Instantiated(int id) {}

    /** A core instance made of existing core definitions. */
    private record CoreBag(Map<String, CoreDef> items) {}

    private record ModuleVal(int index) {}

    private record ImportedFunc(String instance, String name) {}

    private record LiftedFunc(InstanceExport core, Optional<InstanceExport> memory, Optional<InstanceExport> realloc,
                              Optional<InstanceExport> postReturn, ComponentTypes.FuncType type) {}

    private record ImportedInstance(String name) {}

    private record InstanceBag(Map<String, Object> items) {}

    private record ImportedType(String instance, String name) {}

    private record LocalType(ComponentTypes.TypeDef def) {}

    private record GuestResource(int id, Optional<InstanceExport> destructor) {}

    private record ComponentVal(ComponentAst ast, Scope scope) {}

    /** A placeholder for items whose value is never needed (core types). */
    private record Opaque(String what) {}

    /** One component's index spaces while it is evaluated. */
    private static final class Scope {
        final Scope parent;
        final Map<String, Object> args; // null at the root: imports are the component's own
        final Map<Sort, List<Object>> spaces = new EnumMap<>(Sort.class);
        final Map<String, Object> exports = new LinkedHashMap<>();
        final List<String> importNames = new ArrayList<>();

        Scope(Scope parent, Map<String, Object> args) {
            this.parent = parent;
            this.args = args;
            for (Sort s : Sort.values()) {
                spaces.put(s, new ArrayList<>());
            }
        }

        void add(Sort sort, Object value) {
            spaces.get(sort).add(value);
        }

        Object get(Sort sort, int index) {
            List<Object> space = spaces.get(sort);
            if (index < 0 || index >= space.size()) {
                throw new ComponentFormatException(sort.text() + " index " + Integer.toUnsignedString(index)
                        + " is out of range (" + space.size() + " defined)");
            }
            return space.get(index);
        }
    }

    private <T> T as(Class<T> type, Object value, String context) {
        if (!type.isInstance(value)) {
            throw new ComponentFormatException(context + ": found " + describe(value));
        }
        return type.cast(value);
    }

    private static String describe(Object v) {
        if (v instanceof LiftedFunc) {
            return "a lifted function";
        }
        if (v instanceof ImportedFunc f) {
            return "the imported function " + f.name();
        }
        return v.getClass().getSimpleName();
    }

    // ---- evaluation ----

    private void evaluate(ComponentAst ast, Scope scope) {
        for (Definition d : ast.definitions()) {
            if (++definitionsEvaluated > MAX_DEFINITIONS) {
                throw new ComponentFormatException("component instantiates nested components too often (over "
                        + MAX_DEFINITIONS + " definitions)");
            }
            define(d, scope);
        }
    }

    private void define(Definition d, Scope scope) {
        if (d instanceof ComponentAst.CoreModule m) {
            modules.add(parser.apply(m.bytes()));
            scope.add(Sort.CORE_MODULE, new ModuleVal(modules.size() - 1));
        } else if (d instanceof ComponentAst.CoreInstantiate ci) {
            scope.add(Sort.CORE_INSTANCE, instantiate(ci, scope));
        } else if (d instanceof ComponentAst.CoreInstanceFromExports bag) {
            Map<String, CoreDef> items = new LinkedHashMap<>();
            for (ComponentAst.CoreExport e : bag.exports()) {
                items.put(e.name(), coreDef(scope, e.sort(), e.index()));
            }
            scope.add(Sort.CORE_INSTANCE, new CoreBag(items));
        } else if (d instanceof ComponentAst.CoreType) {
            scope.add(Sort.CORE_TYPE, new Opaque("core type"));
        } else if (d instanceof ComponentAst.NestedComponent c) {
            scope.add(Sort.COMPONENT, new ComponentVal(c.component(), scope));
        } else if (d instanceof ComponentAst.Instantiate i) {
            scope.add(Sort.INSTANCE, instantiateComponent(i, scope));
        } else if (d instanceof ComponentAst.InstanceFromExports bag) {
            Map<String, Object> items = new LinkedHashMap<>();
            for (ComponentAst.Arg e : bag.exports()) {
                items.put(e.name(), scope.get(e.sort(), e.index()));
            }
            scope.add(Sort.INSTANCE, new InstanceBag(items));
        } else if (d instanceof ComponentAst.Alias a) {
            scope.add(a.sort(), alias(a, scope));
        } else if (d instanceof ComponentAst.Type t) {
            scope.add(Sort.TYPE, typeValue(t.type(), scope));
        } else if (d instanceof ComponentAst.Lift l) {
            scope.add(Sort.FUNC, lift(l, scope));
        } else if (d instanceof ComponentAst.Lower l) {
            scope.add(Sort.CORE_FUNC, lower(l, scope));
        } else if (d instanceof ComponentAst.ResourceBuiltin rb) {
            scope.add(Sort.CORE_FUNC, resourceBuiltin(rb, scope));
        } else if (d instanceof ComponentAst.Import imp) {
            scope.add(sortOf(imp.type()), importValue(imp, scope));
        } else if (d instanceof ComponentAst.Export e) {
            Object value = scope.get(e.sort(), e.index());
            scope.exports.put(e.name(), value);
            scope.add(e.sort(), value);
        } else {
            throw new IllegalStateException("unknown definition " + d);
        }
    }

    private static Sort sortOf(ComponentTypes.ExternType t) {
        if (t instanceof ComponentTypes.ModuleExtern) {
            return Sort.CORE_MODULE;
        }
        if (t instanceof ComponentTypes.FuncExtern) {
            return Sort.FUNC;
        }
        if (t instanceof ComponentTypes.ComponentExtern) {
            return Sort.COMPONENT;
        }
        if (t instanceof ComponentTypes.InstanceExtern) {
            return Sort.INSTANCE;
        }
        return Sort.TYPE;
    }

    private Object importValue(ComponentAst.Import imp, Scope scope) {
        if (scope.args != null) {
            Object arg = scope.args.get(imp.name());
            if (arg == null) {
                throw new ComponentFormatException("nested component imports \"" + imp.name() + "\" but is not given it");
            }
            return arg;
        }
        scope.importNames.add(imp.name());
        ComponentTypes.ExternType t = imp.type();
        if (t instanceof ComponentTypes.InstanceExtern) {
            return new ImportedInstance(imp.name());
        }
        if (t instanceof ComponentTypes.FuncExtern) {
            return new ImportedFunc(null, imp.name());
        }
        if (t instanceof ComponentTypes.TypeEqExtern eq) {
            return scope.get(Sort.TYPE, eq.type());
        }
        if (t instanceof ComponentTypes.TypeSubResourceExtern) {
            return new ImportedType(null, imp.name());
        }
        String what = t instanceof ComponentTypes.ModuleExtern ? "a core module" : "a component";
        throw new ComponentFormatException("component imports " + what + " (\"" + imp.name()
                + "\"); only instances, functions and types can be imported");
    }

    private Object typeValue(ComponentTypes.TypeDef def, Scope scope) {
        if (def instanceof ComponentTypes.ResourceTypeDef r) {
            Optional<InstanceExport> dtor = r.destructor().map(f -> exportRef(coreDef(scope, Sort.CORE_FUNC, f), "resource destructor"));
            return new GuestResource(nextResource++, dtor);
        }
        return new LocalType(def);
    }

    private Object alias(ComponentAst.Alias a, Scope scope) {
        ComponentAst.AliasTarget target = a.target();
        if (target instanceof ComponentAst.CoreInstanceExport ce) {
            return coreExport(scope.get(Sort.CORE_INSTANCE, ce.instance()), ce.name(), a.sort());
        }
        if (target instanceof ComponentAst.InstanceExport ie) {
            return instanceExport(scope.get(Sort.INSTANCE, ie.instance()), ie.name(), a.sort());
        }
        ComponentAst.Outer o = (ComponentAst.Outer) target;
        if (a.sort() != Sort.TYPE && a.sort() != Sort.CORE_TYPE && a.sort() != Sort.COMPONENT && a.sort() != Sort.CORE_MODULE) {
            throw new ComponentFormatException("outer alias of a " + a.sort().text() + " (only types, modules and components)");
        }
        Scope outer = scope;
        for (int i = 0; i < o.count() && outer != null; i++) {
            outer = outer.parent;
        }
        if (outer == null) {
            throw new ComponentFormatException("outer alias reaches " + o.count() + " scopes out, past the outermost component");
        }
        return outer.get(a.sort(), o.index());
    }

    private Object coreExport(Object instance, String name, Sort sort) {
        if (instance instanceof Instantiated in) {
            WasmModule module = instanceModules.get(in.id());
            ExternalType kind = exportKind(module, name);
            if (kind == null) {
                throw new ComponentFormatException("core instance " + in.id() + " has no export \"" + name + "\"");
            }
            if (kind != externalType(sort)) {
                throw new ComponentFormatException("core export \"" + name + "\" is a " + kind.name().toLowerCase()
                        + ", aliased as a " + sort.text());
            }
            return new InstanceExport(in.id(), name);
        }
        CoreBag bag = as(CoreBag.class, instance, "core alias of \"" + name + "\" needs a core instance");
        CoreDef def = bag.items().get(name);
        if (def == null) {
            throw new ComponentFormatException("core instance has no export \"" + name + "\"");
        }
        return def;
    }

    private Object instanceExport(Object instance, String name, Sort sort) {
        if (instance instanceof ImportedInstance imp) {
            return switch (sort) {
                case FUNC -> new ImportedFunc(imp.name(), name);
                case TYPE -> new ImportedType(imp.name(), name);
                default -> throw new ComponentFormatException("alias of " + sort.text() + " \"" + name
                        + "\" from the imported instance \"" + imp.name() + "\" (only functions and types)");
            };
        }
        InstanceBag bag = as(InstanceBag.class, instance, "alias of \"" + name + "\" needs an instance");
        Object v = bag.items().get(name);
        if (v == null) {
            throw new ComponentFormatException("instance has no export \"" + name + "\"");
        }
        return v;
    }

    private static ExternalType externalType(Sort sort) {
        return switch (sort) {
            case CORE_FUNC -> ExternalType.FUNCTION;
            case CORE_TABLE -> ExternalType.TABLE;
            case CORE_MEMORY -> ExternalType.MEMORY;
            case CORE_GLOBAL -> ExternalType.GLOBAL;
            default -> throw new ComponentFormatException("a core export cannot be aliased as a " + sort.text());
        };
    }

    private static ExternalType exportKind(WasmModule module, String name) {
        var section = module.exportSection();
        for (int i = 0; i < section.exportCount(); i++) {
            Export e = section.getExport(i);
            if (e.name().equals(name)) {
                return e.exportType();
            }
        }
        return null;
    }

    private CoreDef coreDef(Scope scope, Sort sort, int index) {
        if (!sort.isCore() || sort == Sort.CORE_MODULE || sort == Sort.CORE_INSTANCE || sort == Sort.CORE_TYPE) {
            throw new ComponentFormatException("a core instance can only export functions, tables, memories and globals, not a "
                    + sort.text());
        }
        return as(CoreDef.class, scope.get(sort, index), sort.text() + " " + index);
    }

    private static InstanceExport exportRef(CoreDef def, String what) {
        if (def instanceof InstanceExport e) {
            return e;
        }
        throw new ComponentFormatException(what + " must be an export of a core instance, found " + def.getClass().getSimpleName());
    }

    private Instantiated instantiate(ComponentAst.CoreInstantiate ci, Scope scope) {
        if (instantiations.size() >= MAX_CORE_INSTANCES) {
            throw new ComponentFormatException("component instantiates more than " + MAX_CORE_INSTANCES + " core modules");
        }
        ModuleVal mv = as(ModuleVal.class, scope.get(Sort.CORE_MODULE, ci.module()), "core instantiate needs a module");
        WasmModule module = modules.get(mv.index());
        Map<String, Object> args = new HashMap<>();
        for (ComponentAst.CoreArg a : ci.args()) {
            args.put(a.name(), scope.get(Sort.CORE_INSTANCE, a.instance()));
        }
        List<ImportBinding> bindings = new ArrayList<>();
        var section = module.importSection();
        for (int i = 0; i < section.importCount(); i++) {
            Import imp = section.getImport(i);
            Object arg = args.get(imp.module());
            if (arg == null) {
                throw new ComponentFormatException("core module " + mv.index() + " imports \"" + imp.module() + "\" \"" + imp.name()
                        + "\", but its instantiation passes no instance \"" + imp.module() + "\"");
            }
            CoreDef def;
            if (arg instanceof Instantiated in) {
                ExternalType kind = exportKind(instanceModules.get(in.id()), imp.name());
                if (kind == null) {
                    throw new ComponentFormatException("core module " + mv.index() + " imports \"" + imp.module() + "\" \""
                            + imp.name() + "\", which core instance " + in.id() + " does not export");
                }
                def = new InstanceExport(in.id(), imp.name());
            } else {
                CoreBag bag = as(CoreBag.class, arg, "argument \"" + imp.module() + "\" of core module " + mv.index());
                def = bag.items().get(imp.name());
                if (def == null) {
                    throw new ComponentFormatException("core module " + mv.index() + " imports \"" + imp.module() + "\" \""
                            + imp.name() + "\", which its instantiation does not provide");
                }
            }
            bindings.add(new ImportBinding(imp.module(), imp.name(), imp.importType(), def));
        }
        int id = instantiations.size();
        instantiations.add(new CoreInstantiation(id, mv.index(), bindings));
        instanceModules.add(module);
        return new Instantiated(id);
    }

    private InstanceBag instantiateComponent(ComponentAst.Instantiate i, Scope scope) {
        ComponentVal c = as(ComponentVal.class, scope.get(Sort.COMPONENT, i.component()), "instantiate needs a component");
        Map<String, Object> args = new HashMap<>();
        for (ComponentAst.Arg a : i.args()) {
            args.put(a.name(), scope.get(a.sort(), a.index()));
        }
        Scope inner = new Scope(c.scope(), args);
        evaluate(c.ast(), inner);
        return new InstanceBag(new LinkedHashMap<>(inner.exports));
    }

    private LiftedFunc lift(ComponentAst.Lift l, Scope scope) {
        InstanceExport core = exportRef(coreDef(scope, Sort.CORE_FUNC, l.coreFunc()), "a lifted function");
        Object t = scope.get(Sort.TYPE, l.type());
        LocalType lt = as(LocalType.class, t, "canon lift's type");
        ComponentTypes.FuncType ft = as(ComponentTypes.FuncType.class, lt.def(), "canon lift's type");
        ComponentAst.CanonOptions o = l.options();
        return new LiftedFunc(core,
                o.memory().map(m -> exportRef(coreDef(scope, Sort.CORE_MEMORY, m), "canon lift's memory")),
                o.realloc().map(f -> exportRef(coreDef(scope, Sort.CORE_FUNC, f), "canon lift's realloc")),
                o.postReturn().map(f -> exportRef(coreDef(scope, Sort.CORE_FUNC, f), "canon lift's post-return")),
                ft);
    }

    private CoreDef lower(ComponentAst.Lower l, Scope scope) {
        Object f = scope.get(Sort.FUNC, l.func());
        if (f instanceof LiftedFunc) {
            throw new ComponentFormatException("unsupported component construct: canon lower of a lifted function "
                    + "(a component-to-component call; no supported producer emits one)");
        }
        ImportedFunc imp = as(ImportedFunc.class, f, "canon lower needs an imported function");
        ComponentAst.CanonOptions o = l.options();
        if (o.postReturn().isPresent()) {
            throw new ComponentFormatException("canon lower of \"" + imp.name() + "\" has a post-return option (only lifts may)");
        }
        return new HostLowering(imp.instance() == null ? "$root" : imp.instance(), imp.name(),
                o.memory().map(m -> exportRef(coreDef(scope, Sort.CORE_MEMORY, m), "canon lower's memory")),
                o.realloc().map(r -> exportRef(coreDef(scope, Sort.CORE_FUNC, r), "canon lower's realloc")));
    }

    private CoreDef resourceBuiltin(ComponentAst.ResourceBuiltin rb, Scope scope) {
        Object t = scope.get(Sort.TYPE, rb.type());
        if (t instanceof ImportedType it) {
            if (rb.op() != ComponentAst.ResourceOp.DROP) {
                throw new ComponentFormatException("canon resource." + rb.op().name().toLowerCase() + " of the imported resource \""
                        + it.name() + "\" (only resource.drop applies to imported resources)");
            }
            return new HostResourceDrop(it.instance() == null ? "$root" : it.instance(), it.name());
        }
        GuestResource r = as(GuestResource.class, t, "canon resource." + rb.op().name().toLowerCase() + " needs a resource type");
        return new GuestResourceBuiltin(rb.op(), r.id(), r.destructor());
    }

    private void collectExports(String name, Object value, List<LiftedExport> out) {
        if (value instanceof LiftedFunc f) {
            out.add(lifted("", name, f));
        } else if (value instanceof InstanceBag bag) {
            for (Map.Entry<String, Object> e : bag.items().entrySet()) {
                if (e.getValue() instanceof LiftedFunc f) {
                    out.add(lifted(name, e.getKey(), f));
                } else if (e.getValue() instanceof ImportedFunc) {
                    throw new ComponentFormatException("export \"" + name + "\" re-exports the imported function \"" + e.getKey()
                            + "\" (not supported)");
                }
                // types and resources in an exported instance need no wiring
            }
        } else if (value instanceof ImportedFunc) {
            throw new ComponentFormatException("export \"" + name + "\" re-exports an imported function (not supported)");
        } else if (value instanceof ImportedInstance i) {
            throw new ComponentFormatException("export \"" + name + "\" re-exports the imported instance \"" + i.name()
                    + "\" (not supported)");
        }
        // types, components, modules: nothing to run
    }

    private static LiftedExport lifted(String instance, String name, LiftedFunc f) {
        return new LiftedExport(instance, name, f.core(), f.memory(), f.realloc(), f.postReturn(), f.type());
    }
}
