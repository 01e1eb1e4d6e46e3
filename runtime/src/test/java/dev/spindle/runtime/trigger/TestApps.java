package dev.spindle.runtime.trigger;

import dev.spindle.host.HostLog;
import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import dev.spindle.testing.Guests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Writes a manifest into a temp dir and loads it; guest paths come from the shared corpus. */
final class TestApps {
    private TestApps() {}

    /** Every log line, for assertions. */
    static final class CapturingLog implements HostLog {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void log(Level level, String componentId, String message) {
            String line = level + " [" + componentId + "] " + message;
            lines.add(line);
            System.err.println(line);
        }
    }

    static String wasm(String guest) {
        return Guests.path(guest).toAbsolutePath().toString().replace("\\", "/");
    }

    static SpindleApp load(Path dir, String toml, String redisUri, HostLog log) {
        return load(dir, toml, redisUri, log, dev.spindle.redis.RedisOptions.defaults());
    }

    static SpindleApp load(Path dir, String toml, String redisUri, HostLog log, dev.spindle.redis.RedisOptions redis) {
        try {
            Path manifest = dir.resolve("spin.toml");
            Files.writeString(manifest, toml);
            return Spindle.load(manifest, SpindleOptions.builder()
                    .environment(java.util.Map.of())
                    .variable("redis_address", redisUri)
                    .invocationTimeout(Duration.ofSeconds(10))
                    .log(log)
                    .capability(dev.spindle.redis.RedisCapability.provider(redis))
                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
