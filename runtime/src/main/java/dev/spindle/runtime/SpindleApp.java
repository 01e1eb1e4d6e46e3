package dev.spindle.runtime;

import dev.spindle.host.HostCapability;
import dev.spindle.host.HostLog;
import dev.spindle.host.SafeLog;
import dev.spindle.manifest.AppManifest;
import dev.spindle.manifest.VariableResolver;
import dev.spindle.runtime.internal.ComponentRuntime;
import dev.spindle.runtime.internal.InvocationExecutor;
import com.dylibso.chicory.wasi.WasiExitException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.TriggerConfig;
import dev.spindle.manifest.VariableDecl;
import dev.spindle.runtime.trigger.ServeOptions;
import dev.spindle.runtime.trigger.TriggerType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A loaded app: every component compiled once, ready to be invoked any number of times, each
 * invocation in a fresh instance. Thread-safe. Close it to stop workers and release pools.
 *
 * <pre>{@code
 * try (SpindleApp app = Spindle.load(Path.of("spin.toml"), SpindleOptions.defaults())) {
 *     int exit = app.runCommand("my-command");
 * }
 * }</pre>
 */
public final class SpindleApp implements AutoCloseable {
    private final AppManifest manifest;
    private final VariableResolver variables;
    private final Map<String, ComponentRuntime> components;
    private final List<HostCapability> capabilities;
    private final InvocationExecutor executor;
    private final SafeLog log;
    /** Trigger type name -> its unit, in the order run names them. */
    private final Map<String, TriggerType> triggerTypes;
    /** Built on first use: the router and the executors of the HTTP routes. */
    private volatile dev.spindle.runtime.trigger.HttpEntry http;

    SpindleApp(
            AppManifest manifest,
            VariableResolver variables,
            Map<String, ComponentRuntime> components,
            List<HostCapability> capabilities,
            InvocationExecutor executor,
            SafeLog log,
            List<TriggerType> triggerTypes) {
        this.manifest = manifest;
        Map<String, TriggerType> types = new LinkedHashMap<>();
        triggerTypes.forEach(t -> types.put(t.type(), t));
        this.triggerTypes = Collections.unmodifiableMap(types);
        this.variables = variables;
        this.components = Map.copyOf(components);
        this.capabilities = List.copyOf(capabilities);
        this.executor = executor;
        this.log = log;
    }

    public AppManifest manifest() {
        return manifest;
    }

    /** The resolver for the app's variables (explicit values, environment, defaults). */
    public VariableResolver variables() {
        return variables;
    }

    public Set<String> componentIds() {
        return components.keySet();
    }

    /**
     * Runs a WASI command component's {@code _start} once in a fresh instance, with its stdout
     * and stderr passed through, and returns its exit code ({@code proc_exit(n)} or 0).
     *
     * @throws InvocationException if the guest traps, times out or breaks the ABI
     */
    public int runCommand(String componentId, InputStream stdin, PrintStream stdout, PrintStream stderr) {
        ComponentRuntime component = component(componentId);
        ComponentRuntime.Io io = ComponentRuntime.Io.passThrough(stdin, stdout, stderr);
        return redacted(() -> executor.run(componentId, () -> component.withInstance(io, instance -> {
            if (component.isComponent()) {
                return runComponentCommand(componentId, instance);
            }
            if (!component.exports("_start")) {
                throw new InvocationException(componentId, InvocationException.Kind.MISSING_EXPORT,
                        "is not a WASI command: it has no \"_start\" export");
            }
            try {
                instance.export("_start").orElseThrow().apply();
                return 0;
            } catch (WasiExitException e) {
                return e.exitCode();
            }
        })));
    }

    /** A component command: {@code wasi:cli/run#run() -> result}, {@code ok} exits 0 and {@code err} 1. */
    private static int runComponentCommand(String componentId, dev.spindle.runtime.internal.GuestInstance instance) {
        var run = instance.export(WASI_CLI_RUN).orElseThrow(() -> new InvocationException(componentId,
                InvocationException.Kind.MISSING_EXPORT, "is not a WASI command: it exports no \"wasi:cli/run\" \"run\""));
        try {
            long[] result = run.apply();
            if (result == null || result.length != 1 || (result[0] != 0 && result[0] != 1)) {
                throw new dev.spindle.host.GuestTrapException("wasi:cli/run#run must return result (0 or 1)");
            }
            return (int) result[0];
        } catch (WasiExitException e) {
            return e.exitCode();
        } catch (dev.spindle.host.GuestExit e) {
            return e.status(); // wasi:cli/exit, as the preview 1 adapter's proc_exit calls it
        }
    }

    private static final String WASI_CLI_RUN = "wasi:cli/run#run";

    /** {@link #runCommand(String, InputStream, PrintStream, PrintStream)} with the process's own streams and no stdin. */
    public int runCommand(String componentId) {
        return runCommand(componentId, new ByteArrayInputStream(new byte[0]), System.out, System.err);
    }

    /**
     * Runs {@code call} against a fresh instance of a component on a worker thread, within the
     * invocation budget; the guest's output goes to the log prefixed with the component id.
     * Every resource the instance acquired is released when {@code call} returns or fails.
     *
     * @throws InvocationException if the guest traps, times out or breaks the ABI
     */
    public <T> T invoke(String componentId, Function<Guest, T> call) {
        return invoke(componentId, new ByteArrayInputStream(new byte[0]), call);
    }

    /** {@link #invoke(String, Function)} with the given bytes as the guest's stdin (WAGI request bodies). */
    public <T> T invoke(String componentId, InputStream stdin, Function<Guest, T> call) {
        ComponentRuntime component = component(componentId);
        ComponentRuntime.Io io = ComponentRuntime.Io.prefixed(stdin, componentId, log);
        return redacted(() -> executor.run(componentId, () -> component.withInstance(io, instance -> call.apply(new Guest(componentId, instance)))));
    }

    /**
     * {@link #invoke(String, Function)} with a per-invocation WASI context: stdin, a captured
     * stdout, extra environment variables and argv (the WAGI executor's CGI contract).
     */
    public <T> T invoke(String componentId, GuestIo guestIo, Function<Guest, T> call) {
        ComponentRuntime component = component(componentId);
        ComponentRuntime.Io io = ComponentRuntime.Io.captured(
                guestIo.stdin(), guestIo.stdout(), componentId, guestIo.environment(), guestIo.arguments(), log);
        return redacted(() -> executor.run(componentId, () -> component.withInstance(io, instance -> call.apply(new Guest(componentId, instance)))));
    }

    /**
     * The app's HTTP routes as a method call, no socket: {@code app.http().handle(Request.get("/"))}.
     *
     * @throws ManifestException for an HTTP trigger without a valid route
     */
    public dev.spindle.runtime.trigger.HttpEntry http() {
        dev.spindle.runtime.trigger.HttpEntry h = http;
        if (h == null) {
            synchronized (this) {
                if (http == null) {
                    http = new dev.spindle.runtime.trigger.HttpEntry(this);
                }
                h = http;
            }
        }
        return h;
    }

    /** The app's Redis triggers as a method call, no Redis: {@code app.redis().deliver("channel", bytes)}. */
    public dev.spindle.runtime.trigger.RedisEntry redis() {
        return new dev.spindle.runtime.trigger.RedisEntry(this);
    }

    /** The app's cron triggers as a method call, no waiting: {@code app.cron().fire("trigger-id")}. */
    public dev.spindle.runtime.trigger.CronEntry cron() {
        return new dev.spindle.runtime.trigger.CronEntry(this);
    }

    /**
     * Checks what serving needs, without starting anything: every required variable has a value,
     * then {@link #validateTriggers()}.
     *
     * @throws ManifestException naming the file:line of the variable or trigger
     */
    public void validate() {
        List<VariableDecl> missing = variables.missingRequired();
        if (!missing.isEmpty()) {
            VariableDecl first = missing.get(0);
            throw new ManifestException(first.location(), "variable \"" + first.name() + "\" is required but has no value; set "
                    + VariableResolver.envName(first.name()) + " or pass --variable " + first.name() + "=...");
        }
        validateTriggers();
    }

    /**
     * Checks the manifest's triggers, without starting anything or connecting anywhere: there is
     * at least one, each type is one this app can serve, and each type's own checks pass (HTTP
     * routes, Redis addresses and channels, cron components being commands, ...). {@code spindle
     * check} runs this too.
     *
     * @throws ManifestException naming the trigger's file:line
     */
    public void validateTriggers() {
        triggerPlan();
    }

    /**
     * Validates the triggers as {@link #validateTriggers()} does, and says what {@code run} will
     * do for each, one line per trigger, for {@code spindle check}: the component, whether it is a
     * Component Model binary or a core module (and which generation of exports), and the export
     * run calls.
     *
     * @throws ManifestException naming the trigger's file:line
     */
    public List<String> triggerPlan() {
        return redacted(this::checkTriggers);
    }

    private List<String> checkTriggers() {
        List<TriggerConfig> triggers = manifest.triggers();
        for (TriggerConfig trigger : triggers) {
            if (!triggerTypes.containsKey(trigger.type())) {
                throw new ManifestException(trigger.location(), "trigger type \"" + trigger.type()
                        + "\" is not supported by spindle run (supported: " + String.join(", ", triggerTypes.keySet()) + ")");
            }
        }
        if (triggers.isEmpty()) {
            throw new ManifestException("no triggers in " + manifest.file() + ": add e.g. [[trigger.command]] component = \"...\"");
        }
        List<String> plan = new java.util.ArrayList<>();
        for (TriggerType type : servedTypes()) {
            plan.addAll(type.plan(this));
        }
        return plan;
    }

    /**
     * Validates ({@link #validate()}), runs the command triggers, then starts the serving ones
     * (HTTP, Redis, cron, and any added through {@link SpindleOptions.Builder#trigger}); returns
     * once they serve. If one cannot start, those already started are stopped first. Close the
     * result to stop serving (gracefully), then close the app.
     *
     * <pre>{@code
     * try (SpindleApp app = Spindle.load(manifest, SpindleOptions.defaults());
     *      Serving serving = app.serve(ServeOptions.defaults())) {
     *     System.out.print(serving.banner());
     *     ...
     * }
     * }</pre>
     *
     * @throws ManifestException for an invalid trigger or a required variable without a value
     * @throws RuntimeException if a trigger cannot start (e.g. the HTTP address is in use)
     */
    public Serving serve(ServeOptions options) {
        validate();
        return redacted(() -> Serving.start(this, servedTypes(), options));
    }

    /** Runs {@code body}; an exception leaves with the app's secret values hidden in its message. */
    private <T> T redacted(java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (RuntimeException e) {
            throw log.redactor().redact(e);
        }
    }

    /** The trigger types with at least one trigger in the manifest, in registry order. */
    private List<TriggerType> servedTypes() {
        return triggerTypes.values().stream().filter(t -> !t.triggersOf(this).isEmpty()).toList();
    }

    /** True if the component's module exports {@code name} (checked without instantiating it). */
    public boolean exports(String componentId, String name) {
        return component(componentId).exports(name);
    }

    /** True when the component's source is a Component Model binary rather than a core module. */
    public boolean isComponentModel(String componentId) {
        return component(componentId).isComponent();
    }

    /**
     * What {@code run} will not do for this app, one line per component and capability, for
     * {@code spindle check}: interfaces the components import that Spindle only stubs (their calls
     * return the interface's error value, or trap), and manifest capabilities it does not provide
     * ({@code sqlite_databases}, {@code ai_models}).
     */
    public List<String> compatibilityWarnings() {
        List<String> out = new java.util.ArrayList<>();
        for (dev.spindle.manifest.ComponentConfig c : manifest.components().values()) {
            ComponentRuntime runtime = components.get(c.id());
            if (runtime != null) {
                for (String module : runtime.importedModules()) {
                    if (dev.spindle.runtime.internal.UnsupportedInterfaces.isStubbed(module)) {
                        out.add(c.location() + ": component \"" + c.id() + "\" imports " + module + " ("
                                + dev.spindle.runtime.internal.UnsupportedInterfaces.stubbed().get(module)
                                + "), which Spindle does not provide: the module links, but its calls return the interface's"
                                + " error value \"not supported by this host\" (or trap where it has none)");
                    }
                }
            }
            if (!c.sqliteDatabases().isEmpty()) {
                out.add(c.location() + ": component \"" + c.id() + "\": sqlite_databases " + c.sqliteDatabases()
                        + " will not work: Spindle provides no SQLite (opening a database returns an error)");
            }
            if (!c.aiModels().isEmpty()) {
                out.add(c.location() + ": component \"" + c.id() + "\": ai_models " + c.aiModels()
                        + " will not work: Spindle provides no LLM inferencing (calls return an error)");
            }
        }
        return out;
    }

    /** The function exports of the component's module, in module order (for diagnostics). */
    public List<String> functionExports(String componentId) {
        return component(componentId).functionExports();
    }

    /**
     * Threads on which {@link #invoke} runs the invocation in place instead of handing it to one of
     * the engine's worker threads: they have the invocation stack size, and a watchdog gives an
     * invocation running on one the same deadline (interrupting it, then clearing the interrupt).
     * The HTTP trigger serves requests on them; a service embedding Spindle can run its own
     * request handling on them too. Named {@code namePrefix} and a number; daemons. With the
     * interpreter, invocations are always handed to a worker (its loops cannot be interrupted).
     */
    public java.util.concurrent.ThreadFactory invocationThreads(String namePrefix) {
        return executor.threadFactory(namePrefix);
    }

    /**
     * How many instances of the component the engine has built so far: with instance reuse, about
     * as many as invocations ever ran at once (plus one per failed invocation); 0 without reuse
     * (docs/engine.md, "Pre-initialized instances").
     */
    public int instancesBuilt(String componentId) {
        return component(componentId).instancesBuilt();
    }

    /** The loaded component (its instance pool's counters, for tests of the engine). */
    ComponentRuntime componentRuntime(String componentId) {
        return component(componentId);
    }

    private ComponentRuntime component(String componentId) {
        ComponentRuntime component = components.get(componentId);
        if (component == null) {
            throw new IllegalArgumentException("no component \"" + componentId + "\" in " + manifest.file()
                    + " (components: " + String.join(", ", components.keySet()) + ")");
        }
        return component;
    }

    /**
     * The app's capability of a type, e.g. the one a trigger needs to reach the same servers the
     * guests reach with the same settings; empty if no capability of the app is one.
     */
    public <T> Optional<T> capability(Class<T> type) {
        return capabilities.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** The log runtime and guest lines go to. */
    public HostLog log() {
        return log;
    }

    @Override
    public void close() {
        executor.close();
        for (HostCapability capability : capabilities) {
            try {
                capability.close();
            } catch (RuntimeException e) {
                log.warn("spindle", "closing " + capability.getClass().getSimpleName() + " failed: " + e.getMessage());
            }
        }
        log.close(); // reports lines still suppressed by the rate limit
    }
}
