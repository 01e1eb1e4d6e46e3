package dev.spindle.runtime;

import dev.spindle.host.HostLog;
import dev.spindle.testing.Guests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Writes small manifests over the committed guest corpus, for engine and CLI tests. */
final class TestApps {
    private TestApps() {}

    /** A manifest in {@code dir} whose components are named after guests; each gets the given hosts and redis_address. */
    static Path manifest(Path dir, String redisAddress, List<String> allowedHosts, String... guests) {
        StringBuilder toml = new StringBuilder("""
                spin_manifest_version = 2
                [application]
                name = "test-app"
                [variables]
                redis_address = { default = "%s" }
                """.formatted(redisAddress));
        for (String guest : guests) {
            toml.append("[[trigger.command]]\ncomponent = \"").append(guest).append("\"\n");
        }
        for (String guest : guests) {
            toml.append("[component.").append(guest).append("]\n")
                    .append("source = \"").append(Guests.path(guest + ".wasm").toString().replace("\\", "/")).append("\"\n")
                    .append("allowed_outbound_hosts = [")
                    .append(String.join(", ", allowedHosts.stream().map(h -> "\"" + h + "\"").toList()))
                    .append("]\n")
                    .append("[component.").append(guest).append(".variables]\n")
                    .append("redis_address = \"{{ redis_address }}\"\n");
        }
        try {
            Path file = dir.resolve("spin.toml");
            Files.writeString(file, toml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
