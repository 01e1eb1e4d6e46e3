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

    /**
     * This app with only the given components and the triggers that run them ({@code spin up
     * -c/--component-id}); a trigger that names no component (a static response) stays.
     *
     * @throws ManifestException naming an id the manifest does not have
     */
    public AppManifest retainComponents(java.util.Collection<String> ids) {
        for (String id : ids) {
            if (!components.containsKey(id)) {
                throw new ManifestException("no component \"" + id + "\" in " + file
                        + " (components: " + String.join(", ", components.keySet()) + ")");
            }
        }
        Map<String, ComponentConfig> kept = new LinkedHashMap<>();
        components.forEach((id, c) -> {
            if (ids.contains(id)) {
                kept.put(id, c);
            }
        });
        List<TriggerConfig> keptTriggers = triggers.stream()
                .filter(t -> t.componentId().map(ids::contains).orElse(true))
                .toList();
        return new AppManifest(file, application, variables, keptTriggers, kept);
    }

    public Optional<ComponentConfig> component(String id) {
        return Optional.ofNullable(components.get(id));
    }
}
