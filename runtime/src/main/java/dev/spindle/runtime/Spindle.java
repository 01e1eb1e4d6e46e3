package dev.spindle.runtime;

import dev.spindle.host.CapabilityProvider;
import dev.spindle.host.CapabilitySetup;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostCapability;
import dev.spindle.host.SafeLog;
import dev.spindle.host.HostMemoryBudget;
import dev.spindle.manifest.AppManifest;
import dev.spindle.manifest.ComponentConfig;
import dev.spindle.manifest.ComponentSource;
import dev.spindle.manifest.InputFiles;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.ManifestLoader;
import dev.spindle.manifest.RuntimeConfig;
import dev.spindle.manifest.VariableResolver;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.manifest.text.Redactor;
import dev.spindle.manifest.hosts.InvalidAllowedHostException;
import dev.spindle.runtime.internal.CompileCache;
import dev.spindle.runtime.internal.ComponentRuntime;
import dev.spindle.runtime.internal.InvocationExecutor;
import dev.spindle.runtime.internal.SlowStepNotice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Entry point of the embedding API: load an app from its manifest. */
public final class Spindle {
    private Spindle() {}


    /**
     * Loads, validates, links and compiles every component of the app at {@code manifest}.
     *
     * @throws ManifestException for manifest problems (one line naming file:line)
     * @throws LoadException for component problems (missing or invalid .wasm, unlinkable imports)
     */
    public static SpindleApp load(Path manifest, SpindleOptions options) {
        return load(ManifestLoader.load(manifest), options);
    }

    /**
     * {@link #load(Path, SpindleOptions)} for manifest text held in memory (a resource, a
     * configuration service): {@code nominalFile} names it in messages, and its directory is where
     * relative {@code source} and {@code files} paths are found.
     */
    public static SpindleApp load(String manifestToml, Path nominalFile, SpindleOptions options) {
        return load(ManifestLoader.loadString(manifestToml, nominalFile), options);
    }

    /**
     * {@link #load(String, Path, SpindleOptions)} reading the manifest from {@code in} (UTF-8, at
     * most {@link InputFiles#MAX_TOML_BYTES}); the stream is read to its end, not closed.
     *
     * @throws ManifestException if the stream holds more, or cannot be read
     */
    public static SpindleApp load(java.io.InputStream in, Path nominalFile, SpindleOptions options) {
        byte[] bytes;
        try {
            bytes = in.readNBytes((int) InputFiles.MAX_TOML_BYTES + 1);
        } catch (IOException e) {
            throw new ManifestException(nominalFile + ": cannot read the manifest: " + e.getMessage());
        }
        if (bytes.length > InputFiles.MAX_TOML_BYTES) {
            throw new ManifestException(nominalFile + ": the manifest is larger than " + InputFiles.size(InputFiles.MAX_TOML_BYTES));
        }
        return load(new String(bytes, java.nio.charset.StandardCharsets.UTF_8), nominalFile, options);
    }

    private static SpindleApp load(AppManifest app, SpindleOptions options) {
        if (!options.onlyComponents().isEmpty()) {
            app = app.retainComponents(options.onlyComponents());
        }
        VariableResolver variables = VariableResolver.create(app, options.environment(), options.variables());
        // From here on secret values are known: every error and log line is redacted with them.
        Redactor redactor = variables.redactor();
        SafeLog log = SafeLog.wrap(options.log(), redactor);
        try {
            return load(app, variables, log, options);
        } catch (RuntimeException e) {
            log.close();
            throw redactor.redact(e);
        }
    }

    private static SpindleApp load(AppManifest app, VariableResolver variables, SafeLog log, SpindleOptions options) {
        RuntimeConfig runtimeConfig = options.runtimeConfigFile().map(RuntimeConfig::load).orElse(RuntimeConfig.empty());
        List<HostCapability> capabilities = createCapabilities(options.capabilities(),
                new CapabilitySetup(app, variables, runtimeConfig, log));
        Map<String, ComponentRuntime> components = new LinkedHashMap<>();
        CompileCache cache = options.compileCache().map(CompileCache::open).orElse(null);
        try {
            for (ComponentConfig component : app.components().values()) {
                ComponentContext context = new ComponentContext(component.id(), allowedHosts(component, variables), log);
                byte[] wasm = readSource(component);
                var files = ComponentRuntime.snapshotFiles(component.id(), app.baseDir(), component.files(), component.excludeFiles());
                Map<String, String> environment = new LinkedHashMap<>(component.environment());
                environment.putAll(options.componentEnvironment());
                try (SlowStepNotice notice = loadNotice(options, log, component.id(), wasm.length, cache != null)) {
                    components.put(component.id(), ComponentRuntime.load(
                            context, wasm, options.interpreter(), options.memoryLimitBytes(), environment, capabilities, files,
                            cache, options.reuseInstances()));
                }
            }
        } catch (RuntimeException e) {
            capabilities.forEach(HostCapability::close);
            throw e;
        }
        InvocationExecutor executor = new InvocationExecutor(
                options.maxConcurrentInvocations(), options.stackBytes(), options.invocationTimeout(), log,
                new HostMemoryBudget(options.hostMemoryPerInvocationBytes(), options.hostMemoryTotalBytes()),
                !options.interpreter());
        return new SpindleApp(app, variables, components, capabilities, executor, log, options.triggers());
    }

    /** Says "compiling component ..." once loading it takes longer than {@link SpindleOptions#loadProgressAfter()}. */
    private static SlowStepNotice loadNotice(SpindleOptions options, SafeLog log, String id, int wasmBytes, boolean cached) {
        if (options.loadProgressAfter().isEmpty()) {
            return SlowStepNotice.none();
        }
        String size = String.format(java.util.Locale.ROOT, "%.1f MiB", wasmBytes / 1048576.0);
        return SlowStepNotice.after(options.loadProgressAfter().get(), log, "spindle",
                "compiling component \"" + id + "\" (" + size + " of Wasm" + (cached ? "; cached for the next run" : "") + ")...",
                "compiled component \"" + id + "\"");
    }

    /**
     * One capability per provider, each handed the runtime config; a runtime-config table no
     * provider claims is refused (as Spin does), and if one cannot be created those made before it
     * are closed.
     */
    private static List<HostCapability> createCapabilities(List<CapabilityProvider> providers, CapabilitySetup setup) {
        RuntimeConfig config = setup.runtimeConfig();
        Set<String> claimed = new TreeSet<>();
        providers.forEach(p -> claimed.addAll(p.runtimeConfigTables()));
        for (String key : config.keys()) {
            if (!claimed.contains(key)) {
                throw config.error(List.of(key), "unknown table `" + key + "` in the runtime config"
                        + (claimed.isEmpty() ? " (no capability reads one)" : " (known: " + String.join(", ", claimed) + ")"));
            }
        }
        List<HostCapability> capabilities = new ArrayList<>();
        try {
            for (CapabilityProvider provider : providers) {
                capabilities.add(provider.create(setup));
            }
        } catch (RuntimeException e) {
            capabilities.forEach(HostCapability::close);
            throw e;
        }
        return List.copyOf(capabilities);
    }

    /** A component's allowed_outbound_hosts, templates resolved, parsed by the one matcher. */
    public static AllowedHosts allowedHosts(ComponentConfig component, VariableResolver variables) {
        List<String> entries = component.resolvedAllowedHosts(variables);
        try {
            return AllowedHosts.parse(entries);
        } catch (InvalidAllowedHostException e) {
            throw new ManifestException(component.location(),
                    "component \"" + component.id() + "\": allowed_outbound_hosts: " + e.getMessage());
        }
    }

    private static byte[] readSource(ComponentConfig component) {
        String id = component.id();
        if (component.source() instanceof ComponentSource.Local local) {
            Path path = local.path();
            try {
                return InputFiles.read(path, InputFiles.MAX_WASM_BYTES, "a component source");
            } catch (InputFiles.Refused e) {
                throw new LoadException("component \"" + id + "\": source " + path + " " + e.getMessage());
            } catch (NoSuchFileException e) {
                throw new LoadException("component \"" + id + "\": source " + path + " does not exist (build it first, e.g. with the component's build command)");
            } catch (IOException e) {
                throw new LoadException("component \"" + id + "\": cannot read source " + path + ": " + e.getMessage());
            }
        }
        throw new LoadException("component \"" + id + "\": only local .wasm sources are supported (download the module and set source = \"path/to/module.wasm\")");
    }
}
