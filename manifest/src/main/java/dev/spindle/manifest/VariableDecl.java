package dev.spindle.manifest;

import java.util.Objects;
import java.util.Optional;

/** An entry of the manifest's {@code [variables]} table. Exactly one of required/default is set. */
public record VariableDecl(String name, Optional<String> defaultValue, boolean required, boolean secret,
                           Optional<String> description, Location location) {
    public VariableDecl {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(location, "location");
    }
}
