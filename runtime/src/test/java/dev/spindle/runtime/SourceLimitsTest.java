package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Loader limits for a component's source: /dev/zero ended in an OutOfMemoryError, a FIFO hung forever. */
class SourceLimitsTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void devZeroAsSourceIsRefusedInOneLine() throws Exception {
        assertEquals("component \"c\": source /dev/zero is a character device, not a regular file", refused("/dev/zero"));
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aFifoAsSourceIsRefusedWithoutHanging() throws Exception {
        Path fifo = dir.resolve("c.wasm");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertEquals("component \"c\": source " + fifo + " is a FIFO, not a regular file", refused(fifo.toString()));
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aSourceOverTheCapIsRefusedBeforeItIsRead() throws Exception {
        Path big = dir.resolve("big.wasm");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(200L << 20); // sparse
        }
        assertEquals("component \"c\": source " + big + " is 209,715,200 bytes, larger than the 128 MiB a component source may be",
                refused(big.toString()));
        assertEquals("component \"c\": source " + dir + " is a directory, not a regular file", refused(dir.toString()));
    }

    private String refused(String source) throws Exception {
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "limits"
                [[trigger.command]]
                component = "c"
                [component.c]
                source = "%s"
                """.formatted(source));
        return assertThrows(LoadException.class, () -> Spindle.load(manifest, SpindleOptions.defaults()).close()).getMessage();
    }
}
