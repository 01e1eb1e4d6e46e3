package dev.spindle.manifest;

import java.util.Objects;

/** An HTTP trigger's {@code executor}. */
public sealed interface HttpExecutor {
    /** Default WAGI {@code argv}, as in Spin. */
    String WAGI_DEFAULT_ARGV = "${SCRIPT_NAME} ${ARGS}";
    /** Default WAGI entrypoint, as in Spin. */
    String WAGI_DEFAULT_ENTRYPOINT = "_start";

    /** The default: the component exports the Spin/wasi-http handler ({@code type = "http"} or {@code "spin"}). */
    record Spin() implements HttpExecutor {
    }

    /** {@code executor = { type = "wagi", argv = ..., entrypoint = ... }}: CGI-style command component. */
    record Wagi(String argv, String entrypoint) implements HttpExecutor {
        public Wagi {
            Objects.requireNonNull(argv, "argv");
            Objects.requireNonNull(entrypoint, "entrypoint");
        }
    }
}
