package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.manifest.ManifestException;
import dev.spindle.runtime.trigger.AppHandler;
import dev.spindle.runtime.trigger.HttpEntry;
import dev.spindle.runtime.trigger.RedisEntry;
import dev.spindle.testing.Guests;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The typed entry points and the Jetty adapter of docs/embedding.md (issue 15 item 6): each
 * documented snippet is compiled and run here, and {@link #docsShowTheSnippetsVerbatim} checks
 * that the page shows exactly the lines between the markers.
 */
@ExtendWith(RedisServerExtension.class)
class EmbeddingEntryPointsTest {
    @TempDir
    Path dir;

    RedisServer redis;
    SpindleOptions options;

    @BeforeEach
    void setUp(RedisServer redis) {
        this.redis = redis;
        redis.flushAll();
        this.options = SpindleOptions.builder().variable("redis_address", redis.uri()).build();
    }

    static Path example(String name) {
        return Guests.repoRoot().resolve("examples/" + name + "/spin.toml");
    }

    @Test
    void httpHandleServesARouteWithoutASocket() {
        Path manifest = example("hello-redis");
        String first;
        String second;
        // HTTP SNIPPET START
        try (SpindleApp app = Spindle.load(manifest, options)) {
            HttpEntry.Response response = app.http().handle(HttpEntry.Request.get("/"));
            first = response.bodyText();                                     // "1\n": the guest INCRed its counter
            second = app.http().handle(HttpEntry.Request.get("/").withHeader("accept", "text/plain")).bodyText();
            int missing = app.http().handle(HttpEntry.Request.get("/nowhere")).status(); // 404, as over HTTP
        }
        // HTTP SNIPPET END
        assertEquals("1\n", first);
        assertEquals("2\n", second);
        assertEquals("2", redis.withJedis(j -> j.get("hello-redis:count")));
    }

    @Test
    void httpHandleGivesSpinsHeadersAndHidesForgedOnesLikeTheServer() throws IOException {
        Path manifest = Files.writeString(dir.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "wagi"
                [[trigger.http]]
                route = "/w/..."
                component = "w"
                executor = { type = "wagi" }
                [[trigger.http]]
                route = "/static"
                static_response = { status_code = 203, body = "fixed" }
                [component.w]
                source = "%s"
                """.formatted(Guests.path("wagi-hello.wasm").toString().replace("\\", "/")));
        try (SpindleApp app = Spindle.load(manifest, SpindleOptions.defaults())) {
            HttpEntry.Response r = app.http().handle(HttpEntry.Request.get("/w/a/b?x=1").withHeader("spin-path-info", "/forged"));
            assertEquals(201, r.status());
            assertEquals("hello from wagi, path=/a/b\n", r.bodyText());
            assertEquals("yes", r.header("X-CUSTOM").orElseThrow());
            assertEquals(203, app.http().handle(HttpEntry.Request.get("/static")).status());
            assertEquals("fixed", app.http().handle(HttpEntry.Request.get("/static")).bodyText());
            assertEquals(0, app.http().handle(new HttpEntry.Request("HEAD", "/w/x", List.of(), null)).body().length, "HEAD has no body");
            assertThrows(IllegalArgumentException.class, () -> HttpEntry.Request.get("relative"));
        }
    }

    @Test
    void aFailingComponentIsA500AsOverHttp() throws IOException {
        Path manifest = Files.writeString(dir.resolve("spin.toml"), """
                spin_manifest_version = 2
                [application]
                name = "trap"
                [[trigger.http]]
                route = "/"
                component = "t"
                [component.t]
                source = "%s"
                """.formatted(Guests.path("http-trap.wasm").toString().replace("\\", "/")));
        try (SpindleApp app = Spindle.load(manifest, SpindleOptions.builder().log((l, c, m) -> { }).build())) {
            HttpEntry.Response r = app.http().handle(HttpEntry.Request.get("/"));
            assertEquals(500, r.status());
            assertEquals("component failed\n", r.bodyText());
        }
    }

    @Test
    void redisDeliverHandsAMessageToTheSubscribedComponents() {
        Path manifest = example("pubsub");
        List<RedisEntry.Delivery> handled;
        String messages;
        // REDIS SNIPPET START
        try (SpindleApp app = Spindle.load(manifest, options)) {
            handled = app.redis().deliver("pubsub-demo", "hello".getBytes(StandardCharsets.UTF_8)); // no SUBSCRIBE, no PUBLISH
            messages = app.http().handle(HttpEntry.Request.get("/messages")).bodyText();           // "hello\n"
        }
        // REDIS SNIPPET END
        assertEquals(List.of(new RedisEntry.Delivery("recorder", true)), handled);
        assertEquals("hello\n", messages);
        try (SpindleApp app = Spindle.load(manifest, options)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> app.redis().deliver("other", new byte[0]));
            assertEquals("no redis trigger of " + manifest + " listens on channel \"other\" (channels: pubsub-demo)", e.getMessage());
        }
    }

    @Test
    void cronFireRunsATriggerNow() {
        Path manifest = example("queue");
        int exit;
        String results;
        // CRON SNIPPET START
        try (SpindleApp app = Spindle.load(manifest, options)) {
            app.http().handle(HttpEntry.Request.post("/jobs", "resize photo 1".getBytes(StandardCharsets.UTF_8)));
            exit = app.cron().fire("worker-cron-trigger");                   // or the component's id, "worker"
            results = app.http().handle(HttpEntry.Request.get("/results")).bodyText();
        }
        // CRON SNIPPET END
        assertEquals(0, exit);
        assertTrue(results.contains("job 1: RESIZE PHOTO 1"), results);
        try (SpindleApp app = Spindle.load(manifest, options)) {
            assertEquals(0, app.cron().fire("worker"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> app.cron().fire("nightly"));
            assertEquals("no cron trigger \"nightly\" in " + manifest + " (cron triggers: worker-cron-trigger (component worker))", e.getMessage());
        }
    }

    @Test
    void anAppMountsInsideAnExistingJettyServer() throws Exception {
        Path manifest = example("hello-redis");
        HttpClient client = HttpClient.newHttpClient();
        // JETTY SNIPPET START
        try (SpindleApp app = Spindle.load(manifest, options)) {
            Server server = new Server();                                    // the service's own server
            ServerConnector connector = new ServerConnector(server);
            server.addConnector(connector);
            server.setHandler(new ContextHandlerCollection(
                    new ContextHandler(new AppHandler(app), "/wasm"),          // the app's routes, below /wasm
                    new ContextHandler(new Handler.Abstract() {                // the service's other handlers
                        @Override
                        public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                              Callback callback) {
                            org.eclipse.jetty.server.Response.writeError(request, response, callback, 418);
                            return true;
                        }
                    }, "/other")));
            server.start();
            try {
                String base = "http://127.0.0.1:" + connector.getLocalPort();
                HttpResponse<String> counted = client.send(HttpRequest.newBuilder(URI.create(base + "/wasm/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals("1\n", counted.body());                           // hello-redis's route "/" under /wasm
                assertEquals(418, client.send(HttpRequest.newBuilder(URI.create(base + "/other/")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            } finally {
                server.stop();
            }
        }
        // JETTY SNIPPET END
    }

    @Test
    void theJettyAdapterRefusesATooLargeBody() throws Exception {
        try (SpindleApp app = Spindle.load(example("pubsub"), options)) {
            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            server.addConnector(connector);
            server.setHandler(new AppHandler(app, 4));
            server.start();
            try {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/publish"))
                        .POST(HttpRequest.BodyPublishers.ofString("too long")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(413, r.statusCode());
                assertEquals("request body larger than 4 bytes\n", r.body());
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void aManifestLoadsFromAStringOrAStream() throws IOException {
        String toml = Files.readString(example("hello-redis"));
        Path nominal = example("hello-redis");
        // STRING SNIPPET START
        try (SpindleApp app = Spindle.load(toml, nominal, options)) {     // nominal: named in messages; its directory finds hello.wasm
            assertEquals("1\n", app.http().handle(HttpEntry.Request.get("/")).bodyText());
        }
        try (SpindleApp app = Spindle.load(new ByteArrayInputStream(toml.getBytes(StandardCharsets.UTF_8)), nominal, options)) {
            assertEquals("2\n", app.http().handle(HttpEntry.Request.get("/")).bodyText());
        }
        // STRING SNIPPET END
        ManifestException bad = assertThrows(ManifestException.class,
                () -> Spindle.load("spin_manifest_version = 3\n", dir.resolve("inline.toml"), options));
        assertTrue(bad.getMessage().startsWith(dir.resolve("inline.toml") + ":1:"), bad.getMessage());
        ManifestException big = assertThrows(ManifestException.class,
                () -> Spindle.load(new ByteArrayInputStream(new byte[300 * 1024]), dir.resolve("big.toml"), options));
        assertEquals(dir.resolve("big.toml") + ": the manifest is larger than 256 KiB", big.getMessage());
    }

    @Test
    void docsShowTheSnippetsVerbatim() throws IOException {
        String source = Files.readString(Guests.repoRoot().resolve("runtime/src/test/java/dev/spindle/runtime/EmbeddingEntryPointsTest.java"));
        String doc = Files.readString(Guests.repoRoot().resolve("docs/embedding.md"));
        for (String marker : new String[] {"// HTTP SNIPPET", "// REDIS SNIPPET", "// CRON SNIPPET", "// JETTY SNIPPET", "// STRING SNIPPET"}) {
            String start = marker + " START\n";
            String snippet = source.substring(source.indexOf(start) + start.length(), source.indexOf("        " + marker + " END"));
            String unindented = snippet.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).reduce("", (a, b) -> a + b + "\n");
            assertTrue(doc.contains(unindented), "docs/embedding.md must contain the snippet:\n" + unindented);
        }
    }
}
