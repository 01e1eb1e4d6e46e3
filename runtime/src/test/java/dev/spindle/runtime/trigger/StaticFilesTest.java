package dev.spindle.runtime.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spindle.runtime.SpindleApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file-serving guest over the component's {@code files}, as spin-fileserver does it: open,
 * {@code fstat} (WASI {@code fd_filestat_get}) for the size, read. The mount once lacked the
 * {@code unix} attribute view that Chicory's {@code fd_filestat_get} reads, so every file was a 500.
 */
class StaticFilesTest {
    static final String MANIFEST = """
            spin_manifest_version = 2
            [application]
            name = "static-files"
            [variables]
            redis_address = { default = "unused" }
            [[trigger.http]]
            route = "/static/..."
            component = "fs"
            [component.fs]
            source = "%s"
            files = [{ source = "assets", destination = "/" }]
            exclude_files = ["assets/secret/**"]
            """;

    static SpindleApp app;
    static HttpTriggerServer server;
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("assets/css"));
        Files.createDirectories(dir.resolve("assets/secret"));
        Files.writeString(dir.resolve("assets/css/site.css"), "body { color: teal }\n");
        Files.write(dir.resolve("assets/empty.txt"), new byte[0]);
        byte[] big = new byte[300_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        Files.write(dir.resolve("assets/big.bin"), big);
        Files.writeString(dir.resolve("assets/secret/key"), "hidden");
        app = TestApps.load(dir, MANIFEST.formatted(TestApps.wasm("fileserver")), "unused", new TestApps.CapturingLog());
        server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0).withShutdownGrace(Duration.ofSeconds(1)));
    }

    @AfterAll
    static void stop() {
        server.close();
        app.close();
    }

    static HttpResponse<byte[]> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void fileserverGuestCanStatAndReadMountedFiles() throws Exception {
        HttpResponse<byte[]> css = get("/static/css/site.css");
        assertEquals(200, css.statusCode(), new String(css.body()));
        assertEquals("body { color: teal }\n", new String(css.body()));
        assertEquals("21", css.headers().firstValue("x-file-size").orElse(""));

        HttpResponse<byte[]> empty = get("/static/empty.txt");
        assertEquals(200, empty.statusCode(), new String(empty.body()));
        assertEquals("0", empty.headers().firstValue("x-file-size").orElse(""));

        HttpResponse<byte[]> big = get("/static/big.bin");
        assertEquals(200, big.statusCode());
        assertEquals("300000", big.headers().firstValue("x-file-size").orElse(""));
        for (int i = 0; i < 300_000; i++) {
            if (big.body()[i] != (byte) (i * 31)) {
                throw new AssertionError("byte " + i + " differs");
            }
        }
    }

    @Test
    void missingAndExcludedFilesAre404() throws Exception {
        assertEquals(404, get("/static/css/none.css").statusCode());
        assertEquals(404, get("/static/secret/key").statusCode());
    }
}
