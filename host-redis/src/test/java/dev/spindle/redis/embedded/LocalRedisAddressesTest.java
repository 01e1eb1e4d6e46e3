package dev.spindle.redis.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.manifest.AppManifest;
import dev.spindle.manifest.ManifestLoader;
import dev.spindle.manifest.RuntimeConfig;
import dev.spindle.manifest.VariableResolver;
import dev.spindle.redis.KeyValueConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which servers the app's resolved configuration names on loopback: the embedded Redis decides from these alone. */
class LocalRedisAddressesTest {
    @TempDir
    Path dir;

    private List<String> found(String toml, Map<String, String> explicit, String runtimeConfig) throws IOException {
        Path m = dir.resolve("spin.toml");
        Files.writeString(m, toml);
        AppManifest app = ManifestLoader.load(m);
        VariableResolver variables = VariableResolver.create(app, Map.of(), explicit);
        KeyValueConfig kv = KeyValueConfig.parse(app.application().name(), RuntimeConfig.parse(runtimeConfig, dir.resolve("rc.toml")));
        return LocalRedisAddresses.of(app, variables, Optional.of(kv)).stream().map(a -> a.hostAndPort() + " " + a.source()).toList();
    }

    private static final String HELLO = """
            spin_manifest_version = 2
            [application]
            name = "hello"
            [variables]
            redis_address = { default = "redis://127.0.0.1:6379" }
            [[trigger.http]]
            route = "/"
            component = "hello"
            [component.hello]
            source = "hello.wasm"
            allowed_outbound_hosts = ["{{ redis_address }}"]
            [component.hello.variables]
            redis_address = "{{ redis_address }}"
            """;

    @Test
    void aVariablesLoopbackRedisUrlIsNamedOnceByItsFirstSource() throws IOException {
        assertEquals(List.of("127.0.0.1:6379 variable redis_address"), found(HELLO, Map.of(), ""));
    }

    @Test
    void anExplicitValueMovesIt_andANonLoopbackOrTlsAddressIsNeverNamed() throws IOException {
        assertEquals(List.of("localhost:7001 variable redis_address"),
                found(HELLO, Map.of("redis_address", "redis://localhost:7001/2"), ""));
        assertEquals(List.of(), found(HELLO, Map.of("redis_address", "redis://10.1.2.3:6379"), ""));
        assertEquals(List.of(), found(HELLO, Map.of("redis_address", "redis://cache.internal:6379"), ""));
        assertEquals(List.of(), found(HELLO, Map.of("redis_address", "rediss://127.0.0.1:6380"), ""));
        // A name that merely starts like loopback is not loopback.
        assertEquals(List.of(), found(HELLO, Map.of("redis_address", "redis://127.0.0.1.example.com:6379"), ""));
        assertEquals(List.of("[::1]:6390 variable redis_address"), found(HELLO, Map.of("redis_address", "redis://[::1]:6390"), ""));
    }

    @Test
    void valuesThatAreNotRedisUrlsAreIgnored() throws IOException {
        assertEquals(List.of(), found(HELLO, Map.of("redis_address", "http://127.0.0.1:6379"), ""));
        assertEquals(List.of(), found(HELLO, Map.of("redis_address", "redis://127.0.0.1:6379?x=1"), ""));
    }

    @Test
    void redisTriggerAddressesAndTheApplicationDefaultAreNamed() throws IOException {
        String toml = """
                spin_manifest_version = 2
                [application]
                name = "subs"
                [application.trigger.redis]
                address = "redis://127.0.0.1:7100"
                [[trigger.redis]]
                channel = "a"
                component = "sub"
                [[trigger.redis]]
                address = "redis://127.0.0.2:7200"
                channel = "b"
                component = "sub"
                [component.sub]
                source = "sub.wasm"
                """;
        List<String> f = found(toml, Map.of(), "");
        assertEquals(2, f.size(), f.toString());
        assertTrue(f.get(0).startsWith("127.0.0.1:7100 redis trigger"), f.toString());
        assertTrue(f.get(1).startsWith("127.0.0.2:7200 redis trigger"), f.toString());
    }

    @Test
    void theKeyValueStoresAComponentListsAreNamed_theDefaultOnesLoopbackServerIncluded() throws IOException {
        String toml = """
                spin_manifest_version = 2
                [application]
                name = "kv"
                [[trigger.http]]
                route = "/"
                component = "kv"
                [component.kv]
                source = "kv.wasm"
                key_value_stores = ["default", "remote", "local"]
                """;
        String rc = """
                [key_value_store.remote]
                type = "redis"
                url = "redis://kv.internal:6379"
                [key_value_store.local]
                type = "redis"
                url = "redis://127.0.0.1:7300"
                """;
        assertEquals(List.of("127.0.0.1:6379 key-value store default", "127.0.0.1:7300 key-value store local"), found(toml, Map.of(), rc));
        // A store no component lists starts nothing.
        assertEquals(List.of(), found(toml.replace("key_value_stores = [\"default\", \"remote\", \"local\"]", ""), Map.of(), rc));
    }

    @Test
    void loopbackIsDecidedFromTheTextAlone() {
        assertTrue(LocalRedisAddress.isLoopback("localhost"));
        assertTrue(LocalRedisAddress.isLoopback("LOCALHOST"));
        assertTrue(LocalRedisAddress.isLoopback("127.0.0.1"));
        assertTrue(LocalRedisAddress.isLoopback("127.255.3.4"));
        assertTrue(LocalRedisAddress.isLoopback("::1"));
        assertFalse(LocalRedisAddress.isLoopback("127.0.0.256"));
        assertFalse(LocalRedisAddress.isLoopback("128.0.0.1"));
        assertFalse(LocalRedisAddress.isLoopback("0.0.0.0"));
        assertFalse(LocalRedisAddress.isLoopback("localhost.example.com"));
        assertFalse(LocalRedisAddress.isLoopback("::"));
    }
}
