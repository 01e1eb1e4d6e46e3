package dev.spindle.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link SnapshotMemory}: every way of writing is undone by a restore, and grown memory never shows old bytes. */
class SnapshotMemoryTest {

    private static SnapshotMemory memory(int initialPages, int maxPages) {
        return new SnapshotMemory(new MemoryLimits(initialPages, maxPages));
    }

    private static byte[] contents(SnapshotMemory m) {
        return m.readBytes(0, m.sizeBytes());
    }

    @Test
    void randomWritesOfEveryWidthAreUndoneByRestore() {
        Random random = new Random(42);
        SnapshotMemory m = memory(3, 10);
        for (int i = 0; i < 5000; i++) {
            m.writeByte(random.nextInt(m.sizeBytes()), (byte) random.nextInt());
        }
        SnapshotMemory.Image image = m.capture();
        byte[] expected = contents(m);
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 300; i++) {
                int size = m.sizeBytes();
                switch (random.nextInt(9)) {
                    case 0 -> m.writeByte(random.nextInt(size), (byte) 1);
                    case 1 -> m.writeShort(random.nextInt(size - 1), (short) -1);
                    case 2 -> m.writeI32(random.nextInt(size - 3), -1);
                    case 3 -> m.writeLong(random.nextInt(size - 7), -1L);
                    case 4 -> m.writeF32(random.nextInt(size - 3), Float.NaN);
                    case 5 -> m.writeF64(random.nextInt(size - 7), Double.MAX_VALUE);
                    case 6 -> {
                        int from = random.nextInt(size);
                        m.fill((byte) 7, from, Math.min(size, from + random.nextInt(20_000)));
                    }
                    case 7 -> {
                        int len = random.nextInt(10_000);
                        m.copy(random.nextInt(size - len), random.nextInt(size - len), len);
                    }
                    default -> {
                        byte[] data = new byte[random.nextInt(9000)];
                        random.nextBytes(data);
                        m.write(random.nextInt(size - data.length), data, 0, data.length);
                    }
                }
            }
            if (round % 3 == 0) {
                m.grow(2);
                m.writeLong(m.sizeBytes() - 8, -1L);
            }
            m.restore(image, false);
            assertEquals(3, m.pages());
            assertArrayEquals(expected, contents(m), "round " + round);
        }
    }

    @Test
    void aStoreAcrossTwoCardsIsUndoneOnBothSides() {
        SnapshotMemory m = memory(1, 1);
        SnapshotMemory.Image image = m.capture();
        int lastByteOfFirstCard = SnapshotMemory.CARD_SIZE - 1;
        m.writeLong(lastByteOfFirstCard, -1L); // 1 byte in card 0, 7 in card 1
        m.restore(image, false);
        assertEquals(0L, m.readLong(lastByteOfFirstCard));
    }

    @Test
    void memoryGrownAgainAfterARestoreIsZeroed() {
        SnapshotMemory m = memory(1, 4);
        SnapshotMemory.Image image = m.capture();
        assertEquals(1, m.grow(2));
        m.writeLong(Memory.PAGE_SIZE * 2, 0x5EC12E7L);
        m.restore(image, false);
        assertEquals(1, m.pages());
        assertThrows(WasmRuntimeException.class, () -> m.readLong(Memory.PAGE_SIZE * 2), "no longer addressable");
        assertEquals(1, m.grow(2));
        assertEquals(0L, m.readLong(Memory.PAGE_SIZE * 2), "what the earlier invocation wrote is gone");
    }

    @Test
    void growingBeyondTheMaximumFailsAndOutOfBoundsAccessTraps() {
        SnapshotMemory m = memory(1, 2);
        assertEquals(1, m.grow(1));
        assertEquals(-1, m.grow(1));
        assertThrows(WasmRuntimeException.class, () -> m.readInt(2 * Memory.PAGE_SIZE - 3));
        assertThrows(WasmRuntimeException.class, () -> m.writeByte(-1, (byte) 0));
        assertThrows(WasmRuntimeException.class, () -> m.fill((byte) 0, 10, 2 * Memory.PAGE_SIZE + 1));
        assertThrows(WasmRuntimeException.class, () -> m.readBytes(2 * Memory.PAGE_SIZE, 1));
        m.readBytes(2 * Memory.PAGE_SIZE, 0); // an empty range at the end is in bounds
    }

    @Test
    void aMemoryThatGrewFarGivesItsCapacityBackAtRestore() {
        SnapshotMemory m = memory(1, 1000);
        SnapshotMemory.Image image = m.capture();
        m.grow(500); // ~32 MiB
        m.restore(image, false);
        assertEquals(Memory.PAGE_SIZE, m.capacityBytes());
    }

    @Test
    void aFullRestoreCopiesTheImageIntoANewMemory() {
        SnapshotMemory original = memory(1, 4);
        original.grow(1);
        original.writeI32(Memory.PAGE_SIZE + 16, 1234);
        SnapshotMemory.Image image = original.capture();
        SnapshotMemory other = memory(1, 4);
        other.restore(image, true);
        assertEquals(2, other.pages());
        assertEquals(1234, other.readInt(Memory.PAGE_SIZE + 16));
    }

    /**
     * A grow the JVM's heap has no room for fails the way memory.grow fails (-1, memory unchanged,
     * later grows still work), not with an OutOfMemoryError out of the guest's call. In a JVM of its
     * own with a 64 MiB heap, so the heap's limit is certain and no other test feels it.
     */
    @Test
    void growTheJavaHeapHasNoRoomForFailsAsMemoryGrow() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                GrowPastTheHeap.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, child.waitFor(), output);
        assertEquals("grow 2048 -> -1, pages 1; grow 1 -> 1, pages 2, last byte 0", output);
    }

    /** The child JVM of the test above: 2048 pages are 128 MiB, twice its heap. */
    static final class GrowPastTheHeap {
        public static void main(String[] args) {
            SnapshotMemory m = memory(1, 65536);
            int failed = m.grow(2048);
            int failedPages = m.pages();
            int grown = m.grow(1);
            System.out.println("grow 2048 -> " + failed + ", pages " + failedPages + "; grow 1 -> " + grown
                    + ", pages " + m.pages() + ", last byte " + m.read(m.sizeBytes() - 1));
        }
    }
}
