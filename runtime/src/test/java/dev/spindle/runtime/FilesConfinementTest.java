package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code files} let a guest read any host file: a symlink in the app directory, a {@code ..}
 * source and an absolute source each handed it /etc/passwd. Every copied file must now lie inside
 * the manifest's directory once links are resolved; the error is one line naming the entry.
 */
class FilesConfinementTest {
    @TempDir
    Path tmp;
    Path app;

    @BeforeEach
    void appDirectory() throws Exception {
        app = Files.createDirectories(tmp.resolve("deep/app"));
        Files.createDirectories(app.resolve("static"));
        Files.writeString(app.resolve("static/hello.txt"), "hello from a mounted file\n");
        Files.writeString(tmp.resolve("outside.txt"), "host secret\n");
    }

    @Test
    void aSymlinkToAHostFileMatchedByAPatternIsRefused() throws Exception {
        Files.createSymbolicLink(app.resolve("passwd"), Path.of("/etc/passwd"));
        LoadException e = refused("files = [\"*\"]");
        assertTrue(e.getMessage().startsWith("component \"files\": files pattern \"*\" reaches /etc/passwd through a symbolic link (passwd),"
                + " outside the app directory "), e.getMessage());
    }

    @Test
    void aDotDotSourceIsRefused() throws Exception {
        LoadException e = refused("files = [{ source = \"../../etc/passwd\", destination = \"/passwd\" }]");
        assertTrue(e.getMessage().startsWith("component \"files\": files source \"../../etc/passwd\" climbs out of the app directory with `..`"),
                e.getMessage());
        assertTrue(refused("files = [\"../*.txt\"]").getMessage().contains("files pattern \"../*.txt\" climbs out"));
    }

    @Test
    void anAbsoluteSourceOrPatternIsRefused() throws Exception {
        LoadException e = refused("files = [{ source = \"/etc/passwd\", destination = \"/passwd\" }]");
        assertTrue(e.getMessage().startsWith("component \"files\": files source \"/etc/passwd\" has an absolute source;"), e.getMessage());
        assertTrue(refused("files = [\"/etc/*\"]").getMessage().contains("files pattern \"/etc/*\" has an absolute pattern"));
    }

    @Test
    void aSymlinkInsideAPlacedDirectoryThatLeavesItIsRefused() throws Exception {
        Files.createSymbolicLink(app.resolve("static/leak.txt"), tmp.resolve("outside.txt"));
        LoadException e = refused("files = [{ source = \"static\", destination = \"/\" }]");
        assertTrue(e.getMessage().contains("reaches " + tmp.toRealPath().resolve("outside.txt") + " through a symbolic link (static/leak.txt)"),
                e.getMessage());
        Files.delete(app.resolve("static/leak.txt"));
        Files.createSymbolicLink(app.resolve("linked"), tmp);
        assertTrue(refused("files = [{ source = \"linked\", destination = \"/\" }]").getMessage().contains("through a symbolic link (linked)"));
    }

    @Test
    void symlinksThatStayInsideTheAppDirectoryStillWork() throws Exception {
        Files.createDirectories(app.resolve("mount"));
        Files.createSymbolicLink(app.resolve("mount/hello.txt"), app.resolve("static/hello.txt"));
        try (SpindleApp loaded = Spindle.load(manifest("files = [{ source = \"mount\", destination = \"/\" }]"), SpindleOptions.defaults())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            loaded.runCommand("files", new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream()));
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("hello from a mounted file\n"), out.toString(StandardCharsets.UTF_8));
        }
    }

    /** A FIFO blocks whoever opens it for reading until a writer comes: it must be refused unopened. */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aFifoAsAFilesSourceIsRefusedWithoutHanging() throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", app.resolve("pipe").toString()).start();
        assertEquals(0, mkfifo.waitFor());
        LoadException e = refused("files = [{ source = \"pipe\", destination = \"/pipe\" }]");
        assertTrue(e.getMessage().contains("files source \"pipe\" names ") && e.getMessage().endsWith("is a FIFO, not a regular file"),
                e.getMessage());
    }

    private LoadException refused(String files) throws Exception {
        Path manifest = manifest(files);
        LoadException e = assertThrows(LoadException.class, () -> Spindle.load(manifest, SpindleOptions.defaults()).close());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    private Path manifest(String files) throws Exception {
        Path manifest = app.resolve("spin.toml");
        Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "files"
                [[trigger.command]]
                component = "files"
                [component.files]
                source = "%s"
                %s
                """.formatted(Guests.path("files.wasm").toString().replace("\\", "/"), files));
        return manifest;
    }
}
