package dev.spindle.cli;

import dev.spindle.manifest.CommandTrigger;
import dev.spindle.manifest.CronTrigger;
import dev.spindle.manifest.HttpTrigger;
import dev.spindle.manifest.RedisTrigger;
import dev.spindle.redis.RedisOptions;
import dev.spindle.runtime.trigger.CronScheduler;
import dev.spindle.runtime.trigger.HttpServerOptions;
import dev.spindle.runtime.trigger.HttpTriggerServer;
import dev.spindle.runtime.trigger.RedisTriggers;
import java.util.concurrent.CountDownLatch;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.TriggerConfig;
import dev.spindle.manifest.VariableDecl;
import dev.spindle.runtime.InvocationException;
import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code spindle run app.toml}: load every component, then serve the manifest's triggers. */
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

    @Option(names = "--redis-tls-ca", paramLabel = "PEM_FILE", description = "Trust the CA certificates in this PEM file for rediss:// "
            + "(guests' connections and Redis triggers) instead of the JVM's default trust store.")
    Path redisTlsCa;

    @Override
    public Integer call() {
        RedisOptions redisOptions = RedisOptions.defaults();
        if (redisTlsCa != null) {
            redisOptions = redisOptions.withTlsCaFile(redisTlsCa);
        }
        SpindleOptions options = SpindleOptions.builder()
                .redis(redisOptions)
                .variables(variables.values())
                .interpreter(interpreter)
                .invocationTimeout(Duration.ofMillis((long) (timeoutSeconds * 1000)))
                .memoryLimitBytes(memoryLimitMib << 20)
                .build();
        try (SpindleApp app = Spindle.load(manifest, options)) {
            List<VariableDecl> missing = app.variables().missingRequired();
            if (!missing.isEmpty()) {
                VariableDecl first = missing.get(0);
                throw new ManifestException(first.location(), "variable \"" + first.name() + "\" is required but has no value; set "
                        + dev.spindle.manifest.VariableResolver.envName(first.name()) + " or pass --variable " + first.name() + "=...");
            }
            List<TriggerConfig> triggers = app.manifest().triggers();
            boolean serving = false;
            for (TriggerConfig trigger : triggers) {
                if (trigger instanceof HttpTrigger || trigger instanceof RedisTrigger || trigger instanceof CronTrigger) {
                    serving = true;
                } else if (!(trigger instanceof CommandTrigger)) {
                    throw new ManifestException(trigger.location(), "trigger type \"" + trigger.type()
                            + "\" is not supported by spindle run (supported: http, redis, cron, command)");
                }
            }
            if (triggers.isEmpty()) {
                throw new ManifestException("no triggers in " + manifest + ": add e.g. [[trigger.command]] component = \"...\"");
            }
            int exit = runCommands(app, triggers);
            if (!serving) {
                return exit;
            }
            serve(app, HttpServerOptions.defaults().withListen(listen).withMaxBodyBytes(maxBodyBytes)
                    .withRequestReadTimeout(Duration.ofMillis((long) (httpReadTimeoutSeconds * 1000)))
                    .withWorkers(httpWorkers).withQueue(httpQueue));
            return 0;
        }
    }

    /**
     * Starts the HTTP server, Redis subscribers and cron schedules and blocks until SIGINT/SIGTERM;
     * the shutdown hook stops accepting, lets in-flight invocations finish within the grace period,
     * closes subscribers and pools, and exits 0.
     */
    private void serve(SpindleApp app, HttpServerOptions httpOptions) {
        HttpTriggerServer http = HttpTriggerServer.triggers(app).isEmpty() ? null : HttpTriggerServer.start(app, httpOptions);
        RedisTriggers redis;
        try {
            redis = RedisTriggers.triggers(app).isEmpty() ? null : RedisTriggers.start(app);
        } catch (RuntimeException e) {
            if (http != null) {
                http.close();
            }
            throw e;
        }
        CronScheduler cron;
        try {
            cron = CronScheduler.triggers(app).isEmpty() ? null : CronScheduler.start(app);
        } catch (RuntimeException e) {
            if (http != null) {
                http.close();
            }
            if (redis != null) {
                redis.close();
            }
            throw e;
        }
        if (http != null) {
            spec.commandLine().getOut().print(http.banner());
            spec.commandLine().getOut().flush();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.log().info("spindle", "shutting down: finishing in-flight requests (up to "
                    + httpOptions.shutdownGrace().toSeconds() + " s)");
            if (http != null) {
                http.close();
            }
            if (redis != null) {
                redis.close(httpOptions.shutdownGrace());
            }
            if (cron != null) {
                cron.close(httpOptions.shutdownGrace());
            }
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

    private int runCommands(SpindleApp app, List<TriggerConfig> triggers) {
            int exit = 0;
            PrintStream out = System.out;
            PrintStream err = System.err;
            for (TriggerConfig trigger : triggers) {
                if (!(trigger instanceof CommandTrigger)) {
                    continue;
                }
                String componentId = trigger.componentId().orElseThrow();
                try {
                    int code = app.runCommand(componentId, new ByteArrayInputStream(new byte[0]), out, err);
                    if (code != 0 && exit == 0) {
                        exit = code;
                    }
                } catch (InvocationException e) {
                    spec.commandLine().getErr().println("error: " + e.getMessage());
                    if (exit == 0) {
                        exit = SpindleCli.EXIT_FAILED;
                    }
                }
            }
            return exit;
    }
}
