package dev.spindle.manifest;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** A component's {@code source}. Existence and digests are checked by whoever loads the bytes. */
public sealed interface ComponentSource {
    /** {@code source = "path.wasm"}, resolved against the manifest's directory. */
    record Local(Path path) implements ComponentSource {
        public Local {
            Objects.requireNonNull(path, "path");
        }
    }

    /** {@code source = { url = "...", digest = "sha256:..." }}. */
    record Remote(String url, String digest) implements ComponentSource {
        public Remote {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(digest, "digest");
        }
    }

    /** {@code source = { registry = "...", package = "ns:name", version = "1.0.0" }}. */
    record Registry(Optional<String> registry, String packageName, String version) implements ComponentSource {
        public Registry {
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(packageName, "packageName");
            Objects.requireNonNull(version, "version");
        }
    }
}
