package dev.spindle.component;

import java.util.List;
import java.util.Optional;

/**
 * A decoded component binary: its definitions in binary order, which is the order that builds
 * every index space (Binary.md: each definition appends to the index space of its sort).
 * Custom sections are skipped. Nothing here is validated beyond what decoding needs; the
 * {@link Inliner} checks references when it flattens the component.
 */
public record ComponentAst(List<Definition> definitions) {
    public ComponentAst {
        definitions = List.copyOf(definitions);
    }

    /** One definition, of any section. */
    public sealed interface Definition {}

    /** An embedded core module (section 1); {@code offset} is where its bytes start in the file. */
    public record CoreModule(byte[] bytes, int offset) implements Definition {}

    /** {@code (core instance (instantiate m (with name (instance i))*))}. */
    public record CoreInstantiate(int module, List<CoreArg> args) implements Definition {
        public CoreInstantiate {
            args = List.copyOf(args);
        }
    }

    public record CoreArg(String name, int instance) {}

    /** {@code (core instance (export name (sort idx))*)}: a bag of existing core definitions. */
    public record CoreInstanceFromExports(List<CoreExport> exports) implements Definition {
        public CoreInstanceFromExports {
            exports = List.copyOf(exports);
        }
    }

    public record CoreExport(String name, Sort sort, int index) {}

    /** A core type (section 3): only function types are decoded. */
    public record CoreType(List<CoreValType> params, List<CoreValType> results) implements Definition {}

    public enum CoreValType { I32, I64, F32, F64, V128, FUNCREF, EXTERNREF }

    /** A nested component (section 4). */
    public record NestedComponent(ComponentAst component, int offset) implements Definition {}

    /** {@code (instance (instantiate c (with name (sort idx))*))}. */
    public record Instantiate(int component, List<Arg> args) implements Definition {
        public Instantiate {
            args = List.copyOf(args);
        }
    }

    public record Arg(String name, Sort sort, int index) {}

    /** {@code (instance (export name (sort idx))*)}. */
    public record InstanceFromExports(List<Arg> exports) implements Definition {
        public InstanceFromExports {
            exports = List.copyOf(exports);
        }
    }

    /** An alias (section 6), adding one item of {@code sort}. */
    public record Alias(Sort sort, AliasTarget target) implements Definition {}

    public sealed interface AliasTarget {}

    /** {@code (alias export i "name")}: an export of a component instance. */
    public record InstanceExport(int instance, String name) implements AliasTarget {}

    /** {@code (alias core export i "name")}: an export of a core instance. */
    public record CoreInstanceExport(int instance, String name) implements AliasTarget {}

    /** {@code (alias outer ct idx)}: an item of an enclosing scope. */
    public record Outer(int count, int index) implements AliasTarget {}

    /** A type definition (section 7, or inside a component or instance type). */
    public record Type(ComponentTypes.TypeDef type) implements Definition {}

    /** {@code (canon lift (core func f) opts (type t))}: a component function. */
    public record Lift(int coreFunc, CanonOptions options, int type) implements Definition {}

    /** {@code (canon lower (func f) opts)}: a core function. */
    public record Lower(int func, CanonOptions options) implements Definition {}

    /** {@code canon resource.new / resource.drop / resource.rep} of resource type {@code type}: a core function. */
    public record ResourceBuiltin(ResourceOp op, int type) implements Definition {}

    public enum ResourceOp { NEW, DROP, REP }

    /** An import (section 10). */
    public record Import(String name, ComponentTypes.ExternType type) implements Definition {}

    /** An export (section 11); it also adds an item to {@code sort}'s index space. */
    public record Export(String name, Sort sort, int index, Optional<ComponentTypes.ExternType> ascribed)
            implements Definition {}

    /** Canonical options; only UTF-8 strings are accepted at decode time. */
    public record CanonOptions(Optional<Integer> memory, Optional<Integer> realloc, Optional<Integer> postReturn) {
        public static final CanonOptions NONE = new CanonOptions(Optional.empty(), Optional.empty(), Optional.empty());
    }
}
