package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.manifest.ManifestException;
import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import dev.spindle.testing.RedisServer;
import dev.spindle.manifest.ManifestLoader;
import dev.spindle.manifest.RuntimeConfig;
import dev.spindle.redis.KeyValueCapabilityProvider;
import dev.spindle.redis.KeyValueConfig;
import dev.spindle.testing.RedisServerExtension;
import dev.spindle.testing.RedisServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key-value end to end: an app's components open their labels through
 * {@code fermyon:spin/key-value@2.0.0} (guest {@code kv-counter}), stores configured in a runtime
 * config file, behind the real HTTP server and a real redis-server.
 */
@ExtendWith(RedisServerExtension.class)
class KeyValueAppTest {
    static final String MANIFEST = """
            spin_manifest_version = 2
            [application]
            name = "%1$s"
            [[trigger.http]]
            route = "/web/..."
            component = "web"
            [[trigger.http]]
            route = "/other/..."
            component = "other"
            [component.web]
            source = "%2$s"
            key_value_stores = ["default", "sessions"]
            [component.other]
            source = "%2$s"
            key_value_stores = ["default"]
            """;

    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @BeforeEach
    void clean(RedisServer redis) {
        redis.flushAll();
    }

    Path runtimeConfig(RedisServer redis) throws Exception {
        Path file = dir.resolve("runtime-config.toml");
        Files.writeString(file, """
                [key_value_store.default]
                type = "redis"
                url = "%1$s"
                [key_value_store.sessions]
                type = "redis"
                url = "%1$s"
                """.formatted(redis.uri()));
        return file;
    }

    SpindleApp load(String appName, Path runtimeConfig) throws Exception {
        Path appDir = Files.createDirectories(dir.resolve(appName));
        Path manifest = appDir.resolve("spin.toml");
        Files.writeString(manifest, MANIFEST.formatted(appName, TestApps.wasm("kv-counter")));
        return Spindle.load(manifest, SpindleOptions.builder().environment(Map.of()).runtimeConfigFile(runtimeConfig)
                .log(new TestApps.CapturingLog()).build());
    }

    static String get(HttpTriggerServer server, String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    static HttpTriggerServer serve(SpindleApp app) {
        return HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0).withShutdownGrace(Duration.ofSeconds(1)));
    }

    @Test
    void labelsAreSeparateStoresAndUnlistedLabelsAreAccessDenied(RedisServer redis) throws Exception {
        try (SpindleApp app = load("shop", runtimeConfig(redis)); HttpTriggerServer server = serve(app)) {
            assertEquals("200 default/visits=1\n", get(server, "/web/default/visits"));
            assertEquals("200 default/visits=2\n", get(server, "/web/default/visits"));
            assertEquals("200 sessions/visits=1\n", get(server, "/web/sessions/visits"));
            assertEquals("200 default/visits=3\n", get(server, "/other/default/visits"), "one store per label, shared by components");
            assertEquals("500 open: access-denied\n", get(server, "/other/sessions/visits"));
            assertEquals("500 open: access-denied\n", get(server, "/web/elsewhere/visits"));
            get(server, "/web/default/cart");
            assertEquals(Set.of("visits", "cart"), Set.of(get(server, "/web/default/").substring(4).split("\n")));
        }
        assertEquals(Set.of("spindle:kv:shop:default:visits", "spindle:kv:shop:default:cart", "spindle:kv:shop:sessions:visits"),
                redis.withJedis(j -> j.keys("*")));
    }

    @Test
    void dataIsKeptAcrossAnAppRestartAndTwoAppsNeverShareKeys(RedisServer redis) throws Exception {
        Path rc = runtimeConfig(redis);
        try (SpindleApp app = load("shop", rc); HttpTriggerServer server = serve(app)) {
            get(server, "/web/default/visits");
            assertEquals("200 default/visits=2\n", get(server, "/web/default/visits"));
        }
        try (SpindleApp again = load("shop", rc); HttpTriggerServer server = serve(again)) {
            assertEquals("200 default/visits=3\n", get(server, "/web/default/visits"), "the restarted app sees its data");
        }
        try (SpindleApp blog = load("blog", rc); HttpTriggerServer server = serve(blog)) {
            assertEquals("200 default/visits=1\n", get(server, "/web/default/visits"), "another app starts from nothing");
            assertEquals("200 visits\n", get(server, "/web/default/"));
        }
    }

    /**
     * {@code default} with no runtime config at all: the store at the default address (here the
     * test's server, through the seam an embedded Redis uses), data kept when Spindle restarts,
     * when Redis restarts between two runs, and when Redis restarts under a running app.
     */
    @Test
    @RedisServerOptions(persistent = true)
    void theDefaultStoreNeedsNoConfigAndKeepsItsDataAcrossSpindleAndRedisRestarts(RedisServer redis) throws Exception {
        Path appDir = Files.createDirectories(dir.resolve("plain"));
        Path manifest = appDir.resolve("spin.toml");
        Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "plain"
                [[trigger.http]]
                route = "/web/..."
                component = "web"
                [component.web]
                source = "%s"
                key_value_stores = ["default"]
                """.formatted(TestApps.wasm("kv-counter")));
        assertTrue(KeyValueConfig.usesImplicitDefault(ManifestLoader.load(manifest), RuntimeConfig.empty()),
                "an app listing default with no runtime config needs the Redis at the default address");
        SpindleOptions options = SpindleOptions.builder().environment(Map.of())
                .capability(KeyValueCapabilityProvider.withDefaultStore(redis.uri())).log(new TestApps.CapturingLog()).build();
        try (SpindleApp app = Spindle.load(manifest, options); HttpTriggerServer server = serve(app)) {
            assertEquals("200 default/visits=1\n", get(server, "/web/default/visits"));
            assertEquals("200 default/visits=2\n", get(server, "/web/default/visits"));
        }
        redis.stop(); // SIGKILL between two runs of the app
        redis.start();
        try (SpindleApp app = Spindle.load(manifest, options); HttpTriggerServer server = serve(app)) {
            assertEquals("200 default/visits=3\n", get(server, "/web/default/visits"), "Spindle and Redis restarted: the data is there");
            redis.restart(); // under the running app: its pooled connections are now stale
            // The one call on the idle connection the restart killed fails (as for outbound Redis, where
            // Spindle does not retry a command that may have run); the next works; nothing is lost.
            assertTrue(get(server, "/web/default/visits").startsWith("500 "));
            assertEquals("200 default/visits=4\n", get(server, "/web/default/visits"));
        }
        assertEquals("4", redis.withJedis(j -> j.get("spindle:kv:plain:default:visits")));
    }

    /** A store on a Redis Cluster declared in the runtime config ([redis_cluster.*]), end to end through spindle's loader. */
    @Test
    void aStoreOnARedisClusterDeclaredInTheRuntimeConfig() throws Exception {
        try (dev.spindle.testing.RedisCluster cluster = dev.spindle.testing.RedisCluster.launch(3)) {
            Path rc = dir.resolve("cluster-runtime-config.toml");
            Files.writeString(rc, """
                    [redis_cluster.cache]
                    address = "redis://kv.cluster.test:6379"
                    seeds = ["%s"]
                    [key_value_store.default]
                    type = "redis"
                    url = "redis://kv.cluster.test:6379"
                    [key_value_store.sessions]
                    type = "redis"
                    url = "redis://kv.cluster.test:6379"
                    key_prefix = "sessions:"
                    """.formatted(cluster.seeds().get(1)));
            try (SpindleApp app = load("shop", rc); HttpTriggerServer server = serve(app)) {
                for (int i = 1; i <= 3; i++) {
                    assertEquals("200 default/visits=" + i + "\n", get(server, "/web/default/visits"));
                }
                assertEquals("200 sessions/cart=1\n", get(server, "/web/sessions/cart"));
            }
            String key = "spindle:kv:shop:default:visits";
            assertEquals("3", cluster.nodeFor(key).withJedis(j -> j.get(key)), "the key is on the node that owns its slot");
            assertEquals("1", cluster.nodeFor("sessions:cart").withJedis(j -> j.get("sessions:cart")));
        }
    }

    @Test
    void aLabelNoStoreIsConfiguredForRefusesTheApp(RedisServer redis) throws Exception {
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "bad"
                [[trigger.http]]
                route = "/..."
                component = "web"
                [component.web]
                source = "%s"
                key_value_stores = ["default", "cache"]
                """.formatted(TestApps.wasm("kv-counter")));
        ManifestException e = assertThrows(ManifestException.class,
                () -> Spindle.load(manifest, SpindleOptions.builder().environment(Map.of()).runtimeConfigFile(runtimeConfig(redis)).build()));
        assertTrue(e.getMessage().startsWith(manifest + ":7:1: component \"web\": key_value_stores: no store \"cache\" is configured;"
                + " add [key_value_store.cache]"), e.getMessage());
    }
}
