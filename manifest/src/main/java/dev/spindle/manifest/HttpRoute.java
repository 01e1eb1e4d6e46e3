package dev.spindle.manifest;

import java.util.Objects;

/** An HTTP trigger's {@code route}. */
public sealed interface HttpRoute {
    /** {@code route = "/path"}: only that path. */
    record Exact(String path) implements HttpRoute {
        public Exact {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * {@code route = "/prefix/..."} (or {@code "/..."}): the prefix and everything below it. {@code prefix}
     * is the route without the trailing {@code /...}, so {@code ""} for {@code "/..."}.
     */
    record Wildcard(String prefix) implements HttpRoute {
        public Wildcard {
            Objects.requireNonNull(prefix, "prefix");
        }
    }

    /** {@code route = { private = true }}: reachable only through service chaining. */
    record Private() implements HttpRoute {
    }

    /** The route as Spin would display it ({@code /prefix/...}, {@code /path}, {@code private}). */
    default String display() {
        if (this instanceof Exact e) {
            return e.path();
        }
        if (this instanceof Wildcard w) {
            return w.prefix() + "/...";
        }
        return "{ private = true }";
    }
}
