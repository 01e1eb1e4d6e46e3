package dev.spindle.runtime.internal;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.result;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostCapability;
import dev.spindle.host.HostImport;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.abi.InstanceScope;
import dev.spindle.host.abi.Result;
import dev.spindle.host.abi.VariantType;
import dev.spindle.host.abi.Wit;
import dev.spindle.host.abi.WitInterface;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.VariableResolver;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code fermyon:spin/variables@2.0.0}: a guest reads its own {@code [component.x.variables]},
 * resolved against the app's {@code [variables]} (explicit values, then environment, then defaults).
 */
public final class VariablesCapability implements HostCapability {
    public static final String MODULE = "fermyon:spin/variables@2.0.0";

    /** Spin's variable-name rule: lower_snake words of ASCII letters and digits, starting with a letter. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");

    /** {@code variant error}'s cases, in WIT order. */
    public enum ErrorKind { INVALID_NAME, UNDEFINED, PROVIDER, OTHER }

    /** A value of {@code variant error { invalid-name(string), undefined(string), provider(string), other(string) }}. */
    public record VariableError(ErrorKind kind, String message) {}

    public static final VariantType<VariableError> ERROR = Wit.variant("error",
            errorCase(ErrorKind.INVALID_NAME), errorCase(ErrorKind.UNDEFINED), errorCase(ErrorKind.PROVIDER), errorCase(ErrorKind.OTHER));

    private static VariantType.Case<VariableError, String> errorCase(ErrorKind kind) {
        return Wit.valueCase(kind.name().toLowerCase().replace('_', '-'), STRING, e -> e.kind() == kind,
                message -> new VariableError(kind, message), VariableError::message);
    }

    /** What an instance's {@code get} needs: its component and the app's resolver. */
    record Instance(String componentId, VariableResolver resolver) {}

    /** The interface, declared once: {@code get: func(name: string) -> result<string, error>}. */
    public static final WitInterface<Instance> INTERFACE = WitInterface.<Instance>builder(MODULE)
            .func("get", param("name", STRING), result(STRING, ERROR), VariablesCapability::get)
            .build();

    private final VariableResolver resolver;

    public VariablesCapability(VariableResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public InstanceBinding bind(ComponentContext component, InstanceScope scope) {
        List<HostImport> imports = INTERFACE.bind(new Instance(component.componentId(), resolver), scope);
        return new InstanceBinding() {
            @Override
            public List<HostImport> imports() {
                return imports;
            }

            @Override
            public void close() {}
        };
    }

    private static Result<String, VariableError> get(Instance instance, String name) {
        if (!NAME.matcher(name).matches()) {
            return Result.err(new VariableError(ErrorKind.INVALID_NAME, "invalid variable name \"" + name + "\": use lower_snake_case"));
        }
        Optional<String> value;
        try {
            value = instance.resolver().resolveComponentVariable(instance.componentId(), name);
        } catch (ManifestException e) {
            return Result.err(new VariableError(ErrorKind.PROVIDER, e.reason()));
        }
        if (value.isEmpty()) {
            return Result.err(new VariableError(ErrorKind.UNDEFINED,
                    "no variable \"" + name + "\" for component \"" + instance.componentId() + "\""));
        }
        return Result.ok(value.get());
    }
}
