package dev.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spindle run}'s log as an operator reads it, from a real process serving the queue
 * example: one access entry per request, guest output through the same sink, ISO-8601 times,
 * {@code --log-format json}, {@code -q} and {@code --log-dir}.
 */
@ExtendWith(RedisServerExtension.class)
class LogsRunTest {
    private static final String ISO = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    @TempDir
    Path dir;

    record Run(List<String> stderr, Path logDir) {}

    /** Runs the queue example, POSTs two jobs, GETs /stats, waits for the worker's output, stops with SIGTERM. */
    private Run run(RedisServer redis, String... options) throws Exception {
        redis.flushAll();
        Path app = Files.createDirectories(dir.resolve("queue"));
        Path example = Guests.repoRoot().resolve("examples/queue");
        for (String f : List.of("spin.toml", "producer.wasm", "worker.wasm")) {
            Files.copy(example.resolve(f), app.resolve(f));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path logDir = dir.resolve("logs");
        Path stderr = dir.resolve("stderr.txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SpindleCli.class.getName(), "run", app.resolve("spin.toml").toString(),
                "--listen", "127.0.0.1:" + port, "--variable", "redis_address=" + redis.uri(), "--log-dir", logDir.toString()));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("Serving http://127.0.0.1:" + port, out.readLine());
            HttpClient http = HttpClient.newHttpClient();
            for (String job : List.of("resize photo 1", "send email")) {
                assertEquals(202, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs"))
                        .POST(HttpRequest.BodyPublishers.ofString(job)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/nope?token=secret")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            Path workerOut = logDir.resolve("worker_stdout.txt");
            await(() -> Files.exists(workerOut) && read(workerOut).contains("job 2"), "the worker's output in " + workerOut);
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            return new Run(Files.readAllLines(stderr), logDir);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void textLinesHaveIsoTimesAndOneAccessEntryPerRequest_guestOutputNamesItsComponent(RedisServer redis) throws Exception {
        Run r = run(redis);
        List<String> access = r.stderr().stream().filter(l -> l.contains(" access: ")).toList();
        assertEquals(3, access.size(), String.join("\n", r.stderr()));
        assertTrue(Pattern.matches(ISO + " INFO \\[producer\\] access: POST /jobs 202 \\d+\\.\\d{3} ms", access.get(0)), access.get(0));
        // The query is left out (it may carry tokens); no component matched the path.
        assertTrue(Pattern.matches(ISO + " INFO \\[-\\] access: GET /nope 404 \\d+\\.\\d{3} ms", access.get(2)), access.get(2));
        assertTrue(r.stderr().stream().anyMatch(l -> Pattern.matches(ISO + " INFO \\[worker\\] stdout: processed job 1: resize photo 1", l)),
                String.join("\n", r.stderr()));
        assertTrue(r.stderr().stream().anyMatch(l -> Pattern.matches(ISO + " INFO \\[spindle\\] shutting down: .*", l)));
        for (String line : r.stderr()) {
            assertTrue(Pattern.compile("^" + ISO + " (INFO|WARN|ERROR) \\[").matcher(line).find(), "every line is an event: " + line);
        }
        // --log-dir: the component's own lines, as it wrote them.
        assertTrue(read(r.logDir().resolve("worker_stdout.txt")).startsWith("processed job 1: resize photo 1\n"));
    }

    @Test
    void jsonHasOneObjectPerLineWithTheAccessFields(RedisServer redis) throws Exception {
        Run r = run(redis, "--log-format", "json");
        for (String line : r.stderr()) {
            assertTrue(Pattern.matches("\\{\"time\":\"" + ISO + "\",\"level\":\"(INFO|WARN|ERROR)\",\"logger\":\"[a-z.]+\",.*\"message\":\".*\"}", line),
                    line);
        }
        String post = r.stderr().stream().filter(l -> l.contains("\"logger\":\"spindle.access\"") && l.contains("\"method\":\"POST\""))
                .findFirst().orElseThrow(() -> new AssertionError(String.join("\n", r.stderr())));
        assertTrue(Pattern.matches("\\{\"time\":\"" + ISO + "\",\"level\":\"INFO\",\"logger\":\"spindle.access\",\"component\":\"producer\","
                + "\"method\":\"POST\",\"path\":\"/jobs\",\"status\":202,\"duration_ms\":\\d+(\\.\\d+)?,"
                + "\"message\":\"POST /jobs 202 \\d+\\.\\d{3} ms\"}", post), post);
        assertTrue(r.stderr().stream().anyMatch(l -> l.contains("\"logger\":\"spindle.guest\",\"component\":\"worker\",\"stream\":\"stdout\","
                + "\"message\":\"processed job 1: resize photo 1\"")), String.join("\n", r.stderr()));
    }

    @Test
    void quietKeepsGuestOutputAndTheAccessLogOffTheTerminalButInTheLogDir(RedisServer redis) throws Exception {
        Run r = run(redis, "-q");
        assertFalse(r.stderr().stream().anyMatch(l -> l.contains(" access: ") || l.contains("[worker] stdout:")),
                String.join("\n", r.stderr()));
        assertTrue(r.stderr().stream().anyMatch(l -> l.contains("[spindle] shutting down")), "host lines stay");
        assertTrue(read(r.logDir().resolve("worker_stdout.txt")).contains("processed job 2: send email\n"));
    }

    @Test
    void anUnknownLogFormatIsAUsageError() {
        CliTest.Result r = CliTest.spindle("run", "--log-format", "xml", "spin.toml");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("\"xml\" is not one of text, json"), r.err());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }
}
