package dev.spindle.cli;

import dev.spindle.manifest.AppManifest;
import dev.spindle.manifest.ComponentConfig;
import dev.spindle.manifest.ComponentSource;
import dev.spindle.manifest.ManifestLoader;
import dev.spindle.runtime.Serving;
import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spindle watch}: {@code spindle run} that rebuilds and restarts. Sources — each
 * component's {@code build.watch} globs, and the manifest — changing runs the build commands again
 * and then restarts the app; an artifact (a component's {@code source} .wasm) changing restarts it
 * without a build. Every reload is announced. A failed build or load keeps the previous app
 * serving, if there is one, and waits for the next change. Takes every option of run.
 */
@Command(name = "watch", mixinStandardHelpOptions = true, versionProvider = SpindleCli.Version.class,
        description = "Build and run the application, rebuilding and restarting it when its files change.")
final class WatchCommand extends RunCommand {
    /** How often the files are looked at. */
    static final long POLL_MS = 200;

    @Option(names = "--skip-build", description = "Only run the app, restarting it when its artifacts (component sources) change.")
    boolean skipBuild;

    @Option(names = {"-d", "--debounce"}, paramLabel = "MILLISECONDS", defaultValue = "100", converter = OptionValues.Millis.class,
            description = "Wait this long after a change for more changes before reloading (default: ${DEFAULT-VALUE}).")
    long debounceMs;

    /** What is running now; the shutdown hook stops it. */
    private volatile SpindleApp app;
    private volatile Serving serving;
    /** Traces, when configured: started with the first app that loads, kept across reloads. */
    private Optional<Traces.Settings> traceSettings = Optional.empty();
    private volatile Traces traces;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path manifest = source.resolve(err).toAbsolutePath().normalize();
        // Checked once, up front: a bad option is a usage error, not a reason to wait for changes.
        spindleOptions();
        serveOptions();
        traceSettings = Traces.settings(System.getenv(), otelEndpoint);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop();
            Traces t = traces;
            if (t != null) {
                t.close();
            }
        }, "spindle-watch-shutdown"));
        boolean build = !skipBuild;
        int reloads = 0;
        while (true) {
            Optional<AppManifest> parsed = parse(manifest, err);
            WatchedFiles sources = new WatchedFiles().file(manifest);
            WatchedFiles artifacts = new WatchedFiles().file(manifest);
            if (parsed.isPresent()) {
                List<ComponentBuilds.Build> builds = builds(parsed.get(), err);
                for (ComponentBuilds.Build b : builds) {
                    sources.globs(b.workdir(), b.watch());
                }
                for (ComponentConfig c : parsed.get().components().values()) {
                    if (c.source() instanceof ComponentSource.Local local) {
                        artifacts.file(local.path());
                    }
                }
                if (reloads == 0 && !skipBuild) {
                    warnUnwatched(parsed.get(), builds, out);
                }
                boolean built = !build || ComponentBuilds.run(builds, out, err);
                if (built) {
                    start(manifest, out, err, reloads);
                } else {
                    out.println("spindle watch: the build failed; " + (serving != null ? "still serving the previous build; " : "")
                            + "waiting for changes");
                }
            }
            out.flush();
            // The snapshots are taken after the build, so what the build wrote does not count as a change.
            Map<Path, WatchedFiles.State> sourcesBefore = sources.snapshot();
            Map<Path, WatchedFiles.State> artifactsBefore = artifacts.snapshot();
            while (true) {
                Thread.sleep(POLL_MS);
                Optional<Path> changedSource = WatchedFiles.firstChange(sourcesBefore, sources.snapshot());
                Optional<Path> changedArtifact = WatchedFiles.firstChange(artifactsBefore, artifacts.snapshot());
                if (changedSource.isEmpty() && changedArtifact.isEmpty()) {
                    continue;
                }
                settle(sources, artifacts);
                reloads++;
                build = changedSource.isPresent() && !skipBuild;
                Path changed = changedSource.orElseGet(changedArtifact::get);
                out.println("spindle watch: " + shown(manifest, changed) + " changed; " + (build ? "rebuilding and restarting" : "restarting")
                        + " (reload " + reloads + ")");
                out.flush();
                break;
            }
        }
    }

    /** Waits until nothing has changed for the debounce interval (an editor's save, a build's many writes). */
    private void settle(WatchedFiles sources, WatchedFiles artifacts) throws InterruptedException {
        Map<Path, WatchedFiles.State> s = sources.snapshot();
        Map<Path, WatchedFiles.State> a = artifacts.snapshot();
        while (true) {
            Thread.sleep(Math.max(debounceMs, 1));
            Map<Path, WatchedFiles.State> s2 = sources.snapshot();
            Map<Path, WatchedFiles.State> a2 = artifacts.snapshot();
            if (s2.equals(s) && a2.equals(a)) {
                return;
            }
            s = s2;
            a = a2;
        }
    }

    private Optional<AppManifest> parse(Path manifest, PrintWriter err) {
        try {
            return Optional.of(ManifestLoader.load(manifest));
        } catch (RuntimeException e) {
            err.println("error: " + SpindleCli.describe(e));
            err.println("spindle watch: waiting for " + manifest.getFileName() + " to change");
            return Optional.empty();
        }
    }

    private List<ComponentBuilds.Build> builds(AppManifest manifest, PrintWriter err) {
        try {
            return ComponentBuilds.of(manifest, componentIds);
        } catch (RuntimeException e) {
            err.println("error: " + SpindleCli.describe(e));
            return List.of();
        }
    }

    /** Spin says when a component with a build has nothing to watch: its edits would go unnoticed. */
    private static void warnUnwatched(AppManifest manifest, List<ComponentBuilds.Build> builds, PrintWriter out) {
        List<String> unwatched = builds.stream().filter(b -> b.watch().isEmpty()).map(ComponentBuilds.Build::componentId).toList();
        if (!unwatched.isEmpty()) {
            out.println("spindle watch: no watch globs for component(s) " + String.join(", ", unwatched) + ": their sources are not watched"
                    + " (add e.g. watch = [\"src/**/*.rs\"] to [component.<id>.build] in " + manifest.file().getFileName() + ")");
        }
    }

    /** Loads the new app first (the old one keeps serving if that fails), then swaps it in. */
    private void start(Path manifest, PrintWriter out, PrintWriter err, int reloads) {
        SpindleApp next;
        try {
            next = Spindle.load(manifest, spindleOptions());
        } catch (RuntimeException e) {
            err.println("error: " + SpindleCli.describe(e));
            out.println("spindle watch: " + (serving != null ? "still serving the previous version; " : "") + "waiting for changes");
            return;
        }
        stop();
        if (traces == null && traceSettings.isPresent()) {
            traces = startTraces(traceSettings, next);
        }
        try {
            checkScriptComponents(next, manifest);
            Serving started = next.serve(serveOptions());
            app = next;
            serving = started;
            if (started.keepsRunning()) {
                out.print(started.banner());
            } else {
                out.println("spindle watch: the commands exited with code " + started.exitCode() + "; waiting for changes");
            }
            if (reloads > 0) {
                out.println("spindle watch: reloaded (reload " + reloads + ")");
            }
        } catch (RuntimeException e) {
            next.close();
            err.println("error: " + SpindleCli.describe(e));
            out.println("spindle watch: waiting for changes");
        }
    }

    /** Stops what is running (before a restart, and at exit). */
    private synchronized void stop() {
        Serving s = serving;
        SpindleApp a = app;
        serving = null;
        app = null;
        if (s != null) {
            s.close();
        }
        if (a != null) {
            a.close();
        }
    }

    private static String shown(Path manifest, Path changed) {
        Path dir = manifest.getParent();
        return dir != null && changed.startsWith(dir) ? dir.relativize(changed).toString() : changed.toString();
    }
}
