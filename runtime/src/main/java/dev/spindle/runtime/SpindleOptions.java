package dev.spindle.runtime;

import dev.spindle.host.CapabilityProvider;
import dev.spindle.host.HostLog;
import dev.spindle.host.HostMemoryBudget;
import dev.spindle.runtime.internal.VariablesProvider;
import dev.spindle.runtime.trigger.TriggerType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * How an app is loaded and run. Every option has a default that suits {@code spindle run};
 * embedders override what they need through {@link #builder()}.
 */
public final class SpindleOptions {
    /** Spin's default per-request budget is generous; 30 s stops runaway guests without cutting slow Redis calls. */
    public static final Duration DEFAULT_INVOCATION_TIMEOUT = Duration.ofSeconds(30);
    /** 128 MiB: room for real guests (and a 128 MiB Redis result cap), small enough that 16 concurrent instances fit a 2 GiB heap. */
    public static final long DEFAULT_MEMORY_LIMIT_BYTES = 128L << 20;
    /** Big enough for ~350k compiled frames (toolchains.md), so deep-but-finite guest recursion still works. */
    public static final long DEFAULT_STACK_BYTES = 16L << 20;
    /** Upper bound on guest threads at once; beyond it callers wait. Blocking Redis calls need more than the core count. */
    public static final int DEFAULT_MAX_CONCURRENT_INVOCATIONS = 64;

    private final Map<String, String> variables;
    private final Map<String, String> environment;
    private final boolean interpreter;
    private final Duration invocationTimeout;
    private final long memoryLimitBytes;
    private final long stackBytes;
    private final int maxConcurrentInvocations;
    private final long hostMemoryPerInvocationBytes;
    private final long hostMemoryTotalBytes;
    private final HostLog log;
    private final List<CapabilityProvider> capabilities;
    private final Optional<Path> runtimeConfigFile;
    private final List<TriggerType> triggers;
    private final Optional<Path> compileCache;
    private final boolean reuseInstances;
    private final Map<String, String> componentEnvironment;
    private final Set<String> onlyComponents;
    private final Optional<Duration> loadProgressAfter;

    private SpindleOptions(Builder b) {
        this.variables = Map.copyOf(b.variables);
        this.environment = Map.copyOf(b.environment);
        this.interpreter = b.interpreter;
        this.invocationTimeout = b.invocationTimeout;
        this.memoryLimitBytes = b.memoryLimitBytes;
        this.stackBytes = b.stackBytes;
        this.maxConcurrentInvocations = b.maxConcurrentInvocations;
        this.hostMemoryPerInvocationBytes = b.hostMemoryPerInvocationBytes;
        this.hostMemoryTotalBytes = b.hostMemoryTotalBytes;
        this.log = b.log;
        this.capabilities = List.copyOf(b.capabilities.values());
        this.runtimeConfigFile = b.runtimeConfigFile;
        this.triggers = List.copyOf(b.triggers.values());
        this.compileCache = b.compileCache;
        this.reuseInstances = b.reuseInstances;
        this.componentEnvironment = Collections.unmodifiableMap(new LinkedHashMap<>(b.componentEnvironment));
        this.onlyComponents = Set.copyOf(b.onlyComponents);
        this.loadProgressAfter = b.loadProgressAfter;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SpindleOptions defaults() {
        return builder().build();
    }

    /** Values given explicitly ({@code --variable name=value}); they win over the environment. */
    public Map<String, String> variables() {
        return variables;
    }

    /** The process environment, consulted for {@code SPIN_VARIABLE_<NAME>}. Default: {@link System#getenv()}. */
    public Map<String, String> environment() {
        return environment;
    }

    /** Run guests in Chicory's interpreter instead of compiling them. Default false: the interpreter cannot stop runaway loops. */
    public boolean interpreter() {
        return interpreter;
    }

    /** Wall-clock budget of one invocation; the guest is interrupted after it. Default 30 s. */
    public Duration invocationTimeout() {
        return invocationTimeout;
    }

    /** Cap on one instance's linear memory. Default 128 MiB; never loosens the module's own maximum. */
    public long memoryLimitBytes() {
        return memoryLimitBytes;
    }

    /** Stack size of invocation threads. Default 16 MiB. */
    public long stackBytes() {
        return stackBytes;
    }

    /** At most this many guest invocations run at once. Default 64. */
    public int maxConcurrentInvocations() {
        return maxConcurrentInvocations;
    }

    /**
     * Host memory one invocation's host calls may hold at once: guest data copied into the host
     * (every aliased list element counted) and replies buffered for it. Default 256 MiB
     * ({@link HostMemoryBudget#DEFAULT_PER_INVOCATION_BYTES}); over it a call fails as a value.
     */
    public long hostMemoryPerInvocationBytes() {
        return hostMemoryPerInvocationBytes;
    }

    /**
     * Host memory all invocations' host calls may hold together. Default half the JVM's maximum heap
     * ({@link HostMemoryBudget#defaultTotalBytes()}); over it a call fails as a value, never an
     * OutOfMemoryError.
     */
    public long hostMemoryTotalBytes() {
        return hostMemoryTotalBytes;
    }

    /**
     * Where runtime lines, guest output and access-log entries go. Default {@link HostLog#slf4j()}:
     * SLF4J, with the binding the application has on its class path (the CLI's writes text or JSON).
     */
    public HostLog log() {
        return log;
    }

    /**
     * The host capabilities every component is linked against, one per name: variables (built
     * in), those found on the class path through {@link ServiceLoader} (Redis with
     * {@code spindle-host-redis}), then the ones added with {@link Builder#capability}.
     */
    public List<CapabilityProvider> capabilities() {
        return capabilities;
    }

    /** The runtime configuration file (Spin's {@code runtime-config.toml} format); default none. */
    public Optional<Path> runtimeConfigFile() {
        return runtimeConfigFile;
    }

    /**
     * The trigger types the app can serve, one per type name: {@link TriggerType#builtIn()} (http,
     * redis, cron, command), then any added with {@link Builder#trigger}.
     */
    public List<TriggerType> triggers() {
        return triggers;
    }

    /**
     * Where compiled guest code is cached across runs, keyed by module digest and Chicory version
     * (see docs/engine.md); empty (the default for embedders) compiles at every load. The CLI
     * defaults to {@link #defaultCompileCacheDirectory()}.
     */
    public Optional<Path> compileCache() {
        return compileCache;
    }

    /**
     * Whether invocations reuse pre-initialized instances, each reset to the state after
     * {@code _initialize} (docs/engine.md, "Pre-initialized instances"). Default true; false builds
     * and initializes a fresh instance for every invocation (slower; for comparing, or for a guest
     * whose {@code _initialize} must run per invocation).
     */
    public boolean reuseInstances() {
        return reuseInstances;
    }

    /**
     * Environment variables added to every component's own ({@code spin up -e NAME=VALUE}); they
     * win over the manifest's {@code environment}. Default none.
     */
    public Map<String, String> componentEnvironment() {
        return componentEnvironment;
    }

    /**
     * The components to load, with the triggers that run them ({@code spin up -c ID}); empty
     * (the default) loads every component.
     */
    public Set<String> onlyComponents() {
        return onlyComponents;
    }

    /**
     * When loading (compiling) a component takes longer than this, the log says so, and how long
     * it took at the end. Default empty: no progress lines (the CLI turns them on at a terminal).
     */
    public Optional<Duration> loadProgressAfter() {
        return loadProgressAfter;
    }

    /** {@code $XDG_CACHE_HOME/spindle}, else {@code ~/.cache/spindle}. */
    public static Path defaultCompileCacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "spindle");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "spindle");
    }

    public static final class Builder {
        private final Map<String, String> variables = new LinkedHashMap<>();
        private Map<String, String> environment = System.getenv();
        private boolean interpreter;
        private Duration invocationTimeout = DEFAULT_INVOCATION_TIMEOUT;
        private long memoryLimitBytes = DEFAULT_MEMORY_LIMIT_BYTES;
        private long stackBytes = DEFAULT_STACK_BYTES;
        private int maxConcurrentInvocations = DEFAULT_MAX_CONCURRENT_INVOCATIONS;
        private long hostMemoryPerInvocationBytes = HostMemoryBudget.DEFAULT_PER_INVOCATION_BYTES;
        private long hostMemoryTotalBytes = HostMemoryBudget.defaultTotalBytes();
        private HostLog log = HostLog.slf4j();
        private final Map<String, CapabilityProvider> capabilities = new LinkedHashMap<>();
        private Optional<Path> runtimeConfigFile = Optional.empty();
        private final Map<String, TriggerType> triggers = new LinkedHashMap<>();
        private Optional<Path> compileCache = Optional.empty();
        private boolean reuseInstances = true;
        private final Map<String, String> componentEnvironment = new LinkedHashMap<>();
        private final Set<String> onlyComponents = new java.util.LinkedHashSet<>();
        private Optional<Duration> loadProgressAfter = Optional.empty();

        private Builder() {
            capability(new VariablesProvider());
            ServiceLoader.load(CapabilityProvider.class, SpindleOptions.class.getClassLoader()).stream()
                    .map(ServiceLoader.Provider::get)
                    .sorted(java.util.Comparator.comparing(CapabilityProvider::name))
                    .forEach(this::capability);
            // Last: the stubs of the Spin interfaces no capability provides (UnsupportedInterfaces).
            capability(new dev.spindle.runtime.internal.UnsupportedCapability.Provider());
            TriggerType.builtIn().forEach(this::trigger);
        }

        /** Caches compiled guest code in {@code directory} (created if needed); default: no cache. */
        public Builder compileCache(Path directory) {
            this.compileCache = Optional.of(directory);
            return this;
        }

        /** See {@link SpindleOptions#reuseInstances()}. */
        public Builder reuseInstances(boolean reuse) {
            this.reuseInstances = reuse;
            return this;
        }

        /** See {@link SpindleOptions#componentEnvironment()}. */
        public Builder componentEnvironment(String name, String value) {
            componentEnvironment.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        /** See {@link SpindleOptions#loadProgressAfter()}; zero says it for every component. */
        public Builder loadProgressAfter(Duration threshold) {
            if (threshold.isNegative()) {
                throw new IllegalArgumentException("load progress threshold must not be negative, got " + threshold);
            }
            this.loadProgressAfter = Optional.of(threshold);
            return this;
        }

        /** See {@link SpindleOptions#onlyComponents()}; repeatable. */
        public Builder onlyComponent(String id) {
            onlyComponents.add(Objects.requireNonNull(id));
            return this;
        }

        public Builder variable(String name, String value) {
            variables.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        public Builder variables(Map<String, String> values) {
            values.forEach(this::variable);
            return this;
        }

        public Builder environment(Map<String, String> environment) {
            this.environment = Objects.requireNonNull(environment);
            return this;
        }

        public Builder interpreter(boolean interpreter) {
            this.interpreter = interpreter;
            return this;
        }

        public Builder invocationTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("invocation timeout must be positive, got " + timeout.toMillis() + " ms");
            }
            this.invocationTimeout = timeout;
            return this;
        }

        public Builder memoryLimitBytes(long bytes) {
            if (bytes < 65536) {
                throw new IllegalArgumentException("memory limit must be at least one 64 KiB page, got " + bytes);
            }
            this.memoryLimitBytes = bytes;
            return this;
        }

        public Builder stackBytes(long bytes) {
            this.stackBytes = bytes;
            return this;
        }

        public Builder maxConcurrentInvocations(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("max concurrent invocations must be at least 1, got " + max);
            }
            this.maxConcurrentInvocations = max;
            return this;
        }

        /** See {@link SpindleOptions#hostMemoryPerInvocationBytes()}. */
        public Builder hostMemoryPerInvocationBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("host memory per invocation must be positive, got " + bytes);
            }
            this.hostMemoryPerInvocationBytes = bytes;
            return this;
        }

        /** See {@link SpindleOptions#hostMemoryTotalBytes()}. */
        public Builder hostMemoryTotalBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("host memory for all invocations must be positive, got " + bytes);
            }
            this.hostMemoryTotalBytes = bytes;
            return this;
        }

        public Builder log(HostLog log) {
            this.log = Objects.requireNonNull(log);
            return this;
        }

        /**
         * Adds a host capability, or replaces the one with the same {@link CapabilityProvider#name()}
         * (e.g. {@code capability(RedisCapability.provider(redisOptions))} for Redis with other options).
         */
        public Builder capability(CapabilityProvider provider) {
            capabilities.put(provider.name(), Objects.requireNonNull(provider));
            return this;
        }

        /** Reads host settings from this file in Spin's {@code runtime-config.toml} format ({@code --runtime-config-file}). */
        public Builder runtimeConfigFile(Path file) {
            this.runtimeConfigFile = Optional.of(Objects.requireNonNull(file));
            return this;
        }

        /** Adds a trigger type, or replaces the one (built-in or added) with the same {@link TriggerType#type()}. */
        public Builder trigger(TriggerType type) {
            triggers.put(type.type(), Objects.requireNonNull(type));
            return this;
        }

        public SpindleOptions build() {
            return new SpindleOptions(this);
        }
    }
}
