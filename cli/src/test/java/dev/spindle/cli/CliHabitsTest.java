package dev.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Spin's command-line conventions (issue 15 item 4), as a user meets them: exit codes and exact lines. */
class CliHabitsTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    static Result spindle(Map<String, String> env, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream guestOut = new ByteArrayOutputStream();
        ByteArrayOutputStream guestErr = new ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(guestOut, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(guestErr, true, StandardCharsets.UTF_8));
            int exit = SpindleCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), env);
            return new Result(exit, guestOut.toString(StandardCharsets.UTF_8) + out, guestErr.toString(StandardCharsets.UTF_8) + err);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static Result spindle(String... args) {
        return spindle(Map.of(), args);
    }

    static String wasm(String guest) {
        return Guests.path(guest + ".wasm").toString().replace("\\", "/");
    }

    /** Two command components: hello-command (prints, exits 3) and wagi-hello (prints PATH_INFO from its environment). */
    Path twoCommands(Path where) throws IOException {
        Files.createDirectories(where);
        return Files.writeString(where.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "habits"
                [variables]
                greeting = { default = "unset" }
                [[trigger.command]]
                component = "hello"
                [[trigger.command]]
                component = "env"
                [component.hello]
                source = "%s"
                [component.env]
                source = "%s"
                environment = { PATH_INFO = "/from-manifest" }
                """.formatted(wasm("hello-command"), wasm("wagi-hello")));
    }

    // ---- -f/--from, and spin.toml searched upward ------------------------------------------------

    @Test
    void fromTakesAFileOrADirectory() throws IOException {
        Path manifest = twoCommands(dir.resolve("app"));
        Result file = spindle("check", "--skip-sources", "-f", manifest.toString());
        assertEquals(0, file.exit(), file.err());
        assertEquals("valid: " + manifest + " (2 components, 2 triggers, sources not checked)\n", file.out());
        Result directory = spindle("check", "--skip-sources", "--from", dir.resolve("app").toString());
        assertEquals("valid: " + manifest + " (2 components, 2 triggers, sources not checked)\n", directory.out());
    }

    @Test
    void aDirectoryWithoutSpinTomlAndTwoManifestsAreUsageErrors() throws IOException {
        Files.createDirectories(dir.resolve("empty"));
        Result r = spindle("check", "-f", dir.resolve("empty").toString());
        assertEquals(2, r.exit());
        assertEquals("error: directory " + dir.resolve("empty") + " has no spin.toml; pass -f with the manifest file"
                + " (see 'spindle check --help')\n", r.err());
        Result both = spindle("run", "-f", "a.toml", "b.toml");
        assertEquals(2, both.exit());
        assertEquals("error: give the manifest once: -f a.toml or b.toml, not both (see 'spindle run --help')\n", both.err());
    }

    @Test
    void withoutAManifestSpinTomlIsSearchedUpwardAndTheChoiceIsSaid() throws IOException {
        Path manifest = twoCommands(dir.resolve("app"));
        Path deep = Files.createDirectories(dir.resolve("app/src/lib"));
        StringWriter notice = new StringWriter();
        Path found = new AppSource().resolve(deep, new PrintWriter(notice, true));
        assertEquals(manifest, found);
        assertEquals("No spin.toml in the current directory; using " + manifest + " from the grandparent directory\n", notice.toString());

        StringWriter quiet = new StringWriter();
        assertEquals(Path.of("spin.toml"), new AppSource().resolve(dir.resolve("app"), new PrintWriter(quiet, true)));
        assertEquals("", quiet.toString(), "found here: nothing to say");
    }

    @Test
    void theUpwardSearchStopsAtAGitRoot() throws IOException {
        twoCommands(dir);
        Path repo = Files.createDirectories(dir.resolve("repo/.git")).getParent();
        Path sub = Files.createDirectories(repo.resolve("sub"));
        UsageException e = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> new AppSource().resolve(sub, new PrintWriter(new StringWriter())));
        assertEquals("no spin.toml in " + sub + " or its parent directories; pass -f FILE|DIR", e.getMessage());
        assertEquals("great-great-grandparent", AppSource.relation(4));
    }

    // ---- -e/--env, -c/--component-id, --variable @file ---------------------------------------------

    @Test
    void envReachesEveryComponentOverTheManifestsEnvironment() throws IOException {
        Path manifest = twoCommands(dir);
        Result plain = spindle("run", "-f", manifest.toString(), "-c", "env");
        assertEquals(0, plain.exit(), plain.err());
        assertTrue(plain.out().endsWith("path=/from-manifest\n"), plain.out());
        Result overridden = spindle("run", "-f", manifest.toString(), "-c", "env", "-e", "PATH_INFO=/from-cli");
        assertTrue(overridden.out().endsWith("path=/from-cli\n"), overridden.out());
        Result bad = spindle("run", "-f", manifest.toString(), "--env", "PATH_INFO");
        assertEquals(2, bad.exit());
        assertEquals("error: --env PATH_INFO: expected NAME=VALUE (see 'spindle run --help')\n", bad.err());
    }

    @Test
    void componentIdRunsOnlyThoseComponentsAndTheirTriggers() throws IOException {
        Path manifest = twoCommands(dir);
        Result both = spindle("run", "-f", manifest.toString());
        assertEquals(3, both.exit(), "hello-command's exit code");
        assertTrue(both.out().contains("hello from guest") && both.out().contains("path=/from-manifest"), both.out());
        Result one = spindle("run", "-f", manifest.toString(), "--component-id", "env");
        assertEquals(0, one.exit(), one.err());
        assertFalse(one.out().contains("hello from guest"), one.out());
        Result unknown = spindle("run", "-f", manifest.toString(), "-c", "helo");
        assertEquals(2, unknown.exit());
        assertEquals("error: no component \"helo\" in " + manifest + " (components: hello, env)\n", unknown.err());
    }

    private Path permissionManifest() throws IOException {
        return Files.writeString(dir.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "perms"
                [variables]
                cache_host = { default = "cache.internal" }
                cache_port = { default = "6379" }
                [[trigger.command]]
                component = "web"
                [component.web]
                source = "web.wasm"
                allowed_outbound_hosts = ["redis://{{ cache_host }}:{{ cache_port }}"]
                """);
    }

    private Result ask(String... variableArgs) throws IOException {
        Path m = permissionManifest();
        String[] args = new String[variableArgs.length + 6];
        args[0] = "check";
        args[1] = m.toString();
        System.arraycopy(variableArgs, 0, args, 2, variableArgs.length);
        System.arraycopy(new String[] {"--component", "web", "--address", "redis://other:7000"}, 0, args, 2 + variableArgs.length, 4);
        return spindle(args);
    }

    @Test
    void variableReadsSpinsFileForms() throws IOException {
        assertEquals(1, ask().exit(), "denied with the defaults");
        Files.writeString(dir.resolve("host.txt"), "other");
        Files.writeString(dir.resolve("vars.json"), "{\"cache_host\": \"other\", \"cache_port\": \"7000\"}");
        Files.writeString(dir.resolve("vars.toml"), "cache_host = \"other\"\ncache_port = \"7000\"\n");
        assertEquals(0, ask("--variable", "@" + dir.resolve("vars.json")).exit());
        assertEquals(0, ask("--variable", "@" + dir.resolve("vars.toml")).exit());
        assertEquals(0, ask("--variable", "cache_host=@" + dir.resolve("host.txt"), "--variable", "cache_port=7000").exit());
        // Later wins, as in Spin.
        assertEquals(1, ask("--variable", "@" + dir.resolve("vars.toml"), "--variable", "cache_port=1").exit());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "vars.yaml | | a variable file must end in .json or .toml",
        "vars.json | {\"cache_port\": 7000} | vars.json: \"cache_port\" must be a string, as every variable value is",
        "vars.json | [1] | vars.json must hold one JSON object of names to string values",
        "vars.json | {\"a\": | vars.json is not valid JSON",
        "vars.toml | cache_port = 7000 | vars.toml:1:1: \"cache_port\" must be a string, as every variable value is",
        "vars.toml | cache_port = | vars.toml:1:",
        "none.toml | | no such file",
    })
    void aBadVariableFileIsOneUsageLine(String file, String content, String expected) throws IOException {
        if (!file.startsWith("none")) {
            Files.writeString(dir.resolve(file), content == null ? "" : content);
        }
        Result r = ask("--variable", "@" + dir.resolve(file));
        assertEquals(2, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: --variable @" + dir.resolve(file) + ": "), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertTrue(r.err().endsWith("(see 'spindle check --help')\n"), r.err());
    }

    // ---- Spin's environment defaults ---------------------------------------------------------------

    /** Parses {@code spindle run} with an environment and returns the run command's option values. */
    static RunCommand parseRun(Map<String, String> env, String... args) {
        CommandLine cli = new CommandLine(new SpindleCli());
        cli.setDefaultValueProvider(new SpinEnvironment(env));
        String[] all = new String[args.length + 1];
        all[0] = "run";
        System.arraycopy(args, 0, all, 1, args.length);
        return (RunCommand) cli.parseArgs(all).subcommand().commandSpec().userObject();
    }

    @Test
    void spinsEnvironmentVariablesAreDefaultsAndTheCommandLineWins() {
        Map<String, String> env = Map.of(
                "SPIN_HTTP_LISTEN_ADDR", "0.0.0.0:8080",
                "SPIN_TLS_CERT", "cert.pem",
                "SPIN_TLS_KEY", "key.pem",
                "RUNTIME_CONFIG_FILE", "rc.toml",
                "SPIN_MAX_INSTANCE_MEMORY", "1048576",
                "DISABLE_WASMTIME_CACHE", "1");
        RunCommand fromEnv = parseRun(env);
        assertEquals("0.0.0.0:8080", fromEnv.listen);
        assertEquals(Path.of("cert.pem"), fromEnv.tlsCert);
        assertEquals(Path.of("key.pem"), fromEnv.tlsKey);
        assertEquals(Path.of("rc.toml"), fromEnv.runtimeConfigFile);
        assertEquals(1048576L, fromEnv.maxInstanceMemoryBytes);
        assertTrue(fromEnv.noCache);
        RunCommand explicit = parseRun(env, "--tls-cert", "mine.pem", "--listen", "127.0.0.1:9", "--runtime-config-file", "other.toml");
        assertEquals("127.0.0.1:9", explicit.listen);
        assertEquals(Path.of("other.toml"), explicit.runtimeConfigFile);
        assertEquals(Path.of("mine.pem"), explicit.tlsCert);
        RunCommand none = parseRun(Map.of());
        assertEquals("127.0.0.1:3000", none.listen);
        assertFalse(none.noCache);
        assertEquals(null, none.runtimeConfigFile);
    }

    @Test
    void theEnvironmentsValuesAreCheckedLikeTheOptions() throws IOException {
        Path manifest = twoCommands(dir);
        Result memory = spindle(Map.of("SPIN_MAX_INSTANCE_MEMORY", "1000"), "run", "-f", manifest.toString());
        assertEquals(2, memory.exit());
        assertEquals("error: --max-instance-memory: 1000 bytes is out of range (65536 to 4294967296 bytes: one 64 KiB page to a"
                + " 32-bit guest's 4096 MiB) (see 'spindle run --help')\n", memory.err());
        Result cache = spindle(Map.of("DISABLE_WASMTIME_CACHE", "maybe"), "run", "-f", manifest.toString());
        assertEquals(2, cache.exit());
        assertTrue(cache.err().startsWith("error: environment variable DISABLE_WASMTIME_CACHE=maybe is not a switch value"), cache.err());
        Files.writeString(dir.resolve("rc.toml"), "[sqlite_database.default]\ntype = \"spin\"\n");
        Result rc = spindle(Map.of("RUNTIME_CONFIG_FILE", dir.resolve("rc.toml").toString()), "run", "-f", manifest.toString());
        assertEquals(2, rc.exit(), rc.err());
        assertTrue(rc.err().contains("rc.toml:1:1: unknown table `sqlite_database` in the runtime config"), rc.err());
    }

    // ---- --version, usage errors, option values ----------------------------------------------------

    @Test
    void everySubcommandShowsTheBuildsVersion() {
        String expected = "spindle " + SpindleCli.Version.version() + " (Chicory ";
        assertFalse(SpindleCli.Version.version().contains("$") || SpindleCli.Version.version().equals("unknown"),
                "filtered by Maven: " + SpindleCli.Version.version());
        assertTrue(SpindleCli.Version.version().matches("[0-9]+\\.[0-9]+\\.[0-9]+.*"), SpindleCli.Version.version());
        for (String[] args : new String[][] {{"--version"}, {"run", "--version"}, {"check", "--version"}, {"-V"}}) {
            Result r = spindle(args);
            assertEquals(0, r.exit(), String.join(" ", args));
            assertTrue(r.out().startsWith(expected), String.join(" ", args) + ": " + r.out());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "run --frobnicate | error: Unknown option: '--frobnicate' (see 'spindle run --help')",
        "frobnicate | error: Unmatched argument at index 0: 'frobnicate' (see 'spindle --help')",
        "run --timeout | error: Missing required parameter for option '--timeout' (SECONDS) (see 'spindle run --help')",
        "run --timeout abc | error: Invalid value for option '--timeout': 'abc' is not a number of seconds (see 'spindle run --help')",
        "run --timeout 0 | error: Invalid value for option '--timeout': 0 seconds is out of range (more than 0, at most 1000000000 seconds) (see 'spindle run --help')",
        "run --timeout 1e9 | error: Invalid value for option '--timeout': '1e9' is not a number of seconds (see 'spindle run --help')",
        "run --memory-limit 99999999999999 | error: Invalid value for option '--memory-limit': 99999999999999 MiB is out of range (1 to 4096 MiB (a 32-bit guest can address 4096 MiB at most)) (see 'spindle run --help')",
        "run --memory-limit 0.5 | error: Invalid value for option '--memory-limit': 0.5 MiB is not a whole number MiB (see 'spindle run --help')",
        "run --host-memory-total 9223372036854775807 | error: Invalid value for option '--host-memory-total': 9223372036854775807 MiB is out of range (1 to 1048576 MiB) (see 'spindle run --help')",
        "run --http-workers 0 | error: Invalid value for option '--http-workers': 0 is out of range (1 to 1000000) (see 'spindle run --help')",
        "run --max-body-size -1 | error: Invalid value for option '--max-body-size': -1 bytes is out of range (0 to 9223372036854775807 bytes) (see 'spindle run --help')",
        "run --listen nowhere | error: --listen wants host:port, got \"nowhere\" (see 'spindle run --help')",
        "run --listen 127.0.0.1:99999 | error: --listen 127.0.0.1:99999: port must be 0..65535, got 99999 (see 'spindle run --help')",
        "run --tls-cert c.pem | error: --tls-cert and --tls-key go together: give both or neither (see 'spindle run --help')",
        "run --memory-limit 64 --max-instance-memory 65536 | error: --memory-limit and --max-instance-memory (SPIN_MAX_INSTANCE_MEMORY) set the same limit: give one (see 'spindle run --help')",
        "check --address redis://x | error: --component and --address go together: give both, e.g. --component ID --address redis://host:port (see 'spindle check --help')",
    })
    void aUsageErrorIsOneLineThatNamesTheOptionThenSeeHelpAndExit2(String args, String expected) throws IOException {
        Path manifest = twoCommands(dir);
        String[] argv = args.split(" ");
        String[] withManifest = argv;
        if (argv.length > 1 && !args.contains("frobnicate") && !args.equals("run --timeout")) {
            withManifest = java.util.stream.Stream.concat(java.util.Arrays.stream(argv), java.util.stream.Stream.of("-f", manifest.toString()))
                    .toArray(String[]::new);
        }
        Result r = spindle(withManifest);
        assertEquals(2, r.exit(), r.err());
        assertEquals(expected + "\n", r.err());
        assertEquals("", r.out(), "no usage text dumped");
    }

    @Test
    void theMemoryLimitIsAppliedInMebibytesWithoutOverflow() {
        assertEquals(4096L << 20, parseRun(Map.of(), "--memory-limit", "4096").memoryLimitBytes);
        assertEquals(1L << 20, parseRun(Map.of(), "--memory-limit", "1").memoryLimitBytes);
        assertEquals(Duration.ofMillis(1500), parseRun(Map.of(), "--timeout", "1.5").timeout);
        assertEquals(Duration.ofMillis(1), parseRun(Map.of(), "--timeout", "0.0001").timeout, "rounded up, never to zero");
    }

    // ---- SPIN_HTTP_LISTEN_ADDR in a real process ---------------------------------------------------

    @Test
    void spinHttpListenAddrIsWhereARealProcessServes() throws Exception {
        Path manifest = Files.writeString(dir.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "listen"
                [[trigger.http]]
                route = "/..."
                component = "web"
                executor = { type = "wagi" }
                [component.web]
                source = "%s"
                """.formatted(wasm("wagi-hello")));
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (CliProcess p = CliProcess.start(dir, Map.of("SPIN_HTTP_LISTEN_ADDR", "127.0.0.1:" + port), "run", "-f", manifest.toString(), "--no-cache")) {
            p.awaitOutput("Serving http://127.0.0.1:" + port, Duration.ofSeconds(60));
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hi")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, response.statusCode());
            assertEquals("hello from wagi, path=/hi\n", response.body());
        }
    }
}
