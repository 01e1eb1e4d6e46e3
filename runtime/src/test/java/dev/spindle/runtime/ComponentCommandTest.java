package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.BuiltGuests;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A C command made into a component with the WASI preview 1 command adapter
 * ({@code jco new --wasi-command}, built by guests/component/build-adapted.sh: the adapter is
 * third-party code, so the binary is built here, not committed) runs end to end: the shim, main,
 * adapter and fixup core instances wired by the plan, the adapter's wasi:cli / wasi:io /
 * wasi:filesystem lowerings answered by host-wasi, and {@code wasi:cli/run#run}'s result as the
 * exit code. The guest exits 0 only when it sees WHO=component and its stdout write succeeds.
 */
class ComponentCommandTest {
    private static Path component;

    @BeforeAll
    static void build(@TempDir Path out) throws Exception {
        component = BuiltGuests.build("component/build-adapted.sh", out).resolve("hello-command.component.wasm");
        assertTrue(Files.size(component) > 100_000, "the adapter is inside");
    }

    private static SpindleApp load(Path dir, String who) throws IOException {
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "component-command"
                [[trigger.command]]
                component = "hello"
                [component.hello]
                source = "%s"
                environment = { WHO = "%s" }
                """.formatted(component.toString().replace("\\", "/"), who));
        return Spindle.load(manifest, SpindleOptions.builder().environment(Map.of()).build());
    }

    private static int run(SpindleApp app) {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return app.runCommand("hello", new ByteArrayInputStream(new byte[0]), out, out);
    }

    @Test
    void aCommandMadeWithThePreview1AdapterRunsAndSeesItsEnvironment(@TempDir Path dir) throws Exception {
        try (SpindleApp app = load(dir, "component")) {
            app.validateTriggers(); // a component command passes the command trigger's export check
            assertEquals(0, run(app));
            assertEquals(0, run(app), "a second run in a fresh instance");
        }
    }

    @Test
    void itsExitStatusComesFromTheGuest(@TempDir Path dir) throws Exception {
        try (SpindleApp app = load(dir, "someone else")) {
            assertEquals(1, run(app));
        }
    }
}
