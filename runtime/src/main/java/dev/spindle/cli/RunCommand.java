package dev.spindle.cli;

import dev.spindle.manifest.CommandTrigger;
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

    @Override
    public Integer call() {
        SpindleOptions options = SpindleOptions.builder()
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
            for (TriggerConfig trigger : triggers) {
                if (!(trigger instanceof CommandTrigger)) {
                    throw new ManifestException(trigger.location(), "trigger type \"" + trigger.type()
                            + "\" is not supported by spindle run yet (supported: command)");
                }
            }
            if (triggers.isEmpty()) {
                throw new ManifestException("no triggers in " + manifest + ": add e.g. [[trigger.command]] component = \"...\"");
            }
            int exit = 0;
            PrintStream out = System.out;
            PrintStream err = System.err;
            for (TriggerConfig trigger : triggers) {
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
}
