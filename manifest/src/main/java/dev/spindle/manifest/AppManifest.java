package dev.spindle.manifest;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded, validated and normalized manifest (v1 manifests are converted to this same shape).
 * Maps keep manifest order.
 */
public record AppManifest(Path file, Application application, Map<String, VariableDecl> variables,
                          List<TriggerConfig> triggers, Map<String, ComponentConfig> components) {
    public AppManifest {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(application, "application");
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        triggers = List.copyOf(triggers);
        components = Collections.unmodifiableMap(new LinkedHashMap<>(components));
    }

    /** The directory holding the manifest; relative paths in it are relative to this. */
    public Path baseDir() {
        Path parent = file.toAbsolutePath().getParent();
        return parent != null ? parent : file.toAbsolutePath();
    }

    public Optional<ComponentConfig> component(String id) {
        return Optional.ofNullable(components.get(id));
    }
}
