package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spindle.runtime.SpindleApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WAGI argv as Spin builds it, end to end: a guest that prints its own argv, behind the real server. */
class WagiArgvTest {
    static final String MANIFEST = """
            spin_manifest_version = 2
            [application]
            name = "wagi-argv"
            [variables]
            redis_address = { default = "unused" }
            [[trigger.http]]
            route = "/test"
            component = "args"
            executor = { type = "wagi" }
            [[trigger.http]]
            route = "/custom/..."
            component = "args"
            executor = { type = "wagi", argv = "tool --script=${SCRIPT_NAME} ${ARGS} end" }
            [component.args]
            source = "%s"
            """;

    static SpindleApp app;
    static HttpTriggerServer server;
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start(@TempDir Path dir) {
        app = TestApps.load(dir, MANIFEST.formatted(TestApps.wasm("wagi-args")), "redis://127.0.0.1:1", new TestApps.CapturingLog());
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0).withShutdownGrace(Duration.ofSeconds(1)));
    }

    @AfterAll
    static void stop() {
        server.close();
        app.close();
    }

    static String argvOf(String pathAndQuery) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.ofString("Fermyon")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** Spin's own WAGI test: POST /test?abc=def runs with ["/test", "abc=def"]. */
    @Test
    void queryItemsContainingEqualsArePassedAsSpinPassesThem() throws Exception {
        assertEquals("/test\nabc=def\n", argvOf("/test?abc=def"));
        assertEquals("/test\nx\ny\n", argvOf("/test?x&y"));
        assertEquals("/test\n", argvOf("/test"));
        assertEquals("/test\na%20b\nc=d%3D\n", argvOf("/test?a%20b&c=d%3D"));
    }

    @Test
    void customArgvTemplateGetsTheRequestPathAndTheQueryItems() throws Exception {
        assertEquals("tool\n--script=/custom/deeper\nk=v\nw\nend\n", argvOf("/custom/deeper?k=v&w"));
    }
}
