package dev.spindle.cli;

import dev.spindle.manifest.ManifestLoader;
import dev.spindle.redis.KeyValueCapability;
import dev.spindle.redis.RedisCapability;
import dev.spindle.redis.RedisOptions;
import dev.spindle.cli.logging.LogSettings;
import dev.spindle.cli.logging.SpindleLogs;
import dev.spindle.redis.embedded.EmbeddedRedisServers;
import dev.spindle.redis.embedded.RedisMode;
import dev.spindle.runtime.Serving;
import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import dev.spindle.runtime.trigger.CommandStreams;
import dev.spindle.runtime.trigger.HttpServerOptions;
import dev.spindle.runtime.trigger.ServeOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code spindle run app.toml}: parses the options, loads the app and lets {@link SpindleApp#serve}
 * run its triggers; prints the banner and waits for SIGINT/SIGTERM.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = SpindleCli.Version.class,
        description = "Run the application described by a spin.toml manifest.")
class RunCommand implements Callable<Integer> {
    /** A step that takes longer than this gets a progress line. */
    static final Duration PROGRESS_AFTER = Duration.ofSeconds(1);

    @Spec
    CommandSpec spec;

    @Mixin
    AppSource source;

    @Mixin
    VariableOptions variables;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "Pass an environment variable to every component "
            + "(repeatable); wins over the manifest's environment.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-c", "--component-id"}, paramLabel = "ID", description = "Run only this component and the triggers "
            + "that run it (repeatable; default: every component).")
    List<String> componentIds = new ArrayList<>();

    @Option(names = "--interpreter", description = "Interpret guests instead of compiling them (slower; cannot stop runaway loops).")
    boolean interpreter;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Wall-clock limit per invocation in seconds (default: ${DEFAULT-VALUE}).",
            defaultValue = "30", converter = OptionValues.Seconds.class)
    Duration timeout;

    @Option(names = "--memory-limit", paramLabel = "MIB", description = "Linear-memory cap per instance in MiB, 1 to 4096 (default: 128).",
            converter = OptionValues.GuestMebibytes.class)
    Long memoryLimitBytes;

    @Option(names = "--max-instance-memory", paramLabel = "BYTES", description = "Spin's form of --memory-limit, in bytes "
            + "(environment: SPIN_MAX_INSTANCE_MEMORY).", converter = OptionValues.Bytes.class)
    Long maxInstanceMemoryBytes;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address the HTTP trigger listens on (default: ${DEFAULT-VALUE}; "
            + "environment: SPIN_HTTP_LISTEN_ADDR).", defaultValue = "127.0.0.1:3000")
    String listen;

    @Option(names = "--max-body-size", paramLabel = "BYTES", description = "Largest accepted HTTP request body; larger gets 413 (default: ${DEFAULT-VALUE}).", defaultValue = "10485760", converter = OptionValues.Bytes.class)
    long maxBodyBytes;

    @Option(names = "--http-read-timeout", paramLabel = "SECONDS", description = "A client must send its request (headers and body) "
            + "within this, else its connection is closed (default: ${DEFAULT-VALUE}).", defaultValue = "30", converter = OptionValues.Seconds.class)
    Duration httpReadTimeout;

    @Option(names = "--http-workers", paramLabel = "N", description = "HTTP requests handled at once (default: ${DEFAULT-VALUE}).", defaultValue = "64", converter = OptionValues.Count.class)
    int httpWorkers;

    @Option(names = "--http-queue", paramLabel = "N", description = "HTTP requests waiting for a worker; beyond it 503 (default: ${DEFAULT-VALUE}).", defaultValue = "256", converter = OptionValues.CountFromZero.class)
    int httpQueue;

    @Option(names = "--tls-cert", paramLabel = "PEM_FILE", description = "Serve HTTPS with this PEM certificate chain "
            + "(leaf first); needs --tls-key, as in spin up.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM_FILE", description = "The unencrypted PEM private key (PKCS#8 or PKCS#1) "
            + "of --tls-cert.")
    Path tlsKey;

    @Option(names = "--http2", description = "Also serve HTTP/2: h2 through ALPN with --tls-cert, else h2c (prior knowledge or Upgrade).")
    boolean http2;

    @Option(names = "--redis-tls-ca", paramLabel = "PEM_FILE", description = "Trust the CA certificates in this PEM file for rediss:// "
            + "(guests' connections and Redis triggers) instead of the JVM's default trust store.")
    Path redisTlsCa;

    @Option(names = "--runtime-config-file", paramLabel = "FILE", description = "Host settings in Spin's runtime-config.toml "
            + "format, e.g. [key_value_store.<label>] type = \"redis\" url = \"redis://...\".")
    Path runtimeConfigFile;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Cache compiled guest code here, keyed by module digest and "
            + "Chicory version (default: $XDG_CACHE_HOME/spindle or ~/.cache/spindle).")
    Path cacheDir;

    @Option(names = {"--no-cache", "--disable-cache"}, description = "Compile every guest afresh; read and write no compile cache "
            + "(environment: DISABLE_WASMTIME_CACHE, as Spin).")
    boolean noCache;

    @Option(names = "--host-memory-per-invocation", paramLabel = "MIB", description = "Host memory one invocation's host calls may "
            + "hold at once (guest data copied in, replies buffered); over it a call fails as a value (default: 256).",
            converter = OptionValues.HostMebibytes.class)
    Long hostMemoryPerInvocationBytes;

    @Option(names = "--host-memory-total", paramLabel = "MIB", description = "Host memory all invocations' host calls may hold "
            + "together; over it a call fails as a value (default: half the JVM's maximum heap).",
            converter = OptionValues.HostMebibytes.class)
    Long hostMemoryTotalBytes;

    @Option(names = "--redis-allow-scripts", paramLabel = "COMPONENT", description = "Let this component run Redis scripts (EVAL, "
            + "EVALSHA, FCALL, FUNCTION) through execute and pipeline; repeatable. Protect the server with a Redis ACL first: a script "
            + "can run any command. Default: no component.")
    List<String> redisScriptComponents = new ArrayList<>();

    @Option(names = "--redis-allow-command", paramLabel = "NAME", description = "Let guests send this Redis command that Spindle's "
            + "command table does not know (a module's command, e.g. JSON.GET); repeatable. Cannot re-enable a refused command.")
    List<String> redisAllowedCommands = new ArrayList<>();

    @Option(names = "--build", description = "Run the components' [component.<id>.build] commands first, as spin up --build "
            + "(environment: SPIN_ALWAYS_BUILD).")
    boolean build;

    @Option(names = "--redis", paramLabel = "MODE", description = "auto: start a redis-server for each loopback Redis address "
            + "the app names where nothing listens (data in .spindle/ next to the manifest); embedded: for every one, refusing an "
            + "address in use; external: never (default: ${DEFAULT-VALUE}).", defaultValue = "auto",
            converter = RedisModeConverter.class)
    RedisMode redisMode;

    static final class RedisModeConverter implements picocli.CommandLine.ITypeConverter<RedisMode> {
        @Override
        public RedisMode convert(String value) {
            return RedisMode.parse(value);
        }
    }

    @Option(names = "--log-format", paramLabel = "FORMAT", description = "text or json: one line per event on stderr, "
            + "ISO-8601 UTC times (default: ${DEFAULT-VALUE}).", defaultValue = "text", converter = LogFormatConverter.class)
    LogSettings.Format logFormat;

    @Option(names = {"-q", "--quiet"}, description = "Keep component output and the access log off the terminal "
            + "(component output still goes to --log-dir).")
    boolean quiet;

    @Option(names = {"-L", "--log-dir"}, paramLabel = "DIR", description = "Also append each component's stdout and stderr "
            + "lines to DIR/<component>_stdout.txt and _stderr.txt, as Spin does (env: SPIN_LOG_DIR).",
            defaultValue = "${env:SPIN_LOG_DIR}")
    Path logDir;

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT", description = "Serve metrics in the Prometheus text format "
            + "at http://HOST:PORT/metrics (default: no metrics endpoint).")
    String metricsListen;

    @Option(names = "--otel-endpoint", paramLabel = "URL", description = "Send traces to this OpenTelemetry collector over OTLP/HTTP "
            + "(protobuf), e.g. http://127.0.0.1:4318; spans are POSTed to URL/v1/traces (environment: OTEL_EXPORTER_OTLP_ENDPOINT, "
            + "or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as the full URL; OTEL_SDK_DISABLED=true turns traces off). Default: no traces.")
    String otelEndpoint;

    static final class LogFormatConverter implements picocli.CommandLine.ITypeConverter<LogSettings.Format> {
        @Override
        public LogSettings.Format convert(String value) {
            return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "text" -> LogSettings.Format.TEXT;
                case "json" -> LogSettings.Format.JSON;
                default -> throw new picocli.CommandLine.TypeConversionException("\"" + value + "\" is not one of text, json");
            };
        }
    }

    @Override
    public Integer call() throws Exception {
        SpindleLogs.configure(new LogSettings(logFormat, quiet,
                Optional.ofNullable(logDir).filter(d -> !d.toString().isEmpty())));
        Path manifest = source.resolve(spec.commandLine().getErr());
        SpindleOptions options = spindleOptions();
        ServeOptions serveOptions = serveOptions();
        Optional<Traces.Settings> traceSettings = Traces.settings(System.getenv(), otelEndpoint); // a bad setting: exit 2 before loading
        if (build && !ComponentBuilds.run(ComponentBuilds.of(ManifestLoader.load(manifest), componentIds), spec.commandLine().getOut(),
                spec.commandLine().getErr())) {
            return SpindleCli.EXIT_FAILED;
        }
        try (MetricsEndpoint metrics = metricsListen == null ? null : MetricsEndpoint.start(metricsListen);
             SpindleApp app = Spindle.load(manifest, options);
             EmbeddedRedisServers redis = LocalRedis.start(redisMode, app, System.getenv());
             Traces traces = startTraces(traceSettings, app)) {
            SpindleLogs.settings().logDirectory().ifPresent(d -> app.log().info("spindle", "logging component output to " + d));
            if (metrics != null) {
                app.log().info("spindle", "metrics at " + metrics.url());
            }
            checkScriptComponents(app, manifest);
            Serving serving = app.serve(serveOptions);
            if (!serving.keepsRunning()) {
                return serving.exitCode();
            }
            spec.commandLine().getOut().print(serving.banner());
            spec.commandLine().getOut().flush();
            awaitSignal(app, serving, redis, traces);
            return 0;
        }
    }

    /** The SDK, when traces are configured (null otherwise: nothing is started, {@link dev.spindle.host.Tracing} stays off). */
    static Traces startTraces(Optional<Traces.Settings> settings, SpindleApp app) {
        var application = app.manifest().application();
        return settings.map(s -> Traces.start(s, application.name(), application.version(), app.log())).orElse(null);
    }

    /** How to load the app, from the options (the same for {@code run} and {@code watch}). */
    SpindleOptions spindleOptions() {
        RedisOptions redisOptions = RedisOptions.defaults()
                .withScriptingComponents(Set.copyOf(redisScriptComponents))
                .withAllowedCommands(Set.copyOf(redisAllowedCommands));
        if (redisTlsCa != null) {
            redisOptions = redisOptions.withTlsCaFile(redisTlsCa);
        }
        SpindleOptions.Builder builder = SpindleOptions.builder();
        if (runtimeConfigFile != null) {
            builder.runtimeConfigFile(runtimeConfigFile);
        }
        if (!noCache && !interpreter) {
            builder.compileCache(cacheDir != null ? cacheDir : SpindleOptions.defaultCompileCacheDirectory());
        }
        if (hostMemoryPerInvocationBytes != null) {
            builder.hostMemoryPerInvocationBytes(hostMemoryPerInvocationBytes);
        }
        if (hostMemoryTotalBytes != null) {
            builder.hostMemoryTotalBytes(hostMemoryTotalBytes);
        }
        if (System.console() != null) {
            // At a terminal a long first compile must not look like a hang; in logs and tests it is noise.
            builder.loadProgressAfter(PROGRESS_AFTER);
        }
        environmentAssignments().forEach(builder::componentEnvironment);
        componentIds.forEach(builder::onlyComponent);
        SpindleOptions options = builder
                .capability(RedisCapability.provider(redisOptions))
                .capability(KeyValueCapability.provider(redisOptions))
                .variables(variables.values())
                .interpreter(interpreter)
                .invocationTimeout(timeout)
                .memoryLimitBytes(memoryLimitBytes())
                .build();
        return options;
    }

    private long memoryLimitBytes() {
        if (memoryLimitBytes != null && maxInstanceMemoryBytes != null) {
            throw new UsageException("--memory-limit and --max-instance-memory (SPIN_MAX_INSTANCE_MEMORY) set the same limit: give one");
        }
        if (maxInstanceMemoryBytes != null) {
            long max = OptionValues.MAX_GUEST_MEMORY_MIB << 20;
            if (maxInstanceMemoryBytes < 65536 || maxInstanceMemoryBytes > max) {
                throw new UsageException("--max-instance-memory: " + maxInstanceMemoryBytes + " bytes is out of range (65536 to "
                        + max + " bytes: one 64 KiB page to a 32-bit guest's 4096 MiB)");
            }
            return maxInstanceMemoryBytes;
        }
        return memoryLimitBytes != null ? memoryLimitBytes : SpindleOptions.DEFAULT_MEMORY_LIMIT_BYTES;
    }

    /** -e NAME=VALUE, in order (a later one wins). */
    private Map<String, String> environmentAssignments() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : env) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--env " + a + ": expected NAME=VALUE");
            }
            out.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return out;
    }

    /** How to serve the loaded app, from the options. */
    ServeOptions serveOptions() {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new UsageException("--tls-cert and --tls-key go together: give both or neither");
        }
        HttpServerOptions http;
        try {
            http = HttpServerOptions.defaults().withListen(listen);
        } catch (IllegalArgumentException e) {
            String why = e.getMessage();
            throw new UsageException(why.startsWith("--listen") ? why : "--listen " + listen + ": " + why);
        }
        http = http.withMaxBodyBytes(maxBodyBytes).withRequestReadTimeout(httpReadTimeout)
                .withWorkers(httpWorkers).withQueue(httpQueue).withHttp2(http2);
        if (tlsCert != null) {
            http = http.withTls(tlsCert, tlsKey);
        }
        return ServeOptions.builder()
                .with(http)
                .with(new CommandStreams(System.out, System.err))
                .build();
    }

    /** --redis-allow-scripts names a component of this app (a typo would silently allow nothing). */
    void checkScriptComponents(SpindleApp app, Path manifest) {
        for (String component : redisScriptComponents) {
            if (!app.componentIds().contains(component)) {
                throw new UsageException("--redis-allow-scripts: no component \"" + component + "\" in "
                        + manifest + " (components: " + String.join(", ", new TreeSet<>(app.componentIds())) + ")");
            }
        }
    }

    /**
     * Blocks until SIGINT/SIGTERM; the shutdown hook stops the triggers (in-flight work gets the
     * grace period), closes the app's pools and exits 0.
     */
    private static void awaitSignal(SpindleApp app, Serving serving, EmbeddedRedisServers redis, Traces traces) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            serving.close();
            if (traces != null) {
                traces.close(); // the last requests' spans, within a bounded wait
            }
            app.close();
            redis.close();
            stopped.countDown();
            Runtime.getRuntime().halt(0); // a signal is a requested stop, not a failure
        }, "spindle-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
