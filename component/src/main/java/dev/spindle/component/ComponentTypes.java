package dev.spindle.component;

import java.util.List;
import java.util.Optional;

/**
 * The component-level type definitions as decoded (Binary.md "Type Definitions"). They keep type
 * indices as written; resolving them is the {@link Inliner}'s job.
 */
public final class ComponentTypes {
    private ComponentTypes() {}

    /** A {@code deftype}. */
    public sealed interface TypeDef {}

    /** A {@code defvaltype}: a value type defined here (record, list, ...), or a primitive. */
    public record ValueTypeDef(ValType type) implements TypeDef {}

    /** {@code (func (param name type)* (result type)?)}; async functions are refused at decode. */
    public record FuncType(List<Param> params, Optional<ValType> result) implements TypeDef {
        public FuncType {
            params = List.copyOf(params);
        }
    }

    public record Param(String name, ValType type) {}

    /** {@code (component decl*)}. */
    public record ComponentType(List<Decl> decls) implements TypeDef {
        public ComponentType {
            decls = List.copyOf(decls);
        }
    }

    /** {@code (instance decl*)}. */
    public record InstanceType(List<Decl> decls) implements TypeDef {
        public InstanceType {
            decls = List.copyOf(decls);
        }
    }

    /** {@code (resource (rep i32) (dtor f)?)}, a resource type the component defines. */
    public record ResourceTypeDef(Optional<Integer> destructor) implements TypeDef {}

    /** A declarator inside a component or instance type. */
    public sealed interface Decl {}

    public record CoreTypeDecl(ComponentAst.CoreType type) implements Decl {}

    public record TypeDecl(TypeDef type) implements Decl {}

    public record AliasDecl(ComponentAst.Alias alias) implements Decl {}

    public record ImportDecl(String name, ExternType type) implements Decl {}

    public record ExportDecl(String name, ExternType type) implements Decl {}

    /** What an import or export is. */
    public sealed interface ExternType {}

    public record ModuleExtern(int coreType) implements ExternType {}

    public record FuncExtern(int type) implements ExternType {}

    /** {@code (type (eq i))}. */
    public record TypeEqExtern(int type) implements ExternType {}

    /** {@code (type (sub resource))}: a fresh abstract resource type. */
    public record TypeSubResourceExtern() implements ExternType {}

    public record ComponentExtern(int type) implements ExternType {}

    public record InstanceExtern(int type) implements ExternType {}

    /** A {@code valtype}. */
    public sealed interface ValType {}

    public enum Primitive implements ValType {
        BOOL, S8, U8, S16, U16, S32, U32, S64, U64, F32, F64, CHAR, STRING;

        public String wit() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A reference to a type index (a {@code defvaltype} defined elsewhere). */
    public record TypeRef(int index) implements ValType {}

    public record RecordT(List<Field> fields) implements ValType {
        public RecordT {
            fields = List.copyOf(fields);
        }
    }

    public record Field(String name, ValType type) {}

    public record VariantT(List<Case> cases) implements ValType {
        public VariantT {
            cases = List.copyOf(cases);
        }
    }

    public record Case(String name, Optional<ValType> type) {}

    public record ListT(ValType element) implements ValType {}

    public record TupleT(List<ValType> elements) implements ValType {
        public TupleT {
            elements = List.copyOf(elements);
        }
    }

    public record FlagsT(List<String> labels) implements ValType {
        public FlagsT {
            labels = List.copyOf(labels);
        }
    }

    public record EnumT(List<String> labels) implements ValType {
        public EnumT {
            labels = List.copyOf(labels);
        }
    }

    public record OptionT(ValType some) implements ValType {}

    public record ResultT(Optional<ValType> ok, Optional<ValType> err) implements ValType {}

    public record OwnT(int resource) implements ValType {}

    public record BorrowT(int resource) implements ValType {}
}
