package dev.spindle.host.abi;

import dev.spindle.host.GuestMemory;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostMemoryBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * {@code list<T>} as a Java {@link List}: (pointer, element count), size 8, align 4, two i32 when
 * flat. The elements are an array of {@code T}'s {@link WitType#size() size}, aligned to its
 * alignment. Lifting checks the whole array (alignment, bounds, the canonical ABI's 2<sup>28</sup>-1
 * byte limit) before reading any element.
 *
 * <p>Host memory: the outermost list being lifted prepays, from the lengths alone, everything the
 * lift will copy ({@link dev.spindle.host.HostMemoryBudget}), so a list over the invocation's
 * budget fails with {@link dev.spindle.host.HostMemoryExceededException} before its first copy.
 *
 * <p>A list may carry a host limit on its length ({@link #limited}): a longer list is refused
 * before its elements are read, with the exception the declaration chose (typically a domain
 * error the interface turns into an error value), so a hostile guest cannot make the host build
 * millions of objects.
 *
 * <p>A list may also carry its own {@link ElementReader} ({@link #readWith}): the generic walk
 * lifts every element through the element type's descriptors, which for a hot list of small
 * records (a Redis pipeline's commands) costs more than the work the host does with them.
 */
public final class ListType<T> extends WitType<List<T>> {

    /**
     * Reads a checked list's elements in place of the generic walk: called after the list's own
     * checks (byte length, alignment and bounds, the {@link #limited} length), it must check,
     * charge and trap exactly as lifting through the element type would (the outermost list
     * prepays its whole lift from the lengths before the first copy; see {@link #hostBytes}).
     * Declarations keep the element type, so layouts, signatures and documents are unchanged. Used
     * for an import's parameters only: an export's results lifted under wit-bindgen 0.2's
     * conventions (whose buffers the host frees) take the generic walk.
     */
    @FunctionalInterface
    public interface ElementReader<T> {
        List<T> read(AbiContext cx, int ptr, int len, String chargedAs);
    }

    /**
     * Lowers a list's elements in place of the generic walk: allocates the element array and
     * everything the elements hold through the guest's allocator in the canonical ABI's order (the
     * array first, then each element's strings and lists, depth first), writes the same bytes
     * the element type's {@code store} would, and returns the array's pointer.
     */
    @FunctionalInterface
    public interface ElementWriter<T> {
        int write(AbiContext cx, List<T> value);
    }

    /** The canonical ABI's {@code MAX_LIST_BYTE_LENGTH} (also its string limit). */
    public static final int MAX_BYTE_LENGTH = (1 << 28) - 1;

    private final WitType<T> element;
    private final long maxLength;
    private final LongFunction<? extends RuntimeException> tooLong;
    private final String chargedAs;
    private final ElementReader<T> reader; // null: the generic walk
    private final ElementWriter<T> writer; // null: the generic walk

    ListType(WitType<T> element, long maxLength, LongFunction<? extends RuntimeException> tooLong, String chargedAs) {
        this(element, maxLength, tooLong, chargedAs, null, null);
    }

    private ListType(WitType<T> element, long maxLength, LongFunction<? extends RuntimeException> tooLong, String chargedAs,
            ElementReader<T> reader, ElementWriter<T> writer) {
        super(8, 4, I32_2, true, element.holdsHandles());
        this.element = element;
        this.maxLength = maxLength;
        this.tooLong = tooLong;
        this.chargedAs = chargedAs;
        this.reader = reader;
        this.writer = writer;
    }

    public WitType<T> element() {
        return element;
    }

    /**
     * The same list type, refusing lists longer than {@code maxLength} with {@code tooLong(length)}
     * after the bounds check and before any element is read.
     */
    public ListType<T> limited(long maxLength, LongFunction<? extends RuntimeException> tooLong) {
        return new ListType<>(element, maxLength, tooLong, chargedAs, reader, writer);
    }

    /** The same list type, its elements lifted by {@code reader} (see {@link ElementReader}); lowering is unchanged. */
    public ListType<T> readWith(ElementReader<T> reader) {
        return new ListType<>(element, maxLength, tooLong, chargedAs, reader, writer);
    }

    /** The same list type, its elements lowered by {@code writer} (see {@link ElementWriter}); lifting is unchanged. */
    public ListType<T> writeWith(ElementWriter<T> writer) {
        return new ListType<>(element, maxLength, tooLong, chargedAs, reader, writer);
    }

    /** The same list type lifted and lowered by the generic walk: what a reader or writer must match. */
    public ListType<T> generic() {
        return new ListType<>(element, maxLength, tooLong, chargedAs, null, null);
    }

    /**
     * The same list type, naming what its host copy is in the message of a host-memory budget
     * refusal ("a redis command's arguments"); by default {@link GuestMemory#LIST_READ}.
     */
    public ListType<T> chargedAs(String what) {
        return new ListType<>(element, maxLength, tooLong, what, reader, writer);
    }

    @Override
    public String wit() {
        return "list<" + element.wit() + ">";
    }



    @Override
    public List<T> load(AbiContext cx, int address) {
        GuestMemory m = cx.memory();
        return lift(cx, m.readI32(address), m.readI32(address + 4));
    }

    @Override
    public List<T> liftFlat(AbiContext cx, long[] core, int at) {
        return lift(cx, (int) core[at], (int) core[at + 1]);
    }

    private List<T> lift(AbiContext cx, int ptr, int len) {
        int elementSize = element.size();
        checkByteLength(len, elementSize);
        cx.memory().checkList(ptr, len, elementSize, element.alignment());
        if (Integer.toUnsignedLong(len) > maxLength) {
            throw tooLong.apply(Integer.toUnsignedLong(len));
        }
        // The outermost list being lifted pays, before its first copy, for everything the lift will
        // copy (nested lists and strings included, aliased elements each time): a list over the
        // host-memory budget fails as a whole before anything is allocated. Every copy then draws
        // on that prepayment.
        if (reader != null && cx.listDepth() == 0 && !cx.collectingReturnedBuffers()) {
            List<T> out = reader.read(cx, ptr, len, chargedAs);
            cx.returnedBuffer(ptr, len * elementSize, element.alignment());
            return out;
        }
        boolean outermost = cx.enterList();
        try {
            GuestMemory m = cx.memory();
            if (outermost) {
                m.prepay(hostBytes(cx, ptr, len), chargedAs);
            }
            m.chargeElements(Integer.toUnsignedLong(len), chargedAs);
            List<T> out = new ArrayList<>(len);
            for (int i = 0; i < len; i++) {
                out.add(element.load(cx, ptr + i * elementSize));
            }
            cx.returnedBuffer(ptr, len * elementSize, element.alignment());
            return out;
        } finally {
            cx.exitList();
        }
    }

    /** What lifting the (checked) list at {@code ptr} will take of host memory. */
    private long hostBytes(AbiContext cx, int ptr, int len) {
        long total = Integer.toUnsignedLong(len) * HostMemoryBudget.ELEMENT_OVERHEAD_BYTES;
        if (element.allocates()) {
            int elementSize = element.size();
            for (int i = 0; i < len; i++) {
                total += element.hostBytes(cx, ptr + i * elementSize);
            }
        }
        return total;
    }

    @Override
    long hostBytes(AbiContext cx, int address) {
        GuestMemory m = cx.memory();
        int ptr = m.readI32(address);
        int len = m.readI32(address + 4);
        checkByteLength(len, element.size());
        m.checkList(ptr, len, element.size(), element.alignment());
        return hostBytes(cx, ptr, len);
    }

    @Override
    public void store(AbiContext cx, int address, List<T> value) {
        int ptr = lower(cx, value);
        GuestMemory m = cx.memory();
        m.writeI32(address, ptr);
        m.writeI32(address + 4, value.size());
    }

    @Override
    public void lowerFlat(AbiContext cx, List<T> value, long[] core, int at) {
        core[at] = Integer.toUnsignedLong(lower(cx, value));
        core[at + 1] = value.size();
    }

    private int lower(AbiContext cx, List<T> value) {
        if (writer != null) {
            return writer.write(cx, value);
        }
        int elementSize = element.size();
        int n = value.size();
        int array = cx.allocate(element.alignment(), Math.multiplyExact(n, elementSize));
        for (int i = 0; i < n; i++) {
            element.store(cx, array + i * elementSize, value.get(i));
        }
        return array;
    }

    /** Traps when {@code count} elements of {@code elementSize} bytes exceed the canonical ABI's limit. */
    static void checkByteLength(int count, int elementSize) {
        long bytes = Integer.toUnsignedLong(count) * elementSize;
        if (bytes > MAX_BYTE_LENGTH) {
            throw new GuestTrapException("guest list or string of " + bytes + " bytes is out of bounds: the canonical ABI allows at most "
                    + MAX_BYTE_LENGTH + " bytes");
        }
    }
}
