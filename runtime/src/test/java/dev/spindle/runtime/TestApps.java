package dev.spindle.runtime;

import dev.spindle.host.HostLog;
import dev.spindle.testing.TestManifests;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Writes small manifests over the committed guest corpus, for engine and CLI tests. */
final class TestApps {
    private TestApps() {}

    /** A manifest in {@code dir} whose components are named after guests; each gets the given hosts and redis_address. */
    static Path manifest(Path dir, String redisAddress, List<String> allowedHosts, String... guests) {
        return TestManifests.commandApp(dir, redisAddress, allowedHosts, guests);
    }

    /** Captures log lines, so tests can assert on what the runtime said. */
    static final class CapturingLog implements HostLog {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void log(Level level, String componentId, String message) {
            lines.add(level + " [" + componentId + "] " + message);
        }

        String all() {
            return String.join("\n", lines);
        }
    }
}
