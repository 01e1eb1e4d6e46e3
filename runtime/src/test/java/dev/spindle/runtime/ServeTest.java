package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.OtherTrigger;
import dev.spindle.manifest.TriggerConfig;
import dev.spindle.runtime.trigger.CommandStreams;
import dev.spindle.runtime.trigger.HttpServerOptions;
import dev.spindle.runtime.trigger.HttpTriggerServer;
import dev.spindle.runtime.trigger.RunningTrigger;
import dev.spindle.runtime.trigger.ServeOptions;
import dev.spindle.runtime.trigger.TriggerType;
import dev.spindle.testing.Guests;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SpindleApp#serve} and the trigger SPI: validation before anything starts, commands
 * first, unwinding when a later trigger cannot start, and a trigger type an embedder adds.
 */
class ServeTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final List<String> log = new CopyOnWriteArrayList<>();

    private static String wasm(String guest) {
        return Guests.path(guest).toAbsolutePath().toString().replace("\\", "/");
    }

    private SpindleApp load(String toml, TriggerType... extra) throws IOException {
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, toml);
        SpindleOptions.Builder options = SpindleOptions.builder().environment(Map.of())
                .log((level, component, message) -> log.add(level + " [" + component + "] " + message));
        for (TriggerType type : extra) {
            options.trigger(type);
        }
        return Spindle.load(manifest, options.build());
    }

    private ServeOptions serveOptions(int port) {
        return ServeOptions.builder()
                .with(HttpServerOptions.defaults().withPort(port))
                .with(new CommandStreams(new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8)))
                .shutdownGrace(Duration.ofSeconds(1))
                .build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final String COMMAND_AND_HTTP = """
            spin_manifest_version = 2
            [application]
            name = "serve-test"
            [[trigger.command]]
            component = "hello"
            [[trigger.http]]
            route = "/..."
            component = "web"
            executor = { type = "wagi" }
            [component.hello]
            source = "%s"
            [component.web]
            source = "%s"
            """;

    @Test
    void commandsRunBeforeTheServingTriggersAndGiveTheExitCode() throws Exception {
        int port = freePort();
        try (SpindleApp app = load(COMMAND_AND_HTTP.formatted(wasm("hello-command"), wasm("wagi-hello")))) {
            Serving serving = app.serve(serveOptions(port));
            assertEquals("hello from guest\n", stdout.toString(StandardCharsets.UTF_8));
            assertEquals("oops on stderr\n", stderr.toString(StandardCharsets.UTF_8));
            assertEquals(3, serving.exitCode());
            assertTrue(serving.keepsRunning());
            assertEquals("Serving http://127.0.0.1:" + port + "\nAvailable Routes:\n  web: http://127.0.0.1:" + port + "/ (wildcard)\n",
                    serving.banner());
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, response.statusCode());
            assertEquals("hello from wagi, path=/x\n", response.body());
            serving.close();
            assertFalse(accepts(port), "HTTP stopped");
            assertTrue(log.contains("INFO [spindle] shutting down: finishing in-flight requests (up to 1 s)"), log.toString());
            serving.close(); // idempotent
        }
    }

    @Test
    void onlyCommandsMeansNothingKeepsRunning() throws Exception {
        String toml = """
                spin_manifest_version = 2
                [application]
                name = "commands"
                [[trigger.command]]
                component = "bye"
                [[trigger.command]]
                component = "trap"
                [component.bye]
                source = "%s"
                [component.trap]
                source = "%s"
                """.formatted(wasm("exit-zero"), wasm("trap"));
        try (SpindleApp app = load(toml); Serving serving = app.serve(serveOptions(0))) {
            assertFalse(serving.keepsRunning());
            assertEquals(1, serving.exitCode(), "a trapped run exits 1");
            assertEquals("goodbye from guest\n", stdout.toString(StandardCharsets.UTF_8));
            String err = stderr.toString(StandardCharsets.UTF_8);
            assertTrue(err.startsWith("error: component \"trap\": ") && err.endsWith("\n") && err.lines().count() == 1, err);
        }
    }

    @Test
    void anUnsupportedTriggerTypeIsRefusedBeforeAnyCommandRuns() throws Exception {
        String toml = COMMAND_AND_HTTP.formatted(wasm("hello-command"), wasm("wagi-hello")) + """
                [[trigger.sqs]]
                component = "hello"
                """;
        try (SpindleApp app = load(toml)) {
            ManifestException e = assertThrows(ManifestException.class, () -> app.serve(serveOptions(0)));
            assertEquals(dir.resolve("spin.toml") + ":14:1: trigger type \"sqs\" is not supported by spindle run"
                    + " (supported: http, redis, cron, command)", e.getMessage());
            assertEquals("", stdout.toString(StandardCharsets.UTF_8), "no command ran");
            assertEquals(e.getMessage(), assertThrows(ManifestException.class, app::validateTriggers).getMessage());
        }
    }

    /** A trigger type that checks it can reach the HTTP trigger (started before it), then fails. */
    private static final class BrokenTrigger implements TriggerType {
        final int httpPort;
        volatile boolean sawHttpServing;

        BrokenTrigger(int httpPort) {
            this.httpPort = httpPort;
        }

        @Override
        public String type() {
            return "broken";
        }

        @Override
        public void validate(SpindleApp app) {}

        @Override
        public RunningTrigger start(SpindleApp app, ServeOptions options) {
            sawHttpServing = accepts(httpPort);
            throw new IllegalStateException("broken trigger cannot start");
        }
    }

    @Test
    void aTriggerThatCannotStartStopsTheOnesStartedBeforeIt() throws Exception {
        int port = freePort();
        BrokenTrigger broken = new BrokenTrigger(port);
        String toml = COMMAND_AND_HTTP.formatted(wasm("hello-command"), wasm("wagi-hello")) + """
                [[trigger.broken]]
                component = "web"
                """;
        try (SpindleApp app = load(toml, broken)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> app.serve(serveOptions(port)));
            assertEquals("broken trigger cannot start", e.getMessage());
            assertTrue(broken.sawHttpServing, "HTTP was serving when the broken trigger started");
            assertFalse(accepts(port), "HTTP stopped again");
        }
    }

    /**
     * An embedder's own trigger type: {@code [[trigger.tick]]} runs a command component
     * {@code times} times in the background, validated like the built-in ones.
     */
    private static final class TickTrigger implements TriggerType {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public String type() {
            return "tick";
        }

        private static long times(TriggerConfig trigger) {
            Object times = ((OtherTrigger) trigger).config().get("times");
            if (!(times instanceof Long n) || n < 1) {
                throw new ManifestException(trigger.location(), "tick trigger \"" + trigger.id() + "\": times must be a positive integer");
            }
            return n;
        }

        @Override
        public void validate(SpindleApp app) {
            triggersOf(app).forEach(TickTrigger::times);
        }

        @Override
        public RunningTrigger start(SpindleApp app, ServeOptions options) {
            Thread worker = new Thread(() -> {
                for (TriggerConfig trigger : triggersOf(app)) {
                    for (long i = 0; i < times(trigger); i++) {
                        int exit = app.invoke(trigger.componentId().orElseThrow(), guest -> {
                            guest.call("_start");
                            return 0;
                        });
                        events.add(trigger.componentId().orElseThrow() + " ran, exit " + exit);
                    }
                }
            });
            worker.start();
            return () -> {
                try {
                    worker.join(options.shutdownGrace().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                events.add("closed");
            };
        }
    }

    private static final String TICK = """
            spin_manifest_version = 2
            [application]
            name = "ticks"
            [[trigger.tick]]
            component = "bye"
            times = %s
            [component.bye]
            source = "%s"
            """;

    @Test
    void anEmbedderServesItsOwnTriggerType() throws Exception {
        TickTrigger tick = new TickTrigger();
        try (SpindleApp app = load(TICK.formatted("2", wasm("exit-zero")), tick)) {
            Serving serving = app.serve(serveOptions(0));
            assertTrue(serving.keepsRunning());
            serving.close();
            assertEquals(List.of("bye ran, exit 0", "bye ran, exit 0", "closed"), tick.events);
        }
        try (SpindleApp app = load(TICK.formatted("0", wasm("exit-zero")), tick)) {
            ManifestException e = assertThrows(ManifestException.class, app::validateTriggers);
            assertEquals(dir.resolve("spin.toml") + ":4:1: tick trigger \"bye-tick-trigger\": times must be a positive integer", e.getMessage());
        }
        try (SpindleApp app = load(TICK.formatted("2", wasm("exit-zero")))) {
            ManifestException e = assertThrows(ManifestException.class, app::validateTriggers);
            assertTrue(e.getMessage().endsWith("trigger type \"tick\" is not supported by spindle run (supported: http, redis, cron, command)"),
                    e.getMessage());
        }
    }
}
