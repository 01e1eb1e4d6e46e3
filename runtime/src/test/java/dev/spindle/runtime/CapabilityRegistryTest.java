package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.types.ValType;
import dev.spindle.host.CapabilityProvider;
import dev.spindle.host.CapabilitySetup;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostCapability;
import dev.spindle.host.HostImport;
import dev.spindle.host.InstanceBinding;
import dev.spindle.manifest.ManifestException;
import dev.spindle.redis.RedisCapability;
import dev.spindle.redis.RedisOptions;
import dev.spindle.testing.Guests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capability registry: capabilities come from the options (found on the class path or
 * added), each reads its own table of the runtime config, and an embedder adds host functions.
 */
class CapabilityRegistryTest {
    @TempDir
    Path dir;

    private Path manifest(String guest) throws IOException {
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "registry"
                [[trigger.command]]
                component = "guest"
                [component.guest]
                source = "%s"
                """.formatted(Guests.path(guest).toAbsolutePath().toString().replace("\\", "/")));
        return manifest;
    }

    private Path runtimeConfig(String toml) throws IOException {
        Path file = dir.resolve("runtime-config.toml");
        Files.writeString(file, toml);
        return file;
    }

    /**
     * An embedder's own host function: {@code env.mystery(i32) -> i32}, answering the value of
     * {@code answer} in its own {@code [mystery]} table of the runtime config.
     */
    private static final class MysteryProvider implements CapabilityProvider {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "mystery";
        }

        @Override
        public Set<String> runtimeConfigTables() {
            return Set.of("mystery");
        }

        @Override
        public HostCapability create(CapabilitySetup setup) {
            long answer = setup.runtimeConfig().table("mystery").map(t -> t.getLong("answer")).orElse(0L);
            return new HostCapability() {
                @Override
                public InstanceBinding bind(ComponentContext component) {
                    HostImport mystery = new HostImport("env", "mystery", List.of(ValType.I32), List.of(ValType.I32), false,
                            (memory, args) -> {
                                calls.add(component.componentId() + " called mystery(" + args[0] + ") -> " + answer);
                                return new long[] {answer};
                            });
                    return InstanceBinding.of(List.of(mystery));
                }
            };
        }
    }

    @Test
    void anEmbedderAddsItsOwnHostFunctionConfiguredFromItsRuntimeConfigTable() throws Exception {
        MysteryProvider mystery = new MysteryProvider();
        SpindleOptions options = SpindleOptions.builder().environment(Map.of())
                .capability(mystery).runtimeConfigFile(runtimeConfig("[mystery]\nanswer = 7\n")).build();
        try (SpindleApp app = Spindle.load(manifest("unknown-import"), options)) {
            assertEquals(0, app.runCommand("guest"));
            assertEquals(List.of("guest called mystery(42) -> 7"), mystery.calls);
        }
        // Without it, the import is refused at load as before.
        LoadException e = assertThrows(LoadException.class,
                () -> Spindle.load(manifest("unknown-import"), SpindleOptions.builder().environment(Map.of()).build()));
        assertTrue(e.getMessage().contains("\"env\" \"mystery\""), e.getMessage());
    }

    @Test
    void anImportTwoCapabilitiesProvideIsRefusedNamingBoth() throws Exception {
        MysteryProvider first = new MysteryProvider();
        CapabilityProvider second = new CapabilityProvider() {
            @Override
            public String name() {
                return "mystery-again";
            }

            @Override
            public HostCapability create(CapabilitySetup setup) {
                return new MysteryProvider().create(setup);
            }
        };
        SpindleOptions options = SpindleOptions.builder().environment(Map.of()).capability(first).capability(second).build();
        LoadException e = assertThrows(LoadException.class, () -> Spindle.load(manifest("unknown-import"), options));
        assertTrue(e.getMessage().startsWith("host capabilities ") && e.getMessage().endsWith(" both provide \"env\" \"mystery\"; give each import one provider"),
                e.getMessage());
    }

    @Test
    void theDefaultsAreVariablesKeyValueRedisAndWasiFoundOnTheClassPath() {
        assertEquals(List.of("variables", "key-value", "redis", "wasi", "unsupported-interfaces"),
                SpindleOptions.defaults().capabilities().stream().map(CapabilityProvider::name).toList());
    }

    @Test
    void anAddedProviderReplacesTheOneWithItsName() throws Exception {
        SpindleOptions options = SpindleOptions.builder().environment(Map.of())
                .capability(RedisCapability.provider(RedisOptions.defaults().withMaxConnectionsPerServer(5))).build();
        assertEquals(List.of("variables", "key-value", "redis", "wasi", "unsupported-interfaces"), options.capabilities().stream().map(CapabilityProvider::name).toList());
        try (SpindleApp app = Spindle.load(manifest("exit-zero"), options)) {
            assertEquals(5, app.capability(RedisCapability.class).orElseThrow().options().maxConnectionsPerServer());
        }
    }

    @Test
    void redisReadsItsOutboundRedisTable() throws Exception {
        SpindleOptions options = SpindleOptions.builder().environment(Map.of())
                .runtimeConfigFile(runtimeConfig("[outbound_redis]\nmax_connections = 3\n")).build();
        try (SpindleApp app = Spindle.load(manifest("exit-zero"), options)) {
            assertEquals(3, app.capability(RedisCapability.class).orElseThrow().options().maxConnectionsPerServer());
        }
    }

    @Test
    void aBadOrUnclaimedRuntimeConfigTableIsOneLineNamingTheFileAndLine() throws Exception {
        Path file = runtimeConfig("# host settings\n[llm_compute]\ntype = \"spin\"\n");
        ManifestException unknown = assertThrows(ManifestException.class, () -> Spindle.load(manifest("exit-zero"),
                SpindleOptions.builder().environment(Map.of()).runtimeConfigFile(file).build()));
        assertEquals(file + ":2:1: unknown table `llm_compute` in the runtime config (known: client_tls, cron_lease, key_value_store,"
                + " outbound_http, outbound_redis, redis_cluster, redis_sentinel)", unknown.getMessage());

        runtimeConfig("[outbound_redis]\nmax_connections = 0\n");
        ManifestException zero = assertThrows(ManifestException.class, () -> Spindle.load(manifest("exit-zero"),
                SpindleOptions.builder().environment(Map.of()).runtimeConfigFile(file).build()));
        assertEquals(file + ":2:1: [outbound_redis] max_connections must be a positive integer, got 0", zero.getMessage());

        runtimeConfig("[outbound_redis]\nmax_conections = 4\n");
        ManifestException typo = assertThrows(ManifestException.class, () -> Spindle.load(manifest("exit-zero"),
                SpindleOptions.builder().environment(Map.of()).runtimeConfigFile(file).build()));
        assertEquals(file + ":2:1: unknown key `max_conections` in [outbound_redis] (known: max_connections)", typo.getMessage());

        runtimeConfig("[outbound_redis\n");
        ManifestException broken = assertThrows(ManifestException.class, () -> Spindle.load(manifest("exit-zero"),
                SpindleOptions.builder().environment(Map.of()).runtimeConfigFile(file).build()));
        assertTrue(broken.getMessage().startsWith(file + ":1:"), broken.getMessage());

        ManifestException missing = assertThrows(ManifestException.class, () -> Spindle.load(manifest("exit-zero"),
                SpindleOptions.builder().environment(Map.of()).runtimeConfigFile(dir.resolve("none.toml")).build()));
        assertEquals(dir.resolve("none.toml") + ": no such runtime config file", missing.getMessage());
    }
}
