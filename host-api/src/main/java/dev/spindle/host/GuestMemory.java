package dev.spindle.host;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.ChicoryException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one place that reads and writes guest memory with canonical-ABI layouts.
 *
 * <p>Every pointer a guest hands over is treated as hostile: offsets and lengths are unsigned
 * 32-bit values, ranges are checked against the current memory size before any read, and
 * strings must be valid UTF-8. Violations throw {@link GuestTrapException}. Memory the host
 * hands back (strings, lists) is allocated through the guest's own {@code cabi_realloc}, so the
 * guest owns and frees it.
 */
public final class GuestMemory {
    /** Name of the allocator export the canonical ABI requires for host-to-guest lists. */
    public static final String REALLOC_EXPORT = "cabi_realloc";
    /**
     * The same allocator (same signature and contract) as wit-bindgen 0.2 named it: Spin 1.x
     * guests export it instead of {@link #REALLOC_EXPORT}, which is used when both exist.
     */
    public static final String LEGACY_REALLOC_EXPORT = "canonical_abi_realloc";

    /** A (pointer, length) pair as laid out in guest memory; length counts elements. */
    public record Slice(int ptr, int len) {}

    private final Instance instance;
    private final Memory memory;
    // Cached per instance: the allocator export (by name: canonical or wit-bindgen 0.2) and a
    // strict UTF-8 decoder. An instance is used by one thread at a time.
    private String reallocName;
    private ExportFunction realloc;
    private ExportFunction reallocOverride; // a component lowering's realloc option (useRealloc): used whatever name is asked for
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    private GuestMemory(Instance instance) {
        this.instance = instance;
        this.memory = instance.memory();
        if (memory == null) {
            throw new GuestTrapException("guest exports no memory");
        }
    }

    public static GuestMemory of(Instance instance) {
        return new GuestMemory(instance);
    }

    /**
     * Makes {@code realloc} the allocator for every allocation until the next call (null: look the
     * allocator up by name again); returns the previous one. The engine switches it around each
     * host call of a component, whose lowerings share one memory but may name different reallocs.
     */
    public ExportFunction useRealloc(ExportFunction realloc) {
        ExportFunction previous = reallocOverride;
        reallocOverride = realloc;
        if (realloc == null) {
            this.realloc = null;
            this.reallocName = null;
        }
        return previous;
    }

    /** Current size in bytes; memory can grow during a call, so this is read each time. */
    private long size() {
        return (long) memory.pages() * Memory.PAGE_SIZE;
    }

    /** Checks that [ptr, ptr + count * elementSize) lies inside memory; ptr and count are u32. */
    public void checkRange(int ptr, int count, int elementSize) {
        long start = Integer.toUnsignedLong(ptr);
        long bytes = Integer.toUnsignedLong(count) * elementSize;
        if (start + bytes > size()) {
            throw new GuestTrapException(
                    "guest pointer out of bounds: "
                            + start
                            + " + "
                            + bytes
                            + " bytes exceeds memory of "
                            + size()
                            + " bytes");
        }
    }

    private void checkAligned(int ptr, int align) {
        if ((ptr & (align - 1)) != 0) {
            throw new GuestTrapException("guest pointer " + Integer.toUnsignedString(ptr) + " is not " + align + "-byte aligned");
        }
    }

    // ---- reads ----

    /**
     * Copies {@code len} bytes out of guest memory. Inside a host call the copy is first charged to
     * the invocation's host-memory budget ({@link HostMemoryBudget}): over budget, this throws
     * {@link HostMemoryExceededException} and allocates nothing.
     */
    public byte[] readBytes(int ptr, int len) {
        checkRange(ptr, len, 1);
        charge(Integer.toUnsignedLong(len), "guest data read by the host");
        return memory.readBytes(ptr, len);
    }

    // ---- host-memory budget ----

    private static final String LIST_READ = "a guest list read by the host";

    /** Charges host memory about to be allocated to the current host call's account, if any. */
    private static void charge(long bytes, String what) {
        HostMemoryBudget.current().ifPresent(a -> a.charge(bytes, what));
    }

    /**
     * Charges, before a caller reads a list element by element, everything it is about to copy: the
     * list fails as a whole before its first allocation when it would not fit the budget, and each
     * element's read then draws on this. Aliased elements count every time.
     */
    public void prepay(long bytes, String what) {
        HostMemoryBudget.current().ifPresent(a -> a.prepay(bytes, what));
    }

    /**
     * Sum of the lengths of the (ptr, len) slices of a list of {@code count} elements of
     * {@code elementSize} bytes, at {@code sliceOffsets} within each element, plus the per-element
     * overhead: what reading the list's payloads will copy. Reads only the lengths.
     */
    private long slicedListBytes(int ptr, int count, int elementSize, int... sliceOffsets) {
        long total = (long) count * HostMemoryBudget.ELEMENT_OVERHEAD_BYTES;
        for (int i = 0; i < count; i++) {
            int at = ptr + i * elementSize;
            for (int offset : sliceOffsets) {
                total += Integer.toUnsignedLong(memory.readInt(at + offset + 4));
            }
        }
        return total;
    }

    /** Reads a UTF-8 string; invalid UTF-8 is an ABI violation (the canonical ABI requires it). */
    public String readString(int ptr, int len) {
        byte[] bytes = readBytes(ptr, len);
        if (isAscii(bytes)) {
            return new String(bytes, StandardCharsets.ISO_8859_1); // the common case, no decoder pass
        }
        try {
            return utf8.reset().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new GuestTrapException("guest string at " + Integer.toUnsignedString(ptr) + " is not valid UTF-8");
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /** Reads {@code list<string>}: elements of 8 bytes (ptr @0, len @4). */
    public List<String> readStringList(int ptr, int len) {
        checkAligned(ptr, 4);
        checkRange(ptr, len, 8);
        prepay(slicedListBytes(ptr, len, 8, 0), LIST_READ);
        List<String> out = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
            int at = ptr + i * 8;
            out.add(readString(memory.readInt(at), memory.readInt(at + 4)));
        }
        return out;
    }

    /** Reads {@code list<list<u8>>}: elements of 8 bytes (ptr @0, len @4). */
    public List<byte[]> readBytesList(int ptr, int len) {
        checkAligned(ptr, 4);
        checkRange(ptr, len, 8);
        prepay(slicedListBytes(ptr, len, 8, 0), LIST_READ);
        List<byte[]> out = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
            int at = ptr + i * 8;
            out.add(readBytes(memory.readInt(at), memory.readInt(at + 4)));
        }
        return out;
    }

    /**
     * Checks that a list of {@code len} fixed-size elements at {@code ptr} is aligned and inside
     * memory, before the caller reads its elements with the typed read methods.
     */
    public void checkList(int ptr, int len, int elementSize, int align) {
        checkAligned(ptr, align);
        checkRange(ptr, len, elementSize);
    }

    /**
     * Reads {@code list<tuple<string, string>>}: elements of 16 bytes, align 4
     * (key ptr @0, key len @4, value ptr @8, value len @12).
     */
    public List<Map.Entry<String, String>> readStringPairList(int ptr, int len) {
        checkAligned(ptr, 4);
        checkRange(ptr, len, 16);
        prepay(slicedListBytes(ptr, len, 16, 0, 8), LIST_READ);
        List<Map.Entry<String, String>> out = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
            int at = ptr + i * 16;
            String key = readString(memory.readInt(at), memory.readInt(at + 4));
            String value = readString(memory.readInt(at + 8), memory.readInt(at + 12));
            out.add(Map.entry(key, value));
        }
        return out;
    }

    public int readU8(int addr) {
        checkRange(addr, 1, 1);
        return memory.read(addr) & 0xFF;
    }

    public int readU16(int addr) {
        checkRange(addr, 1, 2);
        return memory.readShort(addr) & 0xFFFF;
    }

    public int readI32(int addr) {
        checkRange(addr, 1, 4);
        return memory.readInt(addr);
    }

    public long readI64(int addr) {
        checkRange(addr, 1, 8);
        return memory.readLong(addr);
    }

    // ---- records and lists of records ----

    /** Reads a (ptr, len) pair stored at {@code addr} (a string or list field of a record). */
    public Slice readSlice(int addr) {
        checkRange(addr, 1, 8);
        return new Slice(memory.readInt(addr), memory.readInt(addr + 4));
    }

    /** Element reader for {@link #readList}: given the element's address, reads its fields. */
    @FunctionalInterface
    public interface ElementReader<T> {
        T read(int address);
    }

    /**
     * Reads {@code list<T>} of fixed-size records: checks alignment and bounds of the whole array
     * once, then hands each element's address to {@code element}, which reads the fields at their
     * layout offsets with the typed read methods (each checked again).
     */
    public <T> List<T> readList(int ptr, int len, int elementSize, int align, ElementReader<T> element) {
        checkList(ptr, len, elementSize, align);
        charge(Integer.toUnsignedLong(len) * HostMemoryBudget.ELEMENT_OVERHEAD_BYTES, LIST_READ);
        List<T> out = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
            out.add(element.read(ptr + i * elementSize));
        }
        return out;
    }

    /** Element writer for {@link #allocateList}: writes one item at its element's address. */
    @FunctionalInterface
    public interface ElementWriter<T> {
        void write(int address, T item);
    }

    /**
     * Writes {@code list<T>} of fixed-size records into a fresh guest allocation: allocates the
     * array, then hands each element's address to {@code element}, which may allocate the item's
     * own strings and lists before writing its fields.
     */
    public <T> Slice allocateList(List<T> items, int elementSize, int align, ElementWriter<T> element) {
        int array = allocateArray(align, items.size(), elementSize);
        for (int i = 0; i < items.size(); i++) {
            element.write(array + i * elementSize, items.get(i));
        }
        return new Slice(array, items.size());
    }

    // ---- writes into guest-owned areas (return areas, records) ----

    public void writeU8(int addr, int value) {
        checkRange(addr, 1, 1);
        memory.writeByte(addr, (byte) value);
    }

    public void writeU16(int addr, int value) {
        checkRange(addr, 1, 2);
        memory.writeShort(addr, (short) value);
    }

    public void writeI32(int addr, int value) {
        checkRange(addr, 1, 4);
        memory.writeI32(addr, value);
    }

    public void writeI64(int addr, long value) {
        checkRange(addr, 1, 8);
        memory.writeLong(addr, value);
    }

    /** Checks a whole return area up front, so a bad retptr traps before any side effect. */
    public void checkReturnArea(int retptr, int size, int align) {
        checkAligned(retptr, align);
        checkRange(retptr, size, 1);
    }

    // ---- allocations through the guest's cabi_realloc ----

    /** True when the guest exports {@code cabi_realloc} or {@code canonical_abi_realloc}. */
    public static boolean hasRealloc(Instance instance) {
        return export(instance, REALLOC_EXPORT) != null || export(instance, LEGACY_REALLOC_EXPORT) != null;
    }

    private static ExportFunction export(Instance instance, String name) {
        try {
            return instance.exports().function(name);
        } catch (ChicoryException e) {
            return null;
        }
    }

    /**
     * Allocates {@code size} bytes in the guest via {@code cabi_realloc(0, 0, align, size)} (or
     * {@code canonical_abi_realloc}, for a wit-bindgen 0.2 guest).
     */
    public int allocate(int align, int size) {
        return allocate(REALLOC_EXPORT, align, size);
    }

    /**
     * Allocates {@code size} bytes in the guest via its export {@code reallocExport(0, 0, align, size)}
     * ({@code cabi_realloc}, or {@code canonical_abi_realloc} for wit-bindgen 0.2 guests; asked
     * for {@code cabi_realloc}, a guest that has only {@code canonical_abi_realloc} gets that). The
     * returned pointer is checked: a misaligned or out-of-bounds allocation traps.
     */
    public int allocate(String reallocExport, int align, int size) {
        if (size == 0) {
            // Nothing is written to an empty allocation; any aligned pointer will do, so the guest's
            // allocator is not asked (it need not handle size 0).
            return align;
        }
        if (reallocOverride != null) {
            realloc = reallocOverride;
            reallocName = reallocExport;
        } else if (realloc == null || !reallocExport.equals(reallocName)) {
            ExportFunction fn = export(reallocExport);
            if (fn == null && reallocExport.equals(REALLOC_EXPORT)) {
                fn = export(LEGACY_REALLOC_EXPORT); // a wit-bindgen 0.2 guest
            }
            if (fn == null) {
                throw new GuestTrapException("guest does not export " + reallocExport
                        + (reallocExport.equals(REALLOC_EXPORT) ? " (or " + LEGACY_REALLOC_EXPORT + ")" : ""));
            }
            realloc = fn;
            reallocName = reallocExport;
        }
        int ptr = (int) realloc.apply(0, 0, align, size)[0];
        checkAligned(ptr, align);
        checkRange(ptr, size, 1);
        return ptr;
    }

    /** Calls the guest's {@code freeExport(ptr, size, align)} (wit-bindgen 0.2's {@code canonical_abi_free}). */
    public void free(String freeExport, int ptr, int size, int align) {
        ExportFunction fn = export(freeExport);
        if (fn == null) {
            throw new GuestTrapException("guest does not export " + freeExport);
        }
        fn.apply(ptr, size, align);
    }

    /** The guest's exported function {@code name}, or null when it has none. */
    public ExportFunction export(String name) {
        return export(instance, name);
    }

    /** Copies {@code data} to {@code addr} (checked). */
    public void writeBytes(int addr, byte[] data) {
        checkRange(addr, data.length, 1);
        memory.write(addr, data);
    }

    /**
     * Allocates an array of {@code count} elements of {@code elementSize} bytes for the caller to
     * fill with the typed write methods; returns its pointer.
     */
    public int allocateArray(int align, int count, int elementSize) {
        return allocate(align, Math.multiplyExact(count, elementSize));
    }

    /** Writes a (ptr, len) pair at {@code addr}, as stored in records, lists and return areas. */
    public void writeSlice(int addr, Slice slice) {
        writeI32(addr, slice.ptr());
        writeI32(addr + 4, slice.len());
    }

    /** Copies bytes into a fresh guest allocation. */
    public Slice allocateBytes(byte[] data) {
        int ptr = allocate(1, data.length);
        if (data.length > 0) {
            memory.write(ptr, data);
        }
        return new Slice(ptr, data.length);
    }

    public Slice allocateString(String s) {
        return allocateBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code list<string>} (or {@code list<list<u8>>}): an array of (ptr, len) pairs. */
    public Slice allocateBytesList(List<byte[]> items) {
        int array = allocate(4, Math.multiplyExact(items.size(), 8));
        for (int i = 0; i < items.size(); i++) {
            Slice item = allocateBytes(items.get(i));
            writeI32(array + i * 8, item.ptr());
            writeI32(array + i * 8 + 4, item.len());
        }
        return new Slice(array, items.size());
    }

    public Slice allocateStringList(List<String> items) {
        List<byte[]> bytes = new ArrayList<>(items.size());
        for (String s : items) {
            bytes.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return allocateBytesList(bytes);
    }

    /** Writes {@code list<tuple<string, string>>}: an array of 16-byte (key ptr, key len, value ptr, value len) elements. */
    public Slice allocateStringPairList(List<Map.Entry<String, String>> items) {
        int array = allocate(4, Math.multiplyExact(items.size(), 16));
        for (int i = 0; i < items.size(); i++) {
            Slice key = allocateString(items.get(i).getKey());
            Slice value = allocateString(items.get(i).getValue());
            int at = array + i * 16;
            writeI32(at, key.ptr());
            writeI32(at + 4, key.len());
            writeI32(at + 8, value.ptr());
            writeI32(at + 12, value.len());
        }
        return new Slice(array, items.size());
    }

    /** The instance this memory belongs to. */
    public Instance instance() {
        return instance;
    }

    /** The raw Chicory memory, for the engine only (e.g. export calls); capabilities use the typed methods. */
    public Memory raw() {
        return memory;
    }
}
