package dev.spindle.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorpusTest {
    @Test
    void everyV2ManifestLoads() throws Exception {
        assertAllLoad("v2", 54);
    }

    @Test
    void everyV1ManifestLoads() throws Exception {
        assertAllLoad("v1", 36);
    }

    private static void assertAllLoad(String folder, int expected) throws Exception {
        List<Path> files = Corpus.manifests(folder);
        assertEquals(expected, files.size(), "corpus " + folder + " size");
        List<String> failures = new ArrayList<>();
        for (Path f : files) {
            try {
                ManifestLoader.load(f);
            } catch (ManifestException e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " failed:\n" + String.join("\n", failures));
        }
    }

    @Test
    void everyInvalidManifestIsRejectedWithOneLine() throws Exception {
        List<Path> files = Corpus.manifests("invalid");
        assertEquals(8, files.size(), "invalid corpus size");
        for (Path f : files) {
            ManifestException e = assertThrows(ManifestException.class, () -> ManifestLoader.load(f), f.toString());
            String m = e.getMessage();
            assertTrue(m.contains(f.getFileName().toString()), m);
            assertFalse(m.contains("\n"), m);
            assertFalse(m.contains("Exception"), m);
            assertFalse(m.contains("\tat "), m);
        }
    }
}
