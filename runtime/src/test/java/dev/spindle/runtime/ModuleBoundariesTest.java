package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine names no Redis class and carries no command line: every compiled class of
 * spindle-runtime is read for references (class-file constant pools hold them as
 * {@code dev/spindle/redis/...} strings), so a dependency that creeps back fails here even when
 * it still compiles.
 */
class ModuleBoundariesTest {
    private static final List<String> FORBIDDEN = List.of("dev/spindle/redis/", "redis/clients/", "picocli/", "dev/spindle/cli/");

    @Test
    void noRuntimeClassReferencesRedisOrTheCli() throws IOException {
        Path classes = Guests.repoRoot().resolve("runtime/target/classes");
        List<Path> files;
        try (Stream<Path> s = Files.walk(classes)) {
            files = s.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertFalse(files.isEmpty(), "no classes under " + classes);
        for (Path file : files) {
            String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (String forbidden : FORBIDDEN) {
                assertFalse(constants.contains(forbidden), classes.relativize(file) + " references " + forbidden);
            }
        }
    }

    /** The libraries trace through the OpenTelemetry API alone: the SDK and the exporter are the CLI's (docs/operations.md, "Traces"). */
    @Test
    void theLibrariesUseTheOpenTelemetryApiOnly() throws IOException {
        for (String module : List.of("host-api", "host-redis", "runtime")) {
            Path classes = Guests.repoRoot().resolve(module + "/target/classes");
            List<Path> files;
            try (Stream<Path> s = Files.walk(classes)) {
                files = s.filter(p -> p.toString().endsWith(".class")).toList();
            }
            assertFalse(files.isEmpty(), "no classes under " + classes);
            for (Path file : files) {
                String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String forbidden : List.of("io/opentelemetry/sdk/", "io/opentelemetry/exporter/")) {
                    assertFalse(constants.contains(forbidden), module + ": " + classes.relativize(file) + " references " + forbidden);
                }
            }
            String pom = Files.readString(Guests.repoRoot().resolve(module + "/pom.xml"));
            for (String line : pom.lines().filter(l -> l.contains("<groupId>io.opentelemetry</groupId>")).toList()) {
                assertTrue(line.contains("<artifactId>opentelemetry-api</artifactId>") || line.contains("<scope>test</scope>"),
                        module + "/pom.xml: " + line.strip());
            }
        }
    }

    @Test
    void theRuntimePomHasRedisOnlyForItsTests() throws IOException {
        String pom = Files.readString(Guests.repoRoot().resolve("runtime/pom.xml"));
        List<String> redis = pom.lines().filter(l -> l.contains("spindle-host-redis") || l.contains("jedis")).toList();
        assertEquals(1, redis.size(), redis.toString());
        assertTrue(redis.get(0).contains("<scope>test</scope>"), redis.get(0));
    }
}
