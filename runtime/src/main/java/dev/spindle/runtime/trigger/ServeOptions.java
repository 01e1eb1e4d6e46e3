package dev.spindle.runtime.trigger;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link dev.spindle.runtime.SpindleApp#serve} runs the triggers: one grace period for all of
 * them, and each trigger type's own options, looked up by their class ({@link HttpServerOptions}
 * for HTTP, {@link CommandStreams} for commands; a plug-in trigger type documents its own). A type
 * whose options are not given uses its defaults.
 */
public final class ServeOptions {
    /** Long enough for ordinary requests and Redis calls to finish; short enough for a prompt restart. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = HttpServerOptions.DEFAULT_SHUTDOWN_GRACE;

    private final Duration shutdownGrace;
    private final Map<Class<?>, Object> triggerOptions;

    private ServeOptions(Builder b) {
        this.shutdownGrace = b.shutdownGrace;
        this.triggerOptions = Map.copyOf(b.triggerOptions);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ServeOptions defaults() {
        return builder().build();
    }

    /**
     * How long work in flight may finish once the triggers are told to stop; default 10 s. For
     * HTTP it replaces {@link HttpServerOptions#shutdownGrace()}, so every trigger stops alike.
     */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** The options given for a trigger type, by their class. */
    public <T> Optional<T> option(Class<T> type) {
        return Optional.ofNullable(triggerOptions.get(type)).map(type::cast);
    }

    public static final class Builder {
        private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
        private final Map<Class<?>, Object> triggerOptions = new LinkedHashMap<>();

        private Builder() {}

        public Builder shutdownGrace(Duration grace) {
            if (grace.isNegative()) {
                throw new IllegalArgumentException("shutdown grace must not be negative, got " + grace.toMillis() + " ms");
            }
            this.shutdownGrace = grace;
            return this;
        }

        /** Options of one trigger type (e.g. {@link HttpServerOptions}); replaces earlier options of the same class. */
        public Builder with(Object options) {
            triggerOptions.put(Objects.requireNonNull(options, "options").getClass(), options);
            return this;
        }

        public ServeOptions build() {
            return new ServeOptions(this);
        }
    }
}
