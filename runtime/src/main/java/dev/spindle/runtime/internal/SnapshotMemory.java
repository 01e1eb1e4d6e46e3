package dev.spindle.runtime.internal;

import static com.dylibso.chicory.runtime.ConstantEvaluators.computeConstantValue;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A guest's linear memory that can be put back to a saved {@link Image} for the cost of what the
 * guest wrote since: one flat byte array, plus one "card" byte per 4 KiB that every write marks
 * (as a garbage collector's card table does). {@link #restore} copies back only the marked cards.
 *
 * <p>This is how a pooled instance gets a fresh copy of its pre-initialized state for every
 * invocation: an empty handler dirties a few cards (its stack frames, a heap block), so resetting
 * it costs a few KiB of copying instead of the whole memory (1.1 MiB for a Rust guest).
 *
 * <p>Every write the guest can make goes through this class — compiled code, the interpreter,
 * WASI and the host's {@code GuestMemory} all use the {@link Memory} interface — so no write
 * escapes the cards. A scalar store marks the card of its first byte only; a store that runs into
 * the next card spills at most 7 bytes there, so a restored card is copied with an 8-byte tail.
 * Bulk writes (data segments, {@code memory.fill}, {@code memory.copy}, host writes) mark every
 * card they cover.
 *
 * <p>Memory grown by {@code memory.grow} is handed out zeroed when it becomes addressable (the
 * array may keep bytes a previous invocation wrote beyond the image's size; they are cleared before
 * any guest can read them), and {@link #restore} shrinks the memory back to the image's size.
 *
 * <p>Not for shared (threads) memories: like a Chicory instance, it is used by one thread at a time.
 */
final class SnapshotMemory implements Memory {
    static final int CARD_SHIFT = 12;
    static final int CARD_SIZE = 1 << CARD_SHIFT;
    /** What a scalar store may write past the card of its first byte (an i64 at the card's last byte). */
    private static final int SPILL = 8;
    /** An idle pooled memory keeps at most this much capacity above its image; more is released at restore. */
    static final int RETAINED_GROWTH_BYTES = 16 << 20;

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * The state a memory is restored to: its bytes, its size in pages, and its data segments
     * (an instance's memory keeps its own copy of the segment list). Immutable once taken; shared
     * by every pooled instance of a component.
     */
    static final class Image {
        private final byte[] bytes;
        private final int pages;
        private final DataSegment[] segments;

        private Image(byte[] bytes, int pages, DataSegment[] segments) {
            this.bytes = bytes;
            this.pages = pages;
            this.segments = segments;
        }

        int pages() {
            return pages;
        }

        int sizeBytes() {
            return bytes.length;
        }
    }

    private final MemoryLimits limits;
    private final int maxBytes;
    private byte[] bytes;      // capacity; [0, size) is addressable, [size, capacity) is garbage until grown into
    private byte[] cards;      // one per CARD_SIZE bytes of capacity: non-zero once written since the last image or restore
    private int size;          // bytes addressable: pages * PAGE_SIZE
    private DataSegment[] segments = new DataSegment[0];

    SnapshotMemory(MemoryLimits limits) {
        if (limits.shared()) {
            throw new IllegalArgumentException("shared memories are not pooled");
        }
        this.limits = limits;
        this.maxBytes = Memory.bytes(Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES));
        this.size = Memory.bytes(limits.initialPages());
        this.bytes = new byte[size];
        this.cards = new byte[cardsFor(size)];
    }

    private static int cardsFor(int bytes) {
        return (bytes >>> CARD_SHIFT) + 2;
    }

    // ---- images ----

    /** The current contents as an image (the cards are cleared: later writes count from here). */
    Image capture() {
        Arrays.fill(cards, (byte) 0);
        return new Image(Arrays.copyOf(bytes, size), size / PAGE_SIZE, segments.clone());
    }

    /**
     * Puts the memory back to {@code image}: the cards written since the last capture or restore
     * are copied back, memory grown since is dropped (and zeroed before it is handed out again).
     * With {@code full}, every byte is copied (a memory that has never held the image).
     */
    void restore(Image image, boolean full) {
        int imageSize = image.bytes.length;
        if (full) {
            ensureCapacity(imageSize);
            System.arraycopy(image.bytes, 0, bytes, 0, imageSize);
            Arrays.fill(cards, (byte) 0);
        } else {
            restoreCards(image, (size + CARD_SIZE - 1) >>> CARD_SHIFT);
        }
        if (bytes.length > imageSize + RETAINED_GROWTH_BYTES) {
            bytes = Arrays.copyOf(bytes, imageSize); // the guest grew far: give the capacity back
            cards = new byte[cardsFor(imageSize)];
        }
        size = imageSize;
        if (segments.length != image.segments.length) {
            segments = image.segments.clone();
        } else {
            System.arraycopy(image.segments, 0, segments, 0, segments.length);
        }
    }

    private void restoreCards(Image image, int usedCards) {
        byte[] saved = image.bytes;
        int imageSize = saved.length;
        int card = 0;
        while (card < usedCards) {
            if (card + 8 <= cards.length && (long) LONG.get(cards, card) == 0L) {
                card += 8; // eight clean cards at once: the common case
                continue;
            }
            if (cards[card] != 0) {
                cards[card] = 0;
                int from = card << CARD_SHIFT;
                if (from < imageSize) {
                    int to = Math.min(from + CARD_SIZE + SPILL, imageSize);
                    System.arraycopy(saved, from, bytes, from, to - from);
                }
            }
            card++;
        }
    }

    /** Bytes the guest can address now. */
    int sizeBytes() {
        return size;
    }

    /** Bytes held (the capacity), for the pool's accounting. */
    int capacityBytes() {
        return bytes.length;
    }

    // ---- bounds and cards ----

    private int check(int addr, int length) {
        if (addr < 0 || addr > size - length) {
            throw outOfBounds(addr, length);
        }
        return addr;
    }

    private WasmRuntimeException outOfBounds(long addr, long length) {
        return new WasmRuntimeException("out of bounds memory access: attempted to access address: " + addr
                + " but limit is: " + size + " and size: " + length);
    }

    private void markRange(int addr, int length) {
        if (length > 0) {
            Arrays.fill(cards, addr >>> CARD_SHIFT, ((addr + length - 1) >>> CARD_SHIFT) + 1, (byte) 1);
        }
    }

    private void checkRange(int addr, int length, int limit) {
        if (addr < 0 || length < 0 || (long) addr + length > limit) {
            throw outOfBounds(Integer.toUnsignedLong(addr), Integer.toUnsignedLong(length));
        }
    }

    /** Makes the array hold {@code needed} bytes; throws OutOfMemoryError, with nothing changed, if the heap has no room. */
    private void ensureCapacity(int needed) {
        if (needed > bytes.length) {
            // Geometric growth, so a guest growing one page at a time does not copy its memory each time.
            int capacity = (int) Math.max(needed, Math.min(maxBytes, (long) bytes.length + (bytes.length >> 1)));
            byte[] grown;
            try {
                grown = Arrays.copyOf(bytes, capacity);
            } catch (OutOfMemoryError e) {
                if (capacity == needed) {
                    throw e;
                }
                grown = Arrays.copyOf(bytes, needed); // the heap may still have room for what was asked
            }
            cards = Arrays.copyOf(cards, cardsFor(grown.length));
            bytes = grown;
        }
    }

    // ---- Memory: size ----

    @Override
    public int pages() {
        return size / PAGE_SIZE;
    }

    @Override
    public int grow(int delta) {
        int before = pages();
        long after = (long) before + delta;
        if (delta < 0 || after > maximumPages()) {
            return -1;
        }
        int newSize = Memory.bytes((int) after);
        int keptGarbage = Math.min(newSize, bytes.length);
        if (keptGarbage > size) {
            Arrays.fill(bytes, size, keptGarbage, (byte) 0); // what an earlier invocation left past the image
        }
        try {
            ensureCapacity(newSize);
        } catch (OutOfMemoryError e) {
            // The JVM's heap has no room for this much linear memory (guests share the heap, capped by
            // -Xmx). To the guest that is a failed memory.grow, which the spec allows and its allocator
            // reports its own way; the memory is unchanged, and only this one array was refused, so the
            // host goes on serving. Thrown on, it would fail the invocation as a host error instead.
            return -1;
        }
        size = newSize;
        return before;
    }

    @Override
    public int initialPages() {
        return limits.initialPages();
    }

    @Override
    public int maximumPages() {
        return Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES);
    }

    @Override
    public boolean shared() {
        return false;
    }

    // ---- Memory: instantiation ----

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        initialize(instance, dataSegments, 0);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
        if (dataSegments == null) {
            return;
        }
        this.segments = dataSegments.clone();
        for (DataSegment s : dataSegments) {
            if (s instanceof ActiveDataSegment segment && segment.index() == memoryIndex) {
                int offset = (int) computeConstantValue(instance, segment.offsetInstructions())[0];
                byte[] data = segment.data();
                if (offset < 0 || (long) offset + data.length > size) {
                    throw new UninstantiableException("out of bounds memory access");
                }
                write(offset, data, 0, data.length);
            }
        }
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int length) {
        byte[] data = segments[segmentId].data();
        write(dest, data, offset, length);
    }

    @Override
    public void drop(int segment) {
        segments[segment] = com.dylibso.chicory.wasm.types.PassiveDataSegment.EMPTY;
    }

    @Override
    public void zero() {
        Arrays.fill(bytes, 0, size, (byte) 0);
        markRange(0, size);
    }

    // ---- Memory: bulk ----

    @Override
    public void write(int addr, byte[] data, int offset, int length) {
        checkRange(offset, length, data.length);
        checkRange(addr, length, size);
        System.arraycopy(data, offset, bytes, addr, length);
        markRange(addr, length);
    }

    @Override
    public byte[] readBytes(int addr, int length) {
        checkRange(addr, length, size);
        return Arrays.copyOfRange(bytes, addr, addr + length);
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        int length = toIndex - fromIndex;
        checkRange(fromIndex, length, size);
        Arrays.fill(bytes, fromIndex, toIndex, value);
        markRange(fromIndex, length);
    }

    @Override
    public void copy(int dest, int src, int length) {
        checkRange(dest, length, size);
        checkRange(src, length, size);
        System.arraycopy(bytes, src, bytes, dest, length); // arraycopy handles overlap
        markRange(dest, length);
    }

    // ---- Memory: scalars ----

    @Override
    public byte read(int addr) {
        return bytes[check(addr, 1)];
    }

    @Override
    public void writeByte(int addr, byte data) {
        bytes[check(addr, 1)] = data;
        cards[addr >>> CARD_SHIFT] = 1;
    }

    @Override
    public short readShort(int addr) {
        return (short) SHORT.get(bytes, check(addr, 2));
    }

    @Override
    public long readU16(int addr) {
        return readShort(addr) & 0xFFFFL;
    }

    @Override
    public void writeShort(int addr, short data) {
        SHORT.set(bytes, check(addr, 2), data);
        cards[addr >>> CARD_SHIFT] = 1;
    }

    @Override
    public int readInt(int addr) {
        return (int) INT.get(bytes, check(addr, 4));
    }

    @Override
    public void writeI32(int addr, int data) {
        INT.set(bytes, check(addr, 4), data);
        cards[addr >>> CARD_SHIFT] = 1;
    }

    @Override
    public long readLong(int addr) {
        return (long) LONG.get(bytes, check(addr, 8));
    }

    @Override
    public void writeLong(int addr, long data) {
        LONG.set(bytes, check(addr, 8), data);
        cards[addr >>> CARD_SHIFT] = 1;
    }

    @Override
    public float readFloat(int addr) {
        return (float) FLOAT.get(bytes, check(addr, 4));
    }

    @Override
    public long readF32(int addr) {
        return readInt(addr);
    }

    @Override
    public void writeF32(int addr, float data) {
        FLOAT.set(bytes, check(addr, 4), data);
        cards[addr >>> CARD_SHIFT] = 1;
    }

    @Override
    public double readDouble(int addr) {
        return (double) DOUBLE.get(bytes, check(addr, 8));
    }

    @Override
    public long readF64(int addr) {
        return readLong(addr);
    }

    @Override
    public void writeF64(int addr, double data) {
        DOUBLE.set(bytes, check(addr, 8), data);
        cards[addr >>> CARD_SHIFT] = 1;
    }

    // ---- Memory: atomics on an unshared memory (one thread: the defaults, locking this) ----

    @Override
    @SuppressWarnings("removal")
    public Object lock(int address) {
        return this;
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, int expected, long timeout) {
        throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, long expected, long timeout) {
        throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }

    @Override
    @SuppressWarnings("removal")
    public int notify(int address, int maxThreads) {
        return 0;
    }
}
