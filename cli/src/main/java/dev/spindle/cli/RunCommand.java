package dev.spindle.cli;

import dev.spindle.redis.KeyValueCapability;
import dev.spindle.redis.RedisCapability;
import dev.spindle.redis.RedisOptions;
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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spindle run app.toml}: parses the options, loads the app and lets {@link SpindleApp#serve}
 * run its triggers; prints the banner and waits for SIGINT/SIGTERM.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the application described by a spin.toml manifest.")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MANIFEST", description = "Path to spin.toml (default: ${DEFAULT-VALUE}).", defaultValue = "spin.toml")
    Path manifest;

    @Mixin
    VariableOptions variables;

    @Option(names = "--interpreter", description = "Interpret guests instead of compiling them (slower; cannot stop runaway loops).")
    boolean interpreter;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Wall-clock limit per invocation in seconds (default: ${DEFAULT-VALUE}).", defaultValue = "30")
    double timeoutSeconds;

    @Option(names = "--memory-limit", paramLabel = "MIB", description = "Linear-memory cap per instance in MiB (default: ${DEFAULT-VALUE}).", defaultValue = "128")
    long memoryLimitMib;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address the HTTP trigger listens on (default: ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1:3000")
    String listen;

    @Option(names = "--max-body-size", paramLabel = "BYTES", description = "Largest accepted HTTP request body; larger gets 413 (default: ${DEFAULT-VALUE}).", defaultValue = "10485760")
    long maxBodyBytes;

    @Option(names = "--http-read-timeout", paramLabel = "SECONDS", description = "A client must send its request (headers and body) "
            + "within this, else its connection is closed (default: ${DEFAULT-VALUE}).", defaultValue = "30")
    double httpReadTimeoutSeconds;

    @Option(names = "--http-workers", paramLabel = "N", description = "HTTP requests handled at once (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int httpWorkers;

    @Option(names = "--http-queue", paramLabel = "N", description = "HTTP requests waiting for a worker; beyond it 503 (default: ${DEFAULT-VALUE}).", defaultValue = "256")
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

    @Option(names = "--no-cache", description = "Compile every guest afresh; read and write no compile cache.")
    boolean noCache;

    @Option(names = "--host-memory-per-invocation", paramLabel = "MIB", description = "Host memory one invocation's host calls may "
            + "hold at once (guest data copied in, replies buffered); over it a call fails as a value (default: 256).")
    Long hostMemoryPerInvocationMib;

    @Option(names = "--host-memory-total", paramLabel = "MIB", description = "Host memory all invocations' host calls may hold "
            + "together; over it a call fails as a value (default: half the JVM's maximum heap).")
    Long hostMemoryTotalMib;

    @Option(names = "--redis-allow-scripts", paramLabel = "COMPONENT", description = "Let this component run Redis scripts (EVAL, "
            + "EVALSHA, FCALL, FUNCTION) through execute and pipeline; repeatable. Protect the server with a Redis ACL first: a script "
            + "can run any command. Default: no component.")
    List<String> redisScriptComponents = new ArrayList<>();

    @Option(names = "--redis-allow-command", paramLabel = "NAME", description = "Let guests send this Redis command that Spindle's "
            + "command table does not know (a module's command, e.g. JSON.GET); repeatable. Cannot re-enable a refused command.")
    List<String> redisAllowedCommands = new ArrayList<>();

    @Override
    public Integer call() {
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
        if (hostMemoryPerInvocationMib != null) {
            builder.hostMemoryPerInvocationBytes(hostMemoryPerInvocationMib << 20);
        }
        if (hostMemoryTotalMib != null) {
            builder.hostMemoryTotalBytes(hostMemoryTotalMib << 20);
        }
        SpindleOptions options = builder
                .capability(RedisCapability.provider(redisOptions))
                .capability(KeyValueCapability.provider(redisOptions))
                .variables(variables.values())
                .interpreter(interpreter)
                .invocationTimeout(Duration.ofMillis((long) (timeoutSeconds * 1000)))
                .memoryLimitBytes(memoryLimitMib << 20)
                .build();
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both or neither");
        }
        HttpServerOptions http = HttpServerOptions.defaults().withListen(listen).withMaxBodyBytes(maxBodyBytes)
                .withRequestReadTimeout(Duration.ofMillis((long) (httpReadTimeoutSeconds * 1000)))
                .withWorkers(httpWorkers).withQueue(httpQueue).withHttp2(http2);
        if (tlsCert != null) {
            http = http.withTls(tlsCert, tlsKey);
        }
        try (SpindleApp app = Spindle.load(manifest, options)) {
            for (String component : redisScriptComponents) {
                if (!app.componentIds().contains(component)) {
                    throw new IllegalArgumentException("--redis-allow-scripts: no component \"" + component + "\" in "
                            + manifest + " (components: " + String.join(", ", new TreeSet<>(app.componentIds())) + ")");
                }
            }
            ServeOptions serveOptions = ServeOptions.builder()
                    .with(http)
                    .with(new CommandStreams(System.out, System.err))
                    .build();
            Serving serving = app.serve(serveOptions);
            if (!serving.keepsRunning()) {
                return serving.exitCode();
            }
            spec.commandLine().getOut().print(serving.banner());
            spec.commandLine().getOut().flush();
            awaitSignal(app, serving);
            return 0;
        }
    }

    /**
     * Blocks until SIGINT/SIGTERM; the shutdown hook stops the triggers (in-flight work gets the
     * grace period), closes the app's pools and exits 0.
     */
    private static void awaitSignal(SpindleApp app, Serving serving) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            serving.close();
            app.close();
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
