package dev.spindle.manifest;

import dev.spindle.manifest.text.Redactor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Values of application variables and rendering of templates over them.
 *
 * <p>A variable's value comes from, in order: an explicit {@code --variable name=value}, the environment
 * variable {@code SPIN_VARIABLE_<NAME>} (name upper-cased), the declared {@code default}. A required
 * variable with none of these has no value: resolving a template that uses it throws.
 */
public final class VariableResolver {
    /** Prefix of the environment variables that supply values, as in Spin. */
    public static final String ENV_PREFIX = "SPIN_VARIABLE_";

    private final AppManifest manifest;
    private final Map<String, String> values;

    private VariableResolver(AppManifest manifest, Map<String, String> values) {
        this.manifest = manifest;
        this.values = values;
    }

    /**
     * @param env      the process environment (pass {@code System.getenv()}); only {@code SPIN_VARIABLE_*} is read
     * @param explicit {@code --variable} values by name; they win over {@code env}
     * @throws ManifestException if {@code explicit} names a variable the manifest does not declare
     */
    public static VariableResolver create(AppManifest manifest, Map<String, String> env, Map<String, String> explicit) {
        Objects.requireNonNull(manifest, "manifest");
        for (String name : explicit.keySet()) {
            if (!manifest.variables().containsKey(name)) {
                throw new ManifestException(Location.ofFile(manifest.file()), "--variable " + name
                        + ": no such variable in [variables]; declare it there (e.g. " + name
                        + " = { default = \"...\" }) or drop the option" + declared(manifest));
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (VariableDecl v : manifest.variables().values()) {
            String fromEnv = env.get(envName(v.name()));
            if (explicit.containsKey(v.name())) {
                values.put(v.name(), explicit.get(v.name()));
            } else if (fromEnv != null) {
                values.put(v.name(), fromEnv);
            } else {
                v.defaultValue().ifPresent(d -> values.put(v.name(), d));
            }
        }
        return new VariableResolver(manifest, values);
    }

    /** Parses {@code name=value} pairs as given to {@code --variable}. */
    public static Map<String, String> parseAssignments(List<String> assignments) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new ManifestException("--variable " + a + ": expected name=value");
            }
            out.put(a.substring(0, eq).trim(), a.substring(eq + 1));
        }
        return out;
    }

    /** {@code SPIN_VARIABLE_<NAME>} for a variable name. */
    public static String envName(String variable) {
        return ENV_PREFIX + variable.toUpperCase(Locale.ROOT);
    }

    /** The value of an application variable, if it has one. */
    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** True if the variable is declared {@code secret = true} (do not log its value). */
    public boolean isSecret(String name) {
        VariableDecl d = manifest.variables().get(name);
        return d != null && d.secret();
    }

    /**
     * Hides the values of the variables declared {@code secret = true} (as resolved: from
     * {@code --variable}, the environment or the default) in log lines, errors and output.
     */
    public Redactor redactor() {
        List<String> secrets = new ArrayList<>();
        for (VariableDecl v : manifest.variables().values()) {
            if (v.secret() && values.containsKey(v.name())) {
                secrets.add(values.get(v.name()));
            }
        }
        return Redactor.of(secrets);
    }

    /** Required variables with no value: {@code run} refuses to start with any; {@code check} warns. */
    public List<VariableDecl> missingRequired() {
        List<VariableDecl> out = new ArrayList<>();
        for (VariableDecl v : manifest.variables().values()) {
            if (!values.containsKey(v.name())) {
                out.add(v);
            }
        }
        return List.copyOf(out);
    }

    /** Renders {@code t}; throws a one-line {@link ManifestException} if a variable it uses has no value. */
    public String resolve(Template t) {
        return t.render(name -> {
            String v = values.get(name);
            if (v != null) {
                return v;
            }
            Location where = t.location().orElse(Location.ofFile(manifest.file()));
            if (!manifest.variables().containsKey(name)) {
                throw new ManifestException(where, "template \"" + t.raw() + "\" uses unknown variable \"" + name
                        + "\"; declare it in [variables]" + declared(manifest));
            }
            throw new ManifestException(where, "required variable \"" + name + "\" (used in \"" + t.raw()
                    + "\") has no value; set " + envName(name) + " or pass --variable " + name + "=...");
        });
    }

    /**
     * The value a component sees through {@code fermyon:spin/variables get}: its
     * {@code [component.<id>.variables]} entry rendered over application variables.
     *
     * @return empty if the component does not exist or declares no such variable (the guest's "undefined")
     * @throws ManifestException if the entry uses a required variable that has no value
     */
    public Optional<String> resolveComponentVariable(String componentId, String name) {
        ComponentConfig c = manifest.components().get(componentId);
        if (c == null) {
            return Optional.empty();
        }
        Template t = c.variables().get(name);
        return t == null ? Optional.empty() : Optional.of(resolve(t));
    }

    private static String declared(AppManifest m) {
        return m.variables().isEmpty() ? " (none declared)" : " (declared: " + String.join(", ", m.variables().keySet()) + ")";
    }
}
