package dev.spindle.manifest;

import java.util.Objects;

/** One entry of a component's {@code files}. Paths are as written (relative to the manifest directory). */
public sealed interface FileMount {
    /** {@code "assets/**}{@code /*.png"}: matching files, mounted at the same relative path under {@code /}. */
    record Pattern(String glob) implements FileMount {
        public Pattern {
            Objects.requireNonNull(glob, "glob");
        }
    }

    /** {@code { source = "dir", destination = "/abs" }}: a host directory mounted at an absolute guest path. */
    record Placement(String source, String destination) implements FileMount {
        public Placement {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(destination, "destination");
        }
    }
}
