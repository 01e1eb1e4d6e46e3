package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.HostLog;
import dev.spindle.runtime.internal.SlowStepNotice;
import dev.spindle.testing.TestManifests;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "compiling component ..." progress line (issue 15 item 4): said only for a slow step. */
class LoadProgressTest {
    @TempDir
    Path dir;

    final List<String> lines = new CopyOnWriteArrayList<>();
    final HostLog capture = (level, component, message) -> lines.add(level + " [" + component + "] " + message);

    @Test
    void aSlowStepIsAnnouncedAndTimedAFastOneSaysNothing() throws InterruptedException {
        try (SlowStepNotice n = SlowStepNotice.after(Duration.ofMillis(50), capture, "spindle", "compiling x...", "compiled x")) {
            Thread.sleep(600);
        }
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("INFO [spindle] compiling x...", lines.get(0));
        assertTrue(lines.get(1).matches("INFO \\[spindle\\] compiled x in [0-9]+\\.[0-9] s"), lines.get(1));
        lines.clear();
        try (SlowStepNotice n = SlowStepNotice.after(Duration.ofSeconds(30), capture, "spindle", "compiling y...", "compiled y")) {
            // done at once
        }
        try (SlowStepNotice n = SlowStepNotice.none()) {
            Thread.sleep(10);
        }
        Thread.sleep(100);
        assertEquals(List.of(), lines);
    }

    @Test
    void loadingSaysWhichComponentItCompilesOnlyWhenAsked() {
        Path manifest = TestManifests.commandApp(dir, "redis://127.0.0.1:1", List.of(), "hello-command");
        try (SpindleApp app = Spindle.load(manifest, SpindleOptions.builder().log(capture).loadProgressAfter(Duration.ZERO).build())) {
            assertEquals("INFO [spindle] compiling component \"hello-command\" (0.0 MiB of Wasm)...", lines.get(0));
            assertTrue(lines.get(1).startsWith("INFO [spindle] compiled component \"hello-command\" in "), lines.toString());
        }
        lines.clear();
        try (SpindleApp app = Spindle.load(manifest, SpindleOptions.builder().log(capture).build())) {
            assertEquals(List.of(), lines, "off by default for embedders");
        }
    }
}
