package dev.spindle.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Loader limits: a 100 MB manifest parsed for 83 s and then ran out of memory; a FIFO hung the loader. */
class InputFilesTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aHundredMegabyteManifestIsRefusedBeforeItIsRead() throws Exception {
        Path manifest = dir.resolve("spin.toml");
        try (RandomAccessFile f = new RandomAccessFile(manifest.toFile(), "rw")) {
            f.setLength(100L << 20); // sparse: nothing is written, the size is what counts
        }
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.load(manifest));
        assertEquals(manifest + ": not read: it is 104,857,600 bytes, larger than the 256 KiB a manifest may be", e.getMessage());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aFifoAsTheManifestIsRefusedWithoutHanging() throws Exception {
        Path fifo = dir.resolve("spin.toml");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.load(fifo));
        assertEquals(fifo + ": not read: it is a FIFO, not a regular file", e.getMessage());
    }

    @Test
    void aDirectoryOrADeviceAsTheManifestIsRefused() {
        assertEquals(dir + ": not read: it is a directory, not a regular file",
                assertThrows(ManifestException.class, () -> ManifestLoader.load(dir)).getMessage());
        assertEquals("/dev/zero: not read: it is a character device, not a regular file",
                assertThrows(ManifestException.class, () -> ManifestLoader.load(Path.of("/dev/zero"))).getMessage());
    }

    @Test
    void aManifestAtTheCapIsRead() throws Exception {
        Path manifest = dir.resolve("spin.toml");
        String head = "spin_manifest_version = 2\n[application]\nname = \"big\"\n[[trigger.command]]\ncomponent = \"c\"\n"
                + "[component.c]\nsource = \"c.wasm\"\n";
        StringBuilder toml = new StringBuilder(head);
        while (toml.length() < InputFiles.MAX_TOML_BYTES - 100) {
            toml.append("# a comment line to fill the manifest up to its cap ............................\n");
        }
        Files.writeString(manifest, toml);
        assertEquals("big", ManifestLoader.load(manifest).application().name());
    }

    @Test
    void theReadStopsAtTheCapEvenIfTheFileGrew() throws Exception {
        Path file = dir.resolve("f");
        Files.write(file, new byte[2048]);
        InputFiles.Refused e = assertThrows(InputFiles.Refused.class, () -> InputFiles.read(file, 1024, "a test file"));
        assertTrue(e.getMessage().startsWith("is 2,048 bytes, larger than the 1 KiB a test file may be"), e.getMessage());
        assertEquals(1024, InputFiles.read(file, 2048, "a test file").length / 2);
        assertFalse(InputFiles.size(128L << 20).contains("bytes"));
    }
}
