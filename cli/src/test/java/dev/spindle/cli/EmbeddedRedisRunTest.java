package dev.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command on a machine without redis-server: {@code spindle run} of the
 * hello-redis example, in a process whose PATH has no redis-server, serves from the Redis it
 * starts itself, keeps the count under .spindle/ and stops that Redis at exit.
 */
class EmbeddedRedisRunTest {
    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process run(Path manifest, int httpPort, int redisPort, Path stderr) throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                SpindleCli.class.getName(), "run", manifest.toString(), "--listen", "127.0.0.1:" + httpPort,
                "--variable", "redis_address=redis://127.0.0.1:" + redisPort)
                .redirectError(stderr.toFile());
        pb.environment().put("PATH", dir.resolve("empty-bin").toString()); // no redis-server to be found
        pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        return pb.start();
    }

    /** The README's example in a directory of its own, so its .spindle/ is this test's. */
    private Path helloRedisCopy() throws Exception {
        Path app = dir.resolve("hello-redis");
        Files.createDirectories(app);
        Path example = Guests.repoRoot().resolve("examples/hello-redis");
        Files.copy(example.resolve("spin.toml"), app.resolve("spin.toml"));
        Files.copy(example.resolve("hello.wasm"), app.resolve("hello.wasm"));
        return app;
    }

    private static String get(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static List<ProcessHandle> redisChildren(Process p) {
        return p.descendants().filter(h -> h.info().command().orElse("").contains("redis-server")).toList();
    }

    @Test
    void theHelloExampleServesFromItsOwnRedisWhenTheMachineHasNone() throws Exception {
        Path app = helloRedisCopy();
        int redisPort = freePort();
        for (int round = 1; round <= 2; round++) {
            int httpPort = freePort();
            Path stderr = dir.resolve("stderr-" + round + ".txt");
            Process p = run(app.resolve("spin.toml"), httpPort, redisPort, stderr);
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("Serving http://127.0.0.1:" + httpPort, out.readLine(), () -> read(stderr));
                String err = Files.readString(stderr);
                Path data = app.toAbsolutePath().resolve(".spindle").resolve("redis-" + redisPort);
                assertTrue(err.contains(" INFO [redis] started redis-server (bundled redis-server-") && err.contains(
                        " on 127.0.0.1:" + redisPort + " for variable redis_address, data in " + data
                        + "; --redis external turns this off"), err);
                // The count goes on from the last run: the data is kept under .spindle/.
                assertEquals(round == 1 ? "1" : "3", get(httpPort).strip());
                assertEquals(round == 1 ? "2" : "4", get(httpPort).strip());
                List<ProcessHandle> redis = redisChildren(p);
                assertEquals(1, redis.size(), "one redis-server child");
                p.destroy(); // SIGTERM
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exited");
                assertEquals(0, p.exitValue(), () -> read(stderr));
                redis.get(0).onExit().get(10, TimeUnit.SECONDS);
                assertFalse(redis.get(0).isAlive(), "the embedded Redis stopped with spindle");
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    @Test
    void anUnknownModeIsAUsageErrorAndStartsNothing() throws Exception {
        Path app = helloRedisCopy();
        CliTest.Result r = CliTest.spindle("run", "--redis", "sometimes", app.resolve("spin.toml").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--redis: \"sometimes\" is not one of auto, embedded, external"), r.err());
        assertFalse(Files.exists(app.resolve(".spindle")));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "(no " + p + ")";
        }
    }
}
