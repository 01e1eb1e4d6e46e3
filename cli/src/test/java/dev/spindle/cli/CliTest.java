package dev.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import dev.spindle.testing.TestManifests;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CLI as a user meets it: exit codes and the exact lines printed. */
@ExtendWith(RedisServerExtension.class)
class CliTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    static Result spindle(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = SpindleCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(exit, out.toString(), err.toString());
    }

    /** `run` passes guest output through the process's stdout/stderr; capture those too. */
    static Result spindleRun(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            Result r = spindle(args);
            return new Result(r.exit(), out.toString(StandardCharsets.UTF_8) + r.out(), err.toString(StandardCharsets.UTF_8) + r.err());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static Path corpus(String folder) {
        return Guests.repoRoot().resolve("../shared/corpus/spin-manifests").resolve(folder).normalize();
    }

    static List<Path> tomls(String folder) throws IOException {
        try (Stream<Path> s = Files.list(corpus(folder))) {
            return s.filter(p -> p.toString().endsWith(".toml")).sorted().toList();
        }
    }

    @Test
    void everyRealSpinManifestPassesCheckSkipSources() throws IOException {
        List<Path> v2 = tomls("v2");
        List<Path> v1 = tomls("v1");
        assertEquals(54, v2.size(), "v2 corpus size");
        assertEquals(36, v1.size(), "v1 corpus size");
        for (Path manifest : Stream.concat(v2.stream(), v1.stream()).toList()) {
            Result r = spindle("check", "--skip-sources", manifest.toString());
            assertEquals(0, r.exit(), manifest + ": " + r.err());
            assertTrue(r.out().startsWith("valid: "), r.out());
        }
    }

    @Test
    void everyInvalidManifestExits2WithOneLineNamingTheFile() throws IOException {
        List<Path> invalid = tomls("invalid");
        assertFalse(invalid.isEmpty());
        for (Path manifest : invalid) {
            Result r = spindle("check", "--skip-sources", manifest.toString());
            assertEquals(2, r.exit(), manifest.toString());
            String err = r.err().strip();
            assertEquals(1, err.lines().count(), "one line: " + err);
            assertTrue(err.startsWith("error: ") && err.contains(manifest.getFileName().toString()), err);
            assertFalse(err.contains("Exception") || err.contains("\tat "), err);
        }
    }

    private Path permissionManifest() throws IOException {
        Path m = dir.resolve("spin.toml");
        Files.writeString(m, """
                spin_manifest_version = 2
                [application]
                name = "perms"
                [variables]
                cache_host = { default = "cache.internal" }
                [[trigger.command]]
                component = "web"
                [component.web]
                source = "web.wasm"
                allowed_outbound_hosts = ["redis://{{ cache_host }}", "rediss://*.example.com:6380", "redis://10.0.0.0/24:7000..7003", "redis://[::1]:6379"]
                [component.none]
                source = "none.wasm"
                """);
        return m;
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "web, redis://cache.internal, 0",
        "web, redis://cache.internal:6379/2, 0",
        "web, redis://user:secret@cache.internal, 0",
        "web, redis://cache.internal:6380, 1",
        "web, rediss://cache.internal:6379, 1",
        "web, rediss://eu.example.com:6380, 0",
        "web, rediss://example.com:6380, 1",
        "web, redis://10.0.0.7:7002, 0",
        "web, redis://10.0.0.7:7003, 1",
        "web, redis://[::1], 0",
        "web, redis://[0:0:0:0:0:0:0:1]:6379, 0",
        "web, cache.internal:6379, 1",
        "web, redis://, 1",
        "none, redis://cache.internal, 1",
        // check once said "allowed" for these, which open refuses: the one Redis address parse now answers both
        "web, redis://cache.internal/-1, 1",
        "web, redis://cache.internal?db=1, 1",
        "web, redis://cache.internal/@host, 1",
        "web, redis://cache.internal/x, 1",
        // Spin's check and Spin's client read these differently (a '?' or '#' before the '@')
        "web, redis://evil?@cache.internal, 1",
        "web, redis://cache.internal#@evil, 1",
    })
    void thePermissionQuestion(String component, String address, int exit) throws IOException {
        Result r = spindle("check", permissionManifest().toString(), "--component", component, "--address", address);
        assertEquals(exit, r.exit(), r.out() + r.err());
        assertTrue(r.out().startsWith(exit == 0 ? "allowed: " : "denied: "), r.out());
        assertFalse(r.out().contains("secret"), "credentials never printed: " + r.out());
    }

    @Test
    void checkAddressRefusesAHundredThousandDigitDatabaseInOneShortLine() throws IOException {
        Result r = spindle("check", permissionManifest().toString(), "--component", "web", "--address",
                "redis://cache.internal/" + "1".repeat(100_000));
        assertEquals(1, r.exit());
        assertEquals(1, r.out().lines().count(), r.out().length() + " characters");
        assertTrue(r.out().startsWith("denied: `redis://cache.internal/1111"), r.out());
        assertTrue(r.out().contains("the path of a redis address must be /N"), r.out());
        assertTrue(r.out().length() < 600, r.out().length() + " characters");
    }

    /** check said "valid" for trigger addresses that run refused: both now read them with RedisTriggers.address. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "redis://127.0.0.1:99999    | out of range (0-65535)",
        "redis://127.0.0.1:6379/x   | the path of a redis address must be /N",
        "redis://127.0.0.1?db=2     | has a query",
        "http://127.0.0.1:6379      | is not a redis:// or rediss:// address",
    })
    void checkAndRunRefuseTheSameTriggerAddresses(String address, String why) throws IOException {
        Path m = dir.resolve("spin.toml");
        Files.writeString(m, """
                spin_manifest_version = 2
                [application]
                name = "bad-trigger"
                [[trigger.redis]]
                component = "worker"
                address = "%s"
                channel = "jobs"
                [component.worker]
                source = "%s"
                """.formatted(address, Guests.path("redis-recorder.wasm").toString().replace("\\", "/")));
        for (String command : List.of("check", "run")) {
            Result r = spindleRun(command, m.toString());
            assertEquals(2, r.exit(), command + ": " + r);
            assertEquals(1, r.err().strip().lines().count(), command + ": " + r.err());
            assertTrue(r.err().startsWith("error: " + m + ":4:1: redis trigger \"worker-redis-trigger\": address: "), command + ": " + r.err());
            assertTrue(r.err().contains(why), command + ": " + r.err());
        }
    }

    /** Issue 9 item 6: each of these printed a secret variable's value verbatim. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // a secret inside an allowed_outbound_hosts entry that fails to parse
        "entry     | allowed_outbound_hosts = [\"redis://cache:{{ secret }}\"] | Sup3rS3cret-x                  | component \"worker\": allowed_outbound_hosts: `redis://cache:***`",
        // a password with an unencoded '/', in the trigger address
        "slash     | allowed_outbound_hosts = []                               | 'redis://:ab/Sup3rS3cret==@cache:6379' | redis trigger \"worker-redis-trigger\": address: `***`",
        // a secret as the whole trigger address
        "address   | allowed_outbound_hosts = []                               | 'redis://10.9.8.7:99999'         | redis trigger \"worker-redis-trigger\": address: `***` has port",
    })
    void secretVariablesNeverReachCheckOrRunOutput(String name, String hosts, String secret, String expected) throws IOException {
        Path m = dir.resolve("spin.toml");
        Files.writeString(m, """
                spin_manifest_version = 2
                [application]
                name = "secrets"
                [variables]
                secret = { secret = true, default = "unused" }
                [[trigger.redis]]
                component = "worker"
                address = "%s"
                channel = "jobs"
                [component.worker]
                source = "%s"
                %s
                """.formatted(name.equals("entry") ? "redis://127.0.0.1:6379" : "{{ secret }}",
                Guests.path("redis-recorder.wasm").toString().replace("\\", "/"), hosts));
        String[] variable = {"--variable", "secret=" + secret};
        for (String[] args : List.of(new String[] {"check", m.toString()}, new String[] {"check", "--skip-sources", m.toString()},
                new String[] {"run", m.toString()}, new String[] {"check", m.toString(), "--component", "worker", "--address", secret})) {
            String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(variable)).toArray(String[]::new);
            Result r = spindleRun(all);
            String printed = r.out() + r.err();
            assertFalse(printed.contains("Sup3rS3cret") || printed.contains(secret), String.join(" ", args) + ": " + printed);
            if (!args[1].equals("--skip-sources") || name.equals("entry")) {
                assertTrue(printed.contains(expected) || args.length > 3, String.join(" ", args) + ": " + printed);
            }
        }
    }

    @Test
    void deniedPrintsTheEntriesCheckedAndTheLineToAdd() throws IOException {
        Result r = spindle("check", permissionManifest().toString(), "--component", "web", "--address", "redis://cache.internal:6380/1");
        assertEquals(1, r.exit());
        assertEquals("""
                denied: redis://cache.internal:6380/1 for component "web"
                  would connect to: scheme redis, host cache.internal, port 6380
                  checked against: "redis://cache.internal", "rediss://*.example.com:6380", "redis://10.0.0.0/24:7000..7003", "redis://[::1]:6379"
                  to allow it, write in [component.web] of %s:
                    allowed_outbound_hosts = ["redis://{{ cache_host }}", "rediss://*.example.com:6380", "redis://10.0.0.0/24:7000..7003", "redis://[::1]:6379", "redis://cache.internal:6380"]
                """.formatted(dir.resolve("spin.toml")), r.out());
    }

    @Test
    void variablesApplyToTheQuestion() throws IOException {
        Path m = permissionManifest();
        assertEquals(1, spindle("check", m.toString(), "--component", "web", "--address", "redis://other:6379").exit());
        assertEquals(0, spindle("check", m.toString(), "--variable", "cache_host=other", "--component", "web", "--address", "redis://other:6379").exit());
    }

    @Test
    void unknownComponentAndHalfAQuestionAreClearErrors() throws IOException {
        Path m = permissionManifest();
        Result unknown = spindle("check", m.toString(), "--component", "nope", "--address", "redis://x");
        assertEquals(2, unknown.exit());
        assertEquals("error: no component \"nope\" in " + m + " (components: web, none)\n", unknown.err());
        Result half = spindle("check", m.toString(), "--address", "redis://x");
        assertEquals(2, half.exit(), "a usage error");
        assertTrue(half.err().startsWith("error: --component and --address go together"), half.err());
    }

    @Test
    void checkWithSourcesRefusesAMissingModule() throws IOException {
        Result r = spindle("check", permissionManifest().toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: component \"web\": source ") && r.err().contains("does not exist"), r.err());
    }

    @Test
    void runPrintsTheCommandsOutputAndExitsWithItsCode(RedisServer redis) {
        Path manifest = TestManifests.commandApp(dir, redis.uri(), List.of("redis://127.0.0.1:" + redis.port()), "hello-command");
        Result r = spindleRun("run", manifest.toString());
        assertEquals(3, r.exit());
        assertEquals("hello from guest\n", r.out());
        assertEquals("oops on stderr\n", r.err());
    }

    @Test
    void runUsesRedisAndReportsDeniedAddresses(RedisServer redis) {
        redis.withJedis(j -> j.del("spindle:command-runs"));
        Path manifest = TestManifests.commandApp(dir, redis.uri(), List.of("redis://127.0.0.1:" + redis.port()), "redis-command");
        Result ok = spindleRun("run", manifest.toString());
        assertEquals(new Result(0, "count=1\n", ""), ok);
        Result denied = spindleRun("run", manifest.toString(), "--variable", "redis_address=redis://127.0.0.1:1");
        assertEquals(1, denied.exit());
        assertTrue(denied.err().contains("add \"redis://127.0.0.1:1\" to allowed_outbound_hosts of component \"redis-command\""), denied.err());
    }

    @Test
    void runRefusesRedisScriptsForAComponentTheManifestDoesNotHave(RedisServer redis) {
        Path manifest = TestManifests.commandApp(dir, redis.uri(), List.of("redis://127.0.0.1:" + redis.port()), "hello-command");
        Result r = spindleRun("run", manifest.toString(), "--redis-allow-scripts", "helo-command");
        assertEquals(2, r.exit(), "a usage error");
        assertEquals("error: --redis-allow-scripts: no component \"helo-command\" in " + manifest + " (components: hello-command)"
                + " (see 'spindle run --help')\n", r.err());
        assertEquals(3, spindleRun("run", manifest.toString(), "--redis-allow-scripts", "hello-command",
                "--redis-allow-command", "JSON.GET").exit());
    }

    @Test
    @dev.spindle.testing.RedisServerOptions(tls = true)
    void runTrustsAPrivateCaForRedissOnlyWithRedisTlsCa(RedisServer redis) {
        Path manifest = TestManifests.commandApp(dir, redis.uri(), List.of("rediss://127.0.0.1:" + redis.port()), "redis-command");
        Path ca = redis.tlsCaCertificate().orElseThrow();
        Result ok = spindleRun("run", manifest.toString(), "--redis-tls-ca", ca.toString());
        assertEquals(new Result(0, "count=1\n", ""), ok);
        Result untrusted = spindleRun("run", manifest.toString());
        assertEquals(1, untrusted.exit(), untrusted.toString());
        assertTrue(untrusted.err().contains("TLS handshake with rediss://127.0.0.1:" + redis.port() + " failed"), untrusted.err());
        Result missingCa = spindleRun("run", manifest.toString(), "--redis-tls-ca", dir.resolve("none.pem").toString());
        assertEquals(1, missingCa.exit());
        assertTrue(missingCa.err().startsWith("error: redis TLS CA file " + dir.resolve("none.pem")), missingCa.err());
    }

    @Test
    void runRefusesAManifestThatDoesNotExistOrParse() throws IOException {
        Result missing = spindleRun("run", dir.resolve("nope.toml").toString());
        assertEquals(2, missing.exit());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        Path bad = dir.resolve("bad.toml");
        Files.writeString(bad, "spin_manifest_version = 2\n[application\n");
        Result broken = spindleRun("run", bad.toString());
        assertEquals(2, broken.exit());
        assertTrue(broken.err().startsWith("error: " + bad + ":2:"), broken.err());
    }

    @Test
    void runRefusesMissingRequiredVariablesNamingThem() throws IOException {
        Path m = dir.resolve("spin.toml");
        Files.writeString(m, """
                spin_manifest_version = 2
                [application]
                name = "needs-secret"
                [variables]
                token = { required = true }
                [[trigger.command]]
                component = "hello"
                [component.hello]
                source = "%s"
                """.formatted(Guests.path("hello-command.wasm").toString().replace("\\", "/")));
        Result r = spindleRun("run", m.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("variable \"token\" is required but has no value; set SPIN_VARIABLE_TOKEN or pass --variable token=..."), r.err());
        assertEquals(3, spindleRun("run", m.toString(), "--variable", "token=x").exit());
    }

    @Test
    void runAndCheckRefuseAnInvalidCronExpressionAtItsLine() throws IOException {
        Path m = dir.resolve("spin.toml");
        String toml = """
                spin_manifest_version = 2
                [application]
                name = "cron-app"
                [[trigger.cron]]
                component = "worker"
                cron_expression = "%s"
                [component.worker]
                source = "%s"
                """;
        String worker = Guests.path("hello-command.wasm").toString().replace("\\", "/");
        Files.writeString(m, toml.formatted("*/5 * * * *", worker));
        for (String command : List.of("run", "check")) {
            Result r = spindleRun(command, m.toString());
            assertEquals(2, r.exit(), command);
            assertEquals("error: " + m + ":6:1: cron trigger \"worker-cron-trigger\": cron_expression \"*/5 * * * *\": expected 6 fields"
                    + " (sec min hour day-of-month month day-of-week), got 5; spin-trigger-cron expressions start with a seconds"
                    + " field, e.g. \"0 */5 * * * *\"\n", r.err(), command);
        }
        // A valid expression on a component that is not a WASI command: refused before serving.
        Files.writeString(m, toml.formatted("0 0 3 * * *", Guests.path("redis-proxy.wasm").toString().replace("\\", "/")));
        Result r = spindleRun("run", m.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: " + m + ":"), r.err());
        assertTrue(r.err().contains("is not a WASI command: it has no \"_start\" export"), r.err());
    }
    @Test
    void checkRefusesTheTriggersRunRefusesBeforeAnyCommandRuns() throws IOException {
        Path m = dir.resolve("spin.toml");
        Files.writeString(m, """
                spin_manifest_version = 2
                [application]
                name = "unsupported"
                [[trigger.command]]
                component = "hello"
                [[trigger.sqs]]
                component = "hello"
                [component.hello]
                source = "%s"
                """.formatted(Guests.path("hello-command.wasm").toString().replace("\\", "/")));
        for (String command : List.of("run", "check")) {
            Result r = spindleRun(command, m.toString());
            assertEquals(new Result(2, "", "error: " + m + ":6:1: trigger type \"sqs\" is not supported by spindle run"
                    + " (supported: http, redis, cron, command)\n"), r, command);
        }
    }

    @Test
    void checkWarnsAboutATriggerThatNeedsAVariableWithNoValueYet() throws IOException {
        Path m = dir.resolve("spin.toml");
        Files.writeString(m, """
                spin_manifest_version = 2
                [application]
                name = "later"
                [variables]
                broker = { required = true }
                [[trigger.redis]]
                address = "{{ broker }}"
                channel = "events"
                component = "rec"
                [component.rec]
                source = "%s"
                """.formatted(Guests.path("redis-recorder.wasm").toString().replace("\\", "/")));
        Result r = spindle("check", m.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("warning: " + m + ":7:"), r.err());
        assertTrue(r.err().contains("required variable \"broker\""), r.err());
        Result bad = spindle("check", m.toString(), "--variable", "broker=http://not-redis");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().startsWith("error: " + m + ":6:1: redis trigger "), bad.err());
    }

    /**
     * The real process: {@code spindle run} serves until SIGTERM, then finishes in-flight work,
     * logs that it is shutting down, and exits 0.
     */
    @Test
    void runServesUntilSigtermThenStopsGracefullyWithExit0() throws Exception {
        Path m = dir.resolve("spin.toml");
        Files.writeString(m, """
                spin_manifest_version = 2
                [application]
                name = "served"
                [[trigger.http]]
                route = "/..."
                component = "web"
                executor = { type = "wagi" }
                [component.web]
                source = "%s"
                """.formatted(Guests.path("wagi-hello.wasm").toString().replace("\\", "/")));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"), SpindleCli.class.getName(),
                "run", m.toString(), "--listen", "127.0.0.1:" + port)
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("Serving http://127.0.0.1:" + port, out.readLine());
            assertEquals("Available Routes:", out.readLine());
            assertEquals("  web: http://127.0.0.1:" + port + "/ (wildcard)", out.readLine());
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/hi")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals("hello from wagi, path=/hi\n", response.body());
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "exited");
            assertEquals(0, p.exitValue());
            String err = Files.readString(dir.resolve("stderr.txt"));
            assertTrue(err.contains("INFO [spindle] shutting down: finishing in-flight requests (up to 10 s)"), err);
        } finally {
            p.destroyForcibly();
        }
    }
}
