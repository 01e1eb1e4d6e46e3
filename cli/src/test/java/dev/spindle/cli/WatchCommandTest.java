package dev.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spindle watch} (issue 15 item 7) in a real process: a source change runs the manifest's
 * build command and restarts the app, saying so; a failed build keeps the previous app serving.
 * The "build" copies one of two committed guests into place, chosen by a source file, so the test
 * needs no toolchain.
 */
class WatchCommandTest {
    @TempDir
    Path dir;

    static String wasm(String guest) {
        return Guests.path(guest + ".wasm").toString().replace("\\", "/");
    }

    Path project() throws IOException {
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("src/which"), wasm("wagi-hello"));
        return Files.writeString(dir.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "watched"
                [[trigger.http]]
                route = "/..."
                component = "web"
                executor = { type = "wagi" }
                [component.web]
                source = "app.wasm"
                [component.web.build]
                command = "cp \\"$(cat src/which)\\" app.wasm"
                watch = ["src/**/*"]
                """);
    }

    static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aSourceChangeRebuildsAndRestartsAndABrokenBuildKeepsThePreviousOneServing() throws Exception {
        project();
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        try (CliProcess p = CliProcess.start(dir, Map.of(), "watch", "--listen", "127.0.0.1:" + port, "--no-cache")) {
            p.awaitOutput("Serving " + base, Duration.ofSeconds(90));
            assertTrue(p.output().contains("Building component web with `cp \"$(cat src/which)\" app.wasm`"), p.output());
            assertEquals("hello from wagi, path=/x\n", get(base + "/x"));

            Files.writeString(dir.resolve("src/which"), wasm("wagi-args"));
            p.awaitOutput("spindle watch: src/which changed; rebuilding and restarting (reload 1)", Duration.ofSeconds(30));
            p.awaitOutput("spindle watch: reloaded (reload 1)", Duration.ofSeconds(90));
            assertEquals(2, CliProcess.count(p.output(), "Building component web"), p.output());
            assertTrue(get(base + "/x").startsWith("/x"), "wagi-args answers with its argv, the path first");

            Files.writeString(dir.resolve("src/which"), dir.resolve("no-such.wasm").toString());
            p.awaitOutput("spindle watch: the build failed; still serving the previous build; waiting for changes", Duration.ofSeconds(30));
            assertTrue(p.output().contains("error: component \"web\": build command `cp \"$(cat src/which)\" app.wasm` exited with code 1"),
                    p.output());
            assertTrue(get(base + "/x").startsWith("/x"), "the previous build still serves");
        }
    }

    @Test
    void anArtifactChangeRestartsWithoutABuild() throws Exception {
        project();
        Files.copy(Guests.path("wagi-hello.wasm"), dir.resolve("app.wasm"));
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        try (CliProcess p = CliProcess.start(dir, Map.of(), "watch", "--skip-build", "--listen", "127.0.0.1:" + port, "--no-cache",
                "-f", dir.toString())) {
            p.awaitOutput("Serving " + base, Duration.ofSeconds(90));
            assertEquals("hello from wagi, path=/y\n", get(base + "/y"));
            Files.copy(Guests.path("wagi-args.wasm"), dir.resolve("app.wasm"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            p.awaitOutput("spindle watch: app.wasm changed; restarting (reload 1)", Duration.ofSeconds(30));
            p.awaitOutput("spindle watch: reloaded (reload 1)", Duration.ofSeconds(90));
            assertTrue(get(base + "/y").startsWith("/y"));
            assertEquals(0, CliProcess.count(p.output(), "Building component"), p.output());
        }
    }

    @Test
    void runBuildRunsTheBuildCommandsFirstAndStopsOnAFailure() throws IOException {
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("src/which"), wasm("hello-command"));
        Path manifest = Files.writeString(dir.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "built"
                [[trigger.command]]
                component = "cmd"
                [component.cmd]
                source = "app.wasm"
                [component.cmd.build]
                command = ["cp \\"$(cat src/which)\\" app.wasm", "test -f app.wasm"]
                """);
        CliHabitsTest.Result r = CliHabitsTest.spindle("run", "--build", "-f", manifest.toString());
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.out().contains("Building component cmd with `cp \"$(cat src/which)\" app.wasm`\n"
                + "Building component cmd with `test -f app.wasm`\nFinished building all Spin components\n"), r.out());
        Files.writeString(dir.resolve("src/which"), "none.wasm");
        CliHabitsTest.Result failed = CliHabitsTest.spindle(Map.of("SPIN_ALWAYS_BUILD", "true"), "run", "-f", manifest.toString());
        assertEquals(1, failed.exit());
        assertTrue(failed.err().endsWith("error: component \"cmd\": build command `cp \"$(cat src/which)\" app.wasm` exited with code 1\n"),
                failed.err());
    }

    @Test
    void globsMatchAsSpinsDoAndSnapshotsSayWhatChanged() throws IOException {
        Files.createDirectories(dir.resolve("src/deep/er"));
        Files.createDirectories(dir.resolve("target"));
        Files.writeString(dir.resolve("src/lib.rs"), "a");
        Files.writeString(dir.resolve("src/deep/er/x.rs"), "b");
        Files.writeString(dir.resolve("src/notes.txt"), "c");
        Files.writeString(dir.resolve("target/out.rs"), "d");
        Files.writeString(dir.resolve("Cargo.toml"), "e");
        WatchedFiles w = new WatchedFiles().globs(dir, List.of("src/**/*.rs", "Cargo.toml", "**/*.rs"));
        var before = w.snapshot();
        assertEquals(List.of(dir.resolve("Cargo.toml"), dir.resolve("src/deep/er/x.rs"), dir.resolve("src/lib.rs")),
                List.copyOf(before.keySet()), "target/ is never walked; notes.txt matches no glob");
        Files.writeString(dir.resolve("src/notes.txt"), "changed, but not watched");
        assertEquals(java.util.Optional.empty(), WatchedFiles.firstChange(before, w.snapshot()));
        Files.writeString(dir.resolve("src/deep/er/x.rs"), "bigger now");
        assertEquals(java.util.Optional.of(dir.resolve("src/deep/er/x.rs")), WatchedFiles.firstChange(before, w.snapshot()));
        var middle = w.snapshot();
        Files.delete(dir.resolve("src/lib.rs"));
        assertEquals(java.util.Optional.of(dir.resolve("src/lib.rs")), WatchedFiles.firstChange(middle, w.snapshot()), "a deletion");
    }

    @Test
    void aMalformedBuildTableIsAnErrorNamingTheComponent() throws IOException {
        Path manifest = Files.writeString(dir.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "bad"
                [[trigger.command]]
                component = "cmd"
                [component.cmd]
                source = "app.wasm"
                [component.cmd.build]
                command = 42
                """);
        CliHabitsTest.Result r = CliHabitsTest.spindle("run", "--build", "-f", manifest.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: " + manifest + ":6:1: component \"cmd\": build.command must be a string or a list of strings"), r.err());
        StringWriter sink = new StringWriter();
        assertTrue(ComponentBuilds.run(List.of(), new PrintWriter(sink), new PrintWriter(sink)));
    }
}
