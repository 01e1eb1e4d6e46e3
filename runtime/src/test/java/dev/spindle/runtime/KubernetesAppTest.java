package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app {@code k8s/} deploys is the one the ConfigMap is generated from: every file
 * {@code kustomization.yaml} puts into it is laid out as the pods see {@code /app}, and the
 * manifest, its components and the runtime config load and pass the trigger checks {@code spindle
 * run} does before serving.
 */
class KubernetesAppTest {
    private static final Pattern FILE = Pattern.compile("^\\s+- ([\\w.-]+)=(\\S+)$");

    @Test
    void theConfigMapsAppLoadsAndItsTriggersValidate(@TempDir Path app) throws Exception {
        Path k8s = Guests.repoRoot().resolve("k8s");
        Map<String, Path> files = new LinkedHashMap<>();
        for (String line : Files.readAllLines(k8s.resolve("kustomization.yaml"))) {
            Matcher m = FILE.matcher(line);
            if (m.matches()) {
                files.put(m.group(1), k8s.resolve(m.group(2)).normalize());
            }
        }
        assertEquals(List.of("spin.toml", "runtime-config.toml", "http-counter.wasm", "stream-counter.wasm", "redis-command.wasm"),
                List.copyOf(files.keySet()));
        for (Map.Entry<String, Path> f : files.entrySet()) {
            Files.copy(f.getValue(), app.resolve(f.getKey()));
        }
        SpindleOptions options = SpindleOptions.builder()
                .environment(Map.of("SPIN_VARIABLE_REDIS_ADDRESS", "redis://redis:6379")) // as the Secret sets it
                .runtimeConfigFile(app.resolve("runtime-config.toml"))
                .build();
        try (SpindleApp loaded = Spindle.load(app.resolve("spin.toml"), options)) {
            loaded.validateTriggers();
            assertEquals(List.of("http", "redis", "cron"), loaded.manifest().triggers().stream().map(t -> t.type()).toList());
            assertTrue(loaded.capability(dev.spindle.host.TickLeases.class).orElseThrow().configured());
            String stream = loaded.triggerPlan().get(1);
            assertTrue(stream.startsWith("redis trigger \"stream-counter-redis-trigger\" (stream \"jobs\" at redis://redis:6379,"
                    + " group \"workers\", consumer \""), stream);
            assertTrue(stream.endsWith("field \"payload\", retried after 60000 ms idle, dead letters after 5 deliveries to"
                    + " \"jobs:dead-letter\"): component \"stream-counter\" (a core module), run calls"
                    + " \"fermyon:spin/inbound-redis#handle-message\""), stream);
        }
    }
}
