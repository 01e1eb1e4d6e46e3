package dev.spindle.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.testing.Guests;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class ComponentDecoderTest {
    private static final byte[] COMPONENT_HEADER = {0x00, 0x61, 0x73, 0x6D, 0x0d, 0x00, 0x01, 0x00};

    /** A component of the given sections, each {id, payload...}; sizes are filled in. */
    static byte[] component(int[]... sections) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(COMPONENT_HEADER);
        for (int[] s : sections) {
            out.write(s[0]);
            out.write(s.length - 1); // every test section is shorter than 128 bytes
            for (int i = 1; i < s.length; i++) {
                out.write(s[i]);
            }
        }
        return out.toByteArray();
    }

    private static String refusal(byte[] bytes) {
        return assertThrows(ComponentFormatException.class, () -> Inliner.plan(bytes)).getMessage();
    }

    @Test
    void recognisesCoreModulesAndComponentsByTheirHeader() throws Exception {
        assertEquals(ComponentDecoder.Kind.CORE_MODULE, ComponentDecoder.kind(Files.readAllBytes(Guests.path("trap"))));
        assertEquals(ComponentDecoder.Kind.COMPONENT,
                ComponentDecoder.kind(Files.readAllBytes(Guests.path("component/redis-counter.component.wasm"))));
        assertEquals(ComponentDecoder.Kind.UNKNOWN, ComponentDecoder.kind("hello world".getBytes()));
        assertEquals(ComponentDecoder.Kind.UNKNOWN, ComponentDecoder.kind(new byte[] {0, 0x61, 0x73}));
    }

    @Test
    void aCoreModuleIsNotAComponent() throws Exception {
        String m = refusal(Files.readAllBytes(Guests.path("trap")));
        assertTrue(m.startsWith("not a WebAssembly component"), m);
    }

    @Test
    void anEmptyComponentPlansToNothing() {
        InstantiationPlan plan = Inliner.plan(component());
        assertEquals(0, plan.instantiations().size());
        assertEquals(0, plan.exports().size());
    }

    @Test
    void refusesAnAsyncFunctionTypeNamingIt() {
        // type section: 1 type, func async, 0 params, result list "none" (0x01 0x00)
        String m = refusal(component(new int[] {7, 1, 0x43, 0, 0x01, 0x00}));
        assertTrue(m.contains("async function type"), m);
    }

    @Test
    void refusesAsyncBuiltinsNamingThem() {
        // canon section: 1 definition, task.return (0x09) with no result and no options
        String m = refusal(component(new int[] {8, 1, 0x09, 0x01, 0x00, 0x00}));
        assertTrue(m.contains("task.return"), m);
        // canon lower of func 0 with the async option
        m = refusal(component(new int[] {8, 1, 0x01, 0x00, 0x00, 1, 0x06}));
        assertTrue(m.contains("canonical option async"), m);
    }

    @Test
    void refusesStreamTypesAndStartDefinitions() {
        String m = refusal(component(new int[] {7, 1, 0x66, 0x00}));
        assertTrue(m.contains("stream type"), m);
        m = refusal(component(new int[] {9, 0, 0, 0}));
        assertTrue(m.contains("start definition"), m);
    }

    @Test
    void refusesUtf16Strings() {
        String m = refusal(component(new int[] {8, 1, 0x01, 0x00, 0x00, 1, 0x01}));
        assertTrue(m.contains("string-encoding=utf16"), m);
    }

    @Test
    void truncatedSectionsAreOneLineErrorsWithTheOffset() {
        byte[] bytes = component(new int[] {7, 1, 0x40});
        String m = refusal(bytes);
        assertTrue(m.matches("unexpected end of section at byte \\d+"), m);
        byte[] lying = component(new int[] {1, 5});
        lying[9] = 100; // section claims 100 bytes, 0 follow
        m = refusal(lying);
        assertTrue(m.contains("exceeds the remaining"), m);
    }

    @Test
    void indicesOutOfRangeAreRefused() {
        // alias core export of instance 3 ("memory") as a core memory, with no core instance defined
        String m = refusal(component(new int[] {6, 1, 0x00, 0x02, 0x01, 3, 6, 'm', 'e', 'm', 'o', 'r', 'y'}));
        assertEquals("core instance index 3 is out of range (0 defined)", m);
    }

    @Test
    void deeplyNestedComponentsAreRefused() {
        byte[] inner = component();
        for (int i = 0; i < 20; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(COMPONENT_HEADER);
            out.write(4);
            writeU32(out, inner.length);
            out.writeBytes(inner);
            inner = out.toByteArray();
        }
        byte[] nested = inner;
        String m = refusal(nested);
        assertTrue(m.startsWith("components nested deeper than 16 levels"), m);
    }

    private static void writeU32(ByteArrayOutputStream out, int v) {
        do {
            int b = v & 0x7F;
            v >>>= 7;
            out.write(v != 0 ? b | 0x80 : b);
        } while (v != 0);
    }
}
