package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A component with a construct Spindle does not run is refused when the app loads — what
 * {@code spindle run} and {@code spindle check} print — in one line naming the component and the
 * construct (the decoder's own cases, byte by byte, are in ComponentDecoderTest).
 */
class ComponentLoadErrorsTest {
    private static final int[] HEADER = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};

    /** A component of one section: {@code id}, then {@code content} (shorter than 128 bytes). */
    private static byte[] component(int id, int... content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b : HEADER) {
            out.write(b);
        }
        out.write(id);
        out.write(content.length);
        for (int b : content) {
            out.write(b);
        }
        return out.toByteArray();
    }

    private static String refusal(Path dir, byte[] wasm) throws Exception {
        Files.write(dir.resolve("guest.wasm"), wasm);
        Path manifest = dir.resolve("spin.toml");
        Files.writeString(manifest, """
                spin_manifest_version = 2
                [application]
                name = "refused"
                [[trigger.http]]
                route = "/..."
                component = "newer"
                [component.newer]
                source = "guest.wasm"
                """);
        LoadException e = assertThrows(LoadException.class,
                () -> Spindle.load(manifest, SpindleOptions.builder().environment(Map.of()).build()).close());
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.contains("component \"newer\""), m);
        return m;
    }

    @Test
    void anAsyncFunctionTypeIsNamed(@TempDir Path dir) throws Exception {
        // type section: 1 type, func async (0x43), no params, no result
        assertTrue(refusal(dir, component(7, 1, 0x43, 0x00, 0x01, 0x00)).contains("async function type"));
    }

    @Test
    void anAsyncBuiltinIsNamed(@TempDir Path dir) throws Exception {
        // canon section: 1 definition, task.return (0x09) with no result and no options
        assertTrue(refusal(dir, component(8, 1, 0x09, 0x01, 0x00, 0x00)).contains("task.return"));
    }

    @Test
    void aStreamTypeIsNamed(@TempDir Path dir) throws Exception {
        assertTrue(refusal(dir, component(7, 1, 0x66, 0x00)).contains("stream type"));
    }

    @Test
    void aTruncatedComponentNamesTheByteOffset(@TempDir Path dir) throws Exception {
        byte[] whole = component(7, 1, 0x66, 0x00);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 2);
        String m = refusal(dir, cut);
        assertTrue(m.contains("at byte "), m);
    }
}
