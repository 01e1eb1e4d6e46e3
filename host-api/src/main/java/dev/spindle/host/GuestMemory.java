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

/**
 * The one place that reads and writes guest memory: checked scalar reads and writes, strings,
 * bytes, and allocation through the guest's allocator. Layouts (where a field of a record or a
 * return area lies) are not counted here but derived by {@link dev.spindle.host.abi}, which lifts
 * and lowers values through these methods.
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
    // Exports by name, found or not (MISSING): Chicory builds a new ExportFunction, and throws for a
    // missing name, on every lookup; a pooled instance's GuestMemory lives as long as the instance.
    private final java.util.HashMap<String, ExportFunction> exports = new java.util.HashMap<>();
    // cabi_realloc's four arguments, one array kept for the next call: the guest's allocator is
    // called once per string and list lowered (twice per reply of a pipeline), and a new array each
    // time was a third of a pipeline's allocation. Chicory copies a call's arguments before the
    // guest runs (into locals, or the interpreter's frame), so the array is free once the call has
    // begun; it is taken for the call and put back after, so that an allocation made while one is
    // under way (an allocator that is a host function, and allocates) gets an array of its own.
    private long[] reallocArgs = new long[4];
    // Chunks of an ASCII string on its way into guest memory (writeAscii): a string lowered into
    // the guest (a request's method, URL, each header) then makes no array of its own. Made on
    // the first such string: a memory that lowers none (or is made for one invocation) pays nothing.
    private byte[] asciiChunk;
    private static final ExportFunction MISSING = args -> null;
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
        return readBytes(ptr, len, HostMemoryBudget.currentOrNull());
    }

    /**
     * {@link #readBytes(int, int)} charged to {@code account} (null: none), for a caller that reads
     * many pieces in one host call and looked its account up once ({@link HostMemoryBudget#currentOrNull}).
     */
    public byte[] readBytes(int ptr, int len, HostMemoryBudget.Account account) {
        checkRange(ptr, len, 1);
        if (account != null) {
            account.charge(Integer.toUnsignedLong(len), "guest data read by the host");
        }
        return memory.readBytes(ptr, len);
    }

    // ---- host-memory budget ----

    /** What a list's host copy is charged as, unless its declaration names it. */
    public static final String LIST_READ = "a guest list read by the host";

    /**
     * Charges {@code count} list elements' overhead ({@link HostMemoryBudget#ELEMENT_OVERHEAD_BYTES}
     * each) before a list of them is built on the host.
     */
    public void chargeElements(long count, String what) {
        charge(count * HostMemoryBudget.ELEMENT_OVERHEAD_BYTES, what);
    }

    /** Charges host memory about to be allocated to the current host call's account, if any. */
    private static void charge(long bytes, String what) {
        HostMemoryBudget.Account a = HostMemoryBudget.currentOrNull(); // no Optional or lambda per read
        if (a != null) {
            a.charge(bytes, what);
        }
    }

    /**
     * Charges, before a caller reads a list element by element, everything it is about to copy: the
     * list fails as a whole before its first allocation when it would not fit the budget, and each
     * element's read then draws on this. Aliased elements count every time.
     */
    public void prepay(long bytes, String what) {
        HostMemoryBudget.Account a = HostMemoryBudget.currentOrNull();
        if (a != null) {
            a.prepay(bytes, what);
        }
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

    /**
     * Copies a string's UTF-8 bytes out of guest memory without decoding them, checked as
     * {@link #readString} checks them (invalid UTF-8 is an ABI violation) and charged as
     * {@link #readBytes} charges.
     */
    public byte[] readUtf8(int ptr, int len) {
        return readUtf8(ptr, len, HostMemoryBudget.currentOrNull());
    }

    /** {@link #readUtf8(int, int)} charged to {@code account} (null: none). */
    public byte[] readUtf8(int ptr, int len, HostMemoryBudget.Account account) {
        byte[] bytes = readBytes(ptr, len, account);
        if (!isAscii(bytes)) {
            try {
                utf8.reset().decode(ByteBuffer.wrap(bytes));
            } catch (CharacterCodingException e) {
                throw new GuestTrapException("guest string at " + Integer.toUnsignedString(ptr) + " is not valid UTF-8");
            }
        }
        return bytes;
    }

    /** True when {@code bytes} are valid UTF-8. */
    public static boolean isUtf8(byte[] bytes) {
        if (isAscii(bytes)) {
            return true;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * The UTF-8 byte length of {@code s} if it is all ASCII (its UTF-8 bytes are then its chars,
     * for {@link #writeAscii}), else -1.
     */
    public static int asciiLength(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return -1;
            }
        }
        return n;
    }

    /** Writes the ASCII string {@code s} (see {@link #asciiLength}) at {@code addr} (checked), one char a byte. */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): each char's low byte, all there is of ASCII
    public void writeAscii(int addr, String s) {
        int n = s.length();
        checkRange(addr, n, 1);
        byte[] chunk = asciiChunk;
        if (chunk == null) {
            chunk = asciiChunk = new byte[256];
        }
        for (int i = 0; i < n; i += chunk.length) {
            int k = Math.min(chunk.length, n - i);
            s.getBytes(i, i + k, chunk, 0);
            memory.write(addr + i, chunk, 0, k);
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

    /**
     * Checks that a list of {@code len} fixed-size elements at {@code ptr} is aligned and inside
     * memory, before the caller reads its elements with the typed read methods.
     */
    public void checkList(int ptr, int len, int elementSize, int align) {
        checkAligned(ptr, align);
        checkRange(ptr, len, elementSize);
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

    /** Reads a (ptr, len) pair stored at {@code addr} (a string or list field of a record). */
    public Slice readSlice(int addr) {
        checkRange(addr, 1, 8);
        return new Slice(memory.readInt(addr), memory.readInt(addr + 4));
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
        long[] args = reallocArgs;
        reallocArgs = null;
        if (args == null) {
            args = new long[4];
        }
        args[0] = 0;
        args[1] = 0;
        args[2] = align;
        args[3] = size;
        int ptr;
        try {
            ptr = (int) realloc.apply(args)[0];
        } finally {
            reallocArgs = args;
        }
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

    /** The guest's exported function {@code name}, or null when it has none (looked up once per name). */
    public ExportFunction export(String name) {
        ExportFunction fn = exports.get(name);
        if (fn == null) {
            fn = export(instance, name);
            exports.put(name, fn == null ? MISSING : fn);
        }
        return fn == MISSING ? null : fn;
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

    /** The instance this memory belongs to. */
    public Instance instance() {
        return instance;
    }

    /** The raw Chicory memory, for the engine only (e.g. export calls); capabilities use the typed methods. */
    public Memory raw() {
        return memory;
    }
}
