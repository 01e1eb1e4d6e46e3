package dev.spindle.cli;

import dev.spindle.manifest.AppManifest;
import dev.spindle.manifest.ComponentConfig;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.ManifestLoader;
import dev.spindle.manifest.Template;
import dev.spindle.manifest.VariableDecl;
import dev.spindle.manifest.VariableResolver;
import dev.spindle.manifest.hosts.AllowedHost;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.manifest.hosts.InvalidOutboundUrlException;
import dev.spindle.manifest.hosts.OutboundUrl;
import dev.spindle.manifest.hosts.RedisUrl;
import dev.spindle.manifest.text.Redactor;
import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code spindle check}: is this manifest valid, and may this component reach this address?
 * Exit 0 valid/allowed, 1 denied or unparseable address, 2 invalid manifest.
 */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        versionProvider = SpindleCli.Version.class,
        description = {
            "Validate a manifest, or ask whether a component may connect to an address.",
            "Exit codes: 0 valid / allowed, 1 denied or unparseable address, 2 invalid manifest."
        })
final class CheckCommand implements Callable<Integer> {
    static final int EXIT_DENIED = 1;

    @Spec
    CommandSpec spec;

    @Mixin
    AppSource source;

    /** The manifest as resolved from {@link #source}. */
    private Path manifest;

    @Option(names = "--skip-sources", description = "Do not load the components' .wasm files (validate the manifest only).")
    boolean skipSources;

    @Option(names = "--component", paramLabel = "ID", description = "Component whose allowed_outbound_hosts to check (with --address).")
    String component;

    @Option(names = "--address", paramLabel = "URL", description = "Address to check, e.g. redis://cache:6379/0 (with --component).")
    String address;

    @Option(names = "--runtime-config-file", paramLabel = "FILE", description = "Check against these host settings "
            + "(Spin's runtime-config.toml format), as run would use them.")
    Path runtimeConfigFile;

    @Mixin
    VariableOptions variables;

    @Override
    public Integer call() {
        manifest = source.resolve(spec.commandLine().getErr());
        if ((component == null) != (address == null)) {
            throw new UsageException("--component and --address go together: give both, e.g. --component ID --address redis://host:port");
        }
        AppManifest app = ManifestLoader.load(manifest);
        VariableResolver resolver = VariableResolver.create(app, System.getenv(), variables.values());
        // Resolved entries, addresses and errors may hold secret values: every line out is redacted.
        Redactor redactor = resolver.redactor();
        PrintWriter out = new RedactingWriter(spec.commandLine().getOut(), redactor);
        PrintWriter err = new RedactingWriter(spec.commandLine().getErr(), redactor);
        try {
            return check(app, resolver, out, err);
        } catch (RuntimeException e) {
            throw redactor.redact(e);
        }
    }

    private int check(AppManifest app, VariableResolver resolver, PrintWriter out, PrintWriter err) {
        if (address != null) {
            return checkAddress(app, resolver, out);
        }
        List<String> warnings = new ArrayList<>();
        List<String> plan = new ArrayList<>();
        for (ComponentConfig c : app.components().values()) {
            validateHosts(c, resolver, warnings);
        }
        if (!skipSources) {
            SpindleOptions.Builder builder = SpindleOptions.builder().variables(variables.values()).interpreter(true);
            if (runtimeConfigFile != null) {
                builder.runtimeConfigFile(runtimeConfigFile);
            }
            SpindleOptions options = builder.build();
            try (SpindleApp loaded = Spindle.load(manifest, options)) {
                // Loading reads, validates and links every component; then the checks run does
                // before serving (trigger types, routes, Redis addresses, cron commands), nothing started.
                plan.addAll(triggerPlan(loaded, resolver, warnings));
                // What run will not do: interfaces Spindle only stubs, capabilities it does not provide.
                warnings.addAll(loaded.compatibilityWarnings());
            }
        }
        for (VariableDecl v : resolver.missingRequired()) {
            warnings.add(v.location() + ": variable \"" + v.name() + "\" is required and has no value yet (set "
                    + VariableResolver.envName(v.name()) + " or --variable " + v.name() + "=... before running)");
        }
        warnings.forEach(w -> err.println("warning: " + w));
        out.println("valid: " + manifest + " (" + count(app.components().size(), "component") + ", " + count(app.triggers().size(), "trigger")
                + (skipSources ? ", sources not checked" : "") + ")");
        plan.forEach(line -> out.println("  " + line));
        return 0;
    }

    /**
     * A bad entry is an error for a full check (as for run). With --skip-sources the check is
     * the manifest's schema only, as Spin's loader does it: entries are validated by the
     * runtime when it starts, and Spin's own test manifests carry harness placeholders such as
     * {@code %{port=6379}} there, so problems are reported as warnings. Entries that need a
     * required variable with no value yet can't be judged, and are warnings too.
     */
    private void validateHosts(ComponentConfig c, VariableResolver resolver, List<String> warnings) {
        List<String> unset = resolver.missingRequired().stream().map(VariableDecl::name).toList();
        boolean needsUnset = c.allowedOutboundHosts().stream().flatMap(t -> t.variableNames().stream()).anyMatch(unset::contains);
        try {
            Spindle.allowedHosts(c, resolver);
        } catch (ManifestException e) {
            if (!skipSources && !needsUnset) {
                throw e;
            }
            warnings.add(e.getMessage());
        }
    }

    /**
     * The triggers as {@code spindle run} validates them, and what run will call for each. While a required variable has no value
     * yet a trigger using it cannot be judged, so a problem is then a warning, as for hosts.
     */
    private static List<String> triggerPlan(SpindleApp app, VariableResolver resolver, List<String> warnings) {
        try {
            return app.triggerPlan();
        } catch (ManifestException e) {
            if (resolver.missingRequired().isEmpty()) {
                throw e;
            }
            warnings.add(e.getMessage());
            return List.of();
        }
    }

    private int checkAddress(AppManifest app, VariableResolver resolver, PrintWriter out) {
        ComponentConfig c = app.component(component).orElseThrow(() -> new ManifestException(
                "no component \"" + component + "\" in " + manifest + " (components: " + String.join(", ", app.components().keySet()) + ")"));
        AllowedHosts hosts = Spindle.allowedHosts(c, resolver);
        OutboundUrl url;
        OptionalInt dialedPort;
        try {
            // A Redis address goes through the very parse `open` uses, so check refuses what open refuses.
            url = OutboundUrl.parse(address);
            dialedPort = url.scheme().equals("redis") || url.scheme().equals("rediss")
                    ? OptionalInt.of(RedisUrl.of(url).port()) : url.port().isPresent() ? url.port() : AllowedHosts.defaultPort(url.scheme());
        } catch (InvalidOutboundUrlException e) {
            out.println("denied: " + e.getMessage());
            return EXIT_DENIED;
        }
        Optional<AllowedHost> match = hosts.match(url);
        if (match.isPresent()) {
            out.println("allowed: " + url.redacted() + " for component \"" + component + "\" by allowed_outbound_hosts entry \"" + match.get() + "\"");
            out.println("  connects to: " + describe(url, dialedPort));
            return 0;
        }
        out.println("denied: " + url.redacted() + " for component \"" + component + "\"");
        out.println("  would connect to: " + describe(url, dialedPort));
        if (hosts.entries().isEmpty()) {
            out.println("  checked against: (none: the component has no allowed_outbound_hosts, so it may reach nothing)");
        } else {
            out.println("  checked against: " + hosts.entries().stream().map(e -> "\"" + e + "\"").collect(Collectors.joining(", ")));
        }
        List<String> wanted = new ArrayList<>();
        c.allowedOutboundHosts().forEach(t -> wanted.add(t.raw()));
        wanted.add(AllowedHosts.suggestedEntry(url));
        out.println("  to allow it, write in [component." + component + "] of " + manifest + ":");
        out.println("    allowed_outbound_hosts = [" + wanted.stream().map(e -> "\"" + e + "\"").collect(Collectors.joining(", ")) + "]");
        return EXIT_DENIED;
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** What the runtime would actually dial, spelled out: the one parse both check and connect use. */
    private static String describe(OutboundUrl url, OptionalInt dialedPort) {
        String port = url.port().isPresent() ? String.valueOf(url.port().getAsInt())
                : dialedPort.isPresent() ? dialedPort.getAsInt() + " (default)" : "none";
        return "scheme " + url.scheme() + ", host " + url.host() + ", port " + port;
    }

    /** Output that hides the app's secret values, line by line (check prints whole lines only). */
    private static final class RedactingWriter extends PrintWriter {
        private final Redactor redactor;

        RedactingWriter(PrintWriter target, Redactor redactor) {
            super(target, true);
            this.redactor = redactor;
        }

        @Override
        public void println(String line) {
            super.println(redactor.redact(line));
        }
    }
}
