package dev.spindle.runtime.internal;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.result;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostCapability;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.abi.AbiOptions;
import dev.spindle.host.abi.InstanceScope;
import dev.spindle.host.abi.Result;
import dev.spindle.host.abi.VariantType;
import dev.spindle.host.abi.Wit;
import dev.spindle.host.abi.WitInterface;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.VariableResolver;
import java.util.List;
import java.util.Optional;

/**
 * {@code fermyon:spin/variables@2.0.0}: a guest reads its own {@code [component.x.variables]},
 * resolved against the app's {@code [variables]} (explicit values, then environment, then defaults).
 *
 * <p>The same values under Spin's older names: {@code spin-config.get-config} (wit-bindgen 0.2,
 * Spin 0.x/1.x SDKs) and the unversioned {@code fermyon:spin/config.get-config} (Rust SDK
 * 1.4/1.5), whose error variant is {@code provider | invalid-key | invalid-schema | other}. As in
 * Spin, an invalid name is {@code invalid-key}, an undefined variable {@code provider} (guests such
 * as spin-redirect fall back to their environment only on an error), anything else {@code other}.
 */
public final class VariablesCapability implements HostCapability {
    public static final String MODULE = "fermyon:spin/variables@2.0.0";
    /** Spin 1.x's name of the interface (wit-bindgen 0.2). */
    public static final String LEGACY_CONFIG_MODULE = "spin-config";
    /** The unversioned Component Model name (Spin 1.x's WIT, used by Rust SDK 1.4/1.5). */
    public static final String CONFIG_MODULE = "fermyon:spin/config";

    /** Spin's variable-name rule: lower_snake words of ASCII letters and digits, starting with a letter. */

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

    /** {@code variant error { provider(string), invalid-key(string), invalid-schema(string), other(string) }}, in WIT order. */
    public enum ConfigErrorKind { PROVIDER, INVALID_KEY, INVALID_SCHEMA, OTHER }

    public record ConfigError(ConfigErrorKind kind, String message) {}

    public static final VariantType<ConfigError> CONFIG_ERROR = Wit.variant("error",
            configCase(ConfigErrorKind.PROVIDER), configCase(ConfigErrorKind.INVALID_KEY),
            configCase(ConfigErrorKind.INVALID_SCHEMA), configCase(ConfigErrorKind.OTHER));

    private static VariantType.Case<ConfigError, String> configCase(ConfigErrorKind kind) {
        return Wit.valueCase(kind.name().toLowerCase().replace('_', '-'), STRING, e -> e.kind() == kind,
                message -> new ConfigError(kind, message), ConfigError::message);
    }

    /** {@code get-config: func(key: string) -> result<string, error>}, wit-bindgen 0.2's allocator. */
    public static final WitInterface<Instance> LEGACY_CONFIG = WitInterface.<Instance>builder(LEGACY_CONFIG_MODULE, AbiOptions.WIT_BINDGEN_0_2)
            .func("get-config", param("key", STRING), result(STRING, CONFIG_ERROR), VariablesCapability::getConfig)
            .build();

    /** The same function under the unversioned Component Model name. */
    public static final WitInterface<Instance> CONFIG = WitInterface.<Instance>builder(CONFIG_MODULE)
            .func("get-config", param("key", STRING), result(STRING, CONFIG_ERROR), VariablesCapability::getConfig)
            .build();

    private final VariableResolver resolver;

    public VariablesCapability(VariableResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public InstanceBinding bind(ComponentContext component, InstanceScope scope) {
        return bind(component, scope, null);
    }

    /** Binds only the interfaces among {@code importedModules} (null: all): the engine binds per invocation. */
    @Override
    public InstanceBinding bind(ComponentContext component, InstanceScope scope, java.util.Set<String> importedModules) {
        Instance instance = new Instance(component.componentId(), resolver);
        return InstanceBinding.of(WitInterface.bindAll(List.of(INTERFACE, LEGACY_CONFIG, CONFIG), importedModules, instance, scope));
    }

    /**
     * Whether {@code name} is a variable name a guest may ask for: {@code [a-z][a-z0-9]*(_[a-z0-9]+)*}
     * (lowercase words joined by single underscores). Checked by hand: it runs on every call, and a
     * regular expression's matcher costs more than the lookup it guards.
     */
    static boolean validName(String name) {
        if (name.isEmpty() || name.charAt(0) < 'a' || name.charAt(0) > 'z') {
            return false;
        }
        boolean afterUnderscore = false;
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_') {
                if (afterUnderscore) {
                    return false;
                }
                afterUnderscore = true;
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                afterUnderscore = false;
            } else {
                return false;
            }
        }
        return !afterUnderscore;
    }

    /** Spin's mapping of the variables errors onto the config interface's. */
    private static Result<String, ConfigError> getConfig(Instance instance, String key) {
        Result<String, VariableError> value = get(instance, key);
        if (value instanceof Result.Ok<String, VariableError> ok) {
            return Result.ok(ok.value());
        }
        VariableError e = ((Result.Err<String, VariableError>) value).error();
        ConfigErrorKind kind = switch (e.kind()) {
            case INVALID_NAME -> ConfigErrorKind.INVALID_KEY;
            case UNDEFINED -> ConfigErrorKind.PROVIDER;
            default -> ConfigErrorKind.OTHER;
        };
        return Result.err(new ConfigError(kind, e.message()));
    }

    private static Result<String, VariableError> get(Instance instance, String name) {
        if (!validName(name)) {
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
