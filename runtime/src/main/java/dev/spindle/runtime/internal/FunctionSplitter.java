package dev.spindle.runtime.internal;

import dev.spindle.component.BinaryReader;
import dev.spindle.component.ComponentFormatException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Splits functions too large for one JVM method into pieces Chicory can compile, before it
 * compiles them.
 *
 * <p>Why: a JVM method holds at most 64 KiB of bytecode, so Chicory's compiler gives up on a Wasm
 * function of more than about 40 KB and leaves it to its interpreter, which is 10–50× slower.
 * StarlingMonkey (the JS engine inside every componentize-js component) has eight such functions
 * of 63–135 KB, among them the JS interpreter's own loop, so every JS request ran mostly
 * interpreted.
 *
 * <p>How: a structured construct ({@code block}, {@code loop} or {@code if} up to its {@code end})
 * is moved into a new function of its own and replaced by a call, repeatedly, the largest one that
 * fits first, until the function is under the limit. Wasm makes this local: a construct sees only
 * its block-type inputs on the stack, so the new function takes those, plus every local the
 * construct reads or writes, and returns the construct's results plus the locals it writes, which
 * the call site stores back. A branch from inside to a label outside (or a {@code return}) becomes
 * a branch to the end of the new function with an exit number as an extra result, and the call
 * site turns the number back into the same branch with a {@code br_table}. Only exits that carry no
 * values are handled; constructs with others, or with tail calls, stay where they are, as does any
 * function using exception handling, GC types or an opcode this class does not know. Nothing here
 * changes what the module computes: it is a refactoring the validator checks like any other code
 * (a miss parses the result with validation on).
 *
 * <p>The result is a function of the input bytes alone, so the compile cache, keyed by the digest
 * of what Chicory is given, stays consistent across runs.
 */
final class FunctionSplitter {
    /**
     * Bodies (bytes of Wasm) over this are split. HotSpot's JIT leaves a method of more than 8,000
     * bytes of bytecode to its bytecode interpreter ({@code -XX:HugeMethodLimit},
     * {@code DontCompileHugeMethods}), and Chicory's compiler emits 0.9–1.8 bytes of bytecode per
     * byte of Wasm (StarlingMonkey: median 1.33), so a body over about 4.5 KB may never run as
     * machine code; over about 40 KB it does not fit a JVM method at all and Chicory interprets it.
     * Measured on StarlingMonkey's JS requests: splitting at 40 KB (only what Chicory would
     * interpret) left them as slow as before; at 5 KB they ran 4–5× faster.
     */
    static final int THRESHOLD = 4_500;
    /** The size the pieces of a split function are brought under, with room to spare below {@link #THRESHOLD}. */
    static final int PIECE_LIMIT = 3_500;
    /** Names the algorithm and its limits in cache keys: change it when the output for a given input changes. */
    static final String VERSION = "split-1-" + THRESHOLD + "-" + PIECE_LIMIT;
    /** Constructs smaller than this are not worth a call. */
    private static final int MIN_REGION = 256;
    /** The JVM allows 255 parameter slots per method; Chicory's compiled functions add their own, and i64/f64 take two. */
    private static final int MAX_PARAM_SLOTS = 200;
    private static final int MAX_LOCALS = 50_000;

    private static final int TYPE_SECTION = 1;
    private static final int IMPORT_SECTION = 2;
    private static final int FUNCTION_SECTION = 3;
    private static final int CODE_SECTION = 10;

    private static final int BLOCK = 0x02;
    private static final int LOOP = 0x03;
    private static final int IF = 0x04;
    private static final int END = 0x0B;
    private static final int BR = 0x0C;
    private static final int BR_IF = 0x0D;
    private static final int BR_TABLE = 0x0E;
    private static final int RETURN = 0x0F;
    private static final int CALL = 0x10;
    private static final int LOCAL_GET = 0x20;
    private static final int LOCAL_SET = 0x21;
    private static final int LOCAL_TEE = 0x22;
    private static final int I32_CONST = 0x41;
    private static final int I32_EQ = 0x46;
    private static final int I32_SUB = 0x6B;
    private static final int I32 = 0x7F;
    private static final int EMPTY_BLOCK_TYPE = 0x40;

    private FunctionSplitter() {}

    /** A function type: value-type bytes of its parameters and results. */
    private record FuncType(byte[] params, byte[] results) {
        String key() {
            return Arrays.toString(params) + "->" + Arrays.toString(results);
        }
    }

    /** What cannot be split; the function (or module) is left as it is. */
    private static final class Unsplittable extends RuntimeException {
        Unsplittable(String why) {
            super(why, null, false, false);
        }
    }

    /** {@code wasm} with every function body over {@link #THRESHOLD} bytes split; the same array when none is. */
    static byte[] split(byte[] wasm) {
        return split(wasm, THRESHOLD, PIECE_LIMIT);
    }

    /** {@code wasm} with every body over {@code threshold} bytes split into pieces under {@code limit}. */
    static byte[] split(byte[] wasm, int threshold, int limit) {
        try {
            if (!hasBodyOver(wasm, threshold)) {
                return wasm; // the common case, decided by reading only the body sizes
            }
            return new FunctionSplitter.Module(wasm).split(threshold, limit);
        } catch (Unsplittable | ComponentFormatException | IndexOutOfBoundsException e) {
            return wasm; // not a module this class can rewrite: Chicory interprets what it cannot compile
        }
    }

    /** Whether any function body is over {@code limit} bytes (read from the code section's sizes alone). */
    static boolean hasBodyOver(byte[] wasm, int limit) {
        for (int size : bodySizes(wasm)) {
            if (size > limit) {
                return true;
            }
        }
        return false;
    }

    /** The size of each defined function's body, in order; none when the module cannot be read that far. */
    static int[] bodySizes(byte[] wasm) {
        try {
            BinaryReader sections = new BinaryReader(wasm, 8, wasm.length);
            while (!sections.atEnd()) {
                int id = sections.u8();
                int size = sections.u32();
                if (size > wasm.length - sections.position()) {
                    return new int[0]; // truncated: the parser says so
                }
                if (id == CODE_SECTION) {
                    BinaryReader r = new BinaryReader(wasm, sections.position(), sections.position() + size);
                    int n = r.u32();
                    int[] sizes = new int[Math.min(n, size)];
                    for (int i = 0; i < sizes.length; i++) {
                        sizes[i] = r.u32();
                        r.skip(sizes[i]);
                    }
                    return sizes;
                }
                sections.skip(size);
            }
        } catch (ComponentFormatException | IndexOutOfBoundsException e) {
            // fall through: not readable
        }
        return new int[0];
    }

    // ---- the module ----

    private static final class Module {
        private final byte[] wasm;
        private final List<FuncType> types = new ArrayList<>();
        private final Map<String, Integer> typeIndex = new HashMap<>();
        private final int originalTypes;
        private final List<Integer> functionTypes = new ArrayList<>(); // defined functions' type indices
        private final List<byte[]> bodies = new ArrayList<>();       // defined functions' bodies (without the size)
        private int importedFunctions;
        private int typeStart = -1, typeEnd, functionStart = -1, functionEnd, codeStart = -1, codeEnd;

        Module(byte[] wasm) {
            this.wasm = wasm;
            BinaryReader sections = new BinaryReader(wasm, 8, wasm.length);
            while (!sections.atEnd()) {
                int id = sections.u8();
                int size = sections.u32();
                int start = sections.position();
                BinaryReader r = new BinaryReader(wasm, start, start + size);
                switch (id) {
                    case TYPE_SECTION -> {
                        typeStart = start;
                        typeEnd = start + size;
                        readTypes(r);
                    }
                    case IMPORT_SECTION -> readImports(r);
                    case FUNCTION_SECTION -> {
                        functionStart = start;
                        functionEnd = start + size;
                        int n = r.u32();
                        for (int i = 0; i < n; i++) {
                            functionTypes.add(r.u32());
                        }
                    }
                    case CODE_SECTION -> {
                        codeStart = start;
                        codeEnd = start + size;
                        int n = r.u32();
                        for (int i = 0; i < n; i++) {
                            int len = r.u32();
                            int at = r.position();
                            r.skip(len);
                            bodies.add(Arrays.copyOfRange(wasm, at, at + len));
                        }
                    }
                    default -> { }
                }
                sections.skip(size);
            }
            originalTypes = types.size();
            if (bodies.size() != functionTypes.size()) {
                throw new Unsplittable("function and code sections disagree");
            }
        }

        private void readTypes(BinaryReader r) {
            int n = r.u32();
            for (int i = 0; i < n; i++) {
                if (r.u8() != 0x60) {
                    throw new Unsplittable("a type that is not a plain function type (GC proposal)");
                }
                FuncType t = new FuncType(valueTypes(r), valueTypes(r));
                typeIndex.putIfAbsent(t.key(), types.size());
                types.add(t);
            }
        }

        private static byte[] valueTypes(BinaryReader r) {
            int n = r.u32();
            if (n > MAX_LOCALS) {
                throw new Unsplittable("too many values");
            }
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                out[i] = valueType(r.u8());
            }
            return out;
        }

        private void readImports(BinaryReader r) {
            int n = r.u32();
            for (int i = 0; i < n; i++) {
                r.skip(r.u32()); // module name
                r.skip(r.u32()); // field name
                int kind = r.u8();
                switch (kind) {
                    case 0x00 -> {
                        r.u32();
                        importedFunctions++;
                    }
                    case 0x01 -> {
                        valueType(r.u8());
                        limits(r);
                    }
                    case 0x02 -> limits(r);
                    case 0x03 -> {
                        valueType(r.u8());
                        r.u8();
                    }
                    case 0x04 -> {
                        r.u8();
                        r.u32();
                    }
                    default -> throw new Unsplittable("import kind " + kind);
                }
            }
        }

        private static void limits(BinaryReader r) {
            int flags = r.u8();
            if (flags > 0x07) {
                throw new Unsplittable("limits flags " + flags);
            }
            r.skipLeb128();
            if ((flags & 1) != 0) {
                r.skipLeb128();
            }
        }

        byte[] split(int threshold, int limit) {
            boolean changed = false;
            int defined = bodies.size();
            for (int i = 0; i < defined; i++) {
                if (bodies.get(i).length <= threshold) {
                    continue;
                }
                List<byte[]> newBodies = new ArrayList<>();
                List<Integer> newTypes = new ArrayList<>();
                int typesBefore = types.size();
                try {
                    FuncType type = types.get(functionTypes.get(i));
                    byte[] body = new Function(this, type, bodies.get(i), newBodies, newTypes).splitUnder(limit);
                    if (body != null) {
                        bodies.set(i, body);
                        functionTypes.addAll(newTypes);
                        bodies.addAll(newBodies);
                        changed = true;
                        continue;
                    }
                } catch (Unsplittable | ComponentFormatException | IndexOutOfBoundsException e) {
                    // left whole, as before
                }
                while (types.size() > typesBefore) { // types made for pieces that were not kept
                    typeIndex.remove(types.remove(types.size() - 1).key());
                }
            }
            return changed ? assemble() : wasm;
        }

        /** The index of the next function a split adds. */
        int nextFunctionIndex(int pending) {
            return importedFunctions + bodies.size() + pending;
        }

        int typeOf(byte[] params, byte[] results) {
            FuncType t = new FuncType(params, results);
            Integer known = typeIndex.get(t.key());
            if (known != null) {
                return known;
            }
            types.add(t);
            typeIndex.put(t.key(), types.size() - 1);
            return types.size() - 1;
        }

        FuncType type(int index) {
            if (index < 0 || index >= types.size()) {
                throw new Unsplittable("type index " + index);
            }
            return types.get(index);
        }

        private byte[] assemble() {
            ByteArrayOutputStream out = new ByteArrayOutputStream(wasm.length + (wasm.length >> 6));
            out.write(wasm, 0, 8);
            BinaryReader sections = new BinaryReader(wasm, 8, wasm.length);
            while (!sections.atEnd()) {
                int id = sections.u8();
                int size = sections.u32();
                int start = sections.position();
                sections.skip(size);
                ByteArrayOutputStream section = new ByteArrayOutputStream();
                if (start == typeStart) {
                    writeU32(section, types.size());
                    section.write(wasm, skipCount(typeStart, typeEnd), typeEnd - skipCount(typeStart, typeEnd));
                    for (FuncType t : types.subList(originalTypes, types.size())) {
                        section.write(0x60);
                        writeU32(section, t.params().length);
                        section.writeBytes(t.params());
                        writeU32(section, t.results().length);
                        section.writeBytes(t.results());
                    }
                } else if (start == functionStart) {
                    writeU32(section, functionTypes.size());
                    for (int t : functionTypes) {
                        writeU32(section, t);
                    }
                } else if (start == codeStart) {
                    writeU32(section, bodies.size());
                    for (byte[] body : bodies) {
                        writeU32(section, body.length);
                        section.writeBytes(body);
                    }
                } else {
                    section.write(wasm, start, size);
                }
                out.write(id);
                writeU32(out, section.size());
                out.writeBytes(section.toByteArray());
            }
            return out.toByteArray();
        }

        /** Where a section's entries start, after its count. */
        private int skipCount(int start, int end) {
            BinaryReader r = new BinaryReader(wasm, start, end);
            r.u32();
            return r.position();
        }
    }

    // ---- one function ----

    /** An open or closed {@code block}, {@code loop} or {@code if} of a function being split. */
    private static final class Construct {
        final int opcode;
        final int start;         // offset of its opcode in the code
        int end;                 // offset just after its end
        final int depth;         // how many constructs enclose it
        final Construct parent;
        final FuncType blockType;
        int bodyStart;           // offset of its first instruction
        Construct firstChild;    // the construct that is its first instruction, if one is
        final BitSet read = new BitSet();
        final BitSet written = new BitSet();
        boolean movable = true;

        Construct(int opcode, int start, int depth, Construct parent, FuncType blockType) {
            this.opcode = opcode;
            this.start = start;
            this.depth = depth;
            this.parent = parent;
            this.blockType = blockType;
        }
    }

    private static final class Function {
        private final Module module;
        private final FuncType type;
        private final List<byte[]> newBodies;
        private final List<Integer> newTypes;
        private byte[] locals;   // value types of every local: parameters first
        private byte[] code;     // the expression: instructions up to the function's final end
        private int exitScratch = -1; // the i32 local call sites keep an exit number in, once one needs it
        /**
         * Locals this class added to call sites (the exit number, an exit's values): each is set
         * just before it is read, so a construct that holds such a call site gives them locals of
         * its own instead of passing them in and out (the new call site may use the same one).
         */
        private final BitSet temporaries = new BitSet();

        Function(Module module, FuncType type, byte[] body, List<byte[]> newBodies, List<Integer> newTypes) {
            this.module = module;
            this.type = type;
            this.newBodies = newBodies;
            this.newTypes = newTypes;
            BinaryReader r = new BinaryReader(body, 0, body.length);
            int groups = r.u32();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(type.params());
            for (int g = 0; g < groups; g++) {
                int n = r.u32();
                int t = valueType(r.u8());
                if (n < 0 || all.size() + (long) n > MAX_LOCALS) {
                    throw new Unsplittable("too many locals");
                }
                for (int i = 0; i < n; i++) {
                    all.write(t);
                }
            }
            locals = all.toByteArray();
            code = Arrays.copyOfRange(body, r.position(), body.length);
        }

        /**
         * The new body when it was split under {@code limit}; null when nothing could be moved.
         * Each pass over the code picks the largest constructs that fit, none inside another, until
         * what they save brings the function under the limit, and moves them last first (so the
         * offsets of those before stay right).
         */
        byte[] splitUnder(int limit) {
            boolean moved = false;
            Set<Integer> refused = new HashSet<>(); // starts of constructs whose call would not be smaller, until the code changes
            while (bodySize() > limit) {
                List<Construct> candidates = new ArrayList<>();
                List<Construct> all = constructs();
                for (Construct c : all) {
                    int size = c.end - c.start;
                    // Worth moving only when the call that replaces it is much smaller (it loads and stores every local used).
                    if (size >= MIN_REGION && size <= limit - 64 && size >= 4 * callSiteEstimate(c) && movable(c)
                            && !refused.contains(c.start)) {
                        candidates.add(c);
                    }
                }
                candidates.sort((a, b) -> Integer.compare(b.end - b.start, a.end - a.start));
                List<Construct> chosen = new ArrayList<>();
                int excess = bodySize() - limit;
                for (Construct c : candidates) {
                    if (excess <= 0) {
                        break;
                    }
                    if (chosen.stream().noneMatch(o -> o.start < c.end && c.start < o.end)) {
                        chosen.add(c);
                        excess -= (c.end - c.start) - callSiteEstimate(c);
                    }
                }
                if (excess > 0 && wrapTails(all, limit, excess)) {
                    continue; // the next pass sees the wrapped tails as constructs
                }
                if (chosen.isEmpty()) {
                    break;
                }
                chosen.sort((a, b) -> Integer.compare(b.start, a.start));
                boolean changed = false;
                for (Construct c : chosen) {
                    if (outline(c)) {
                        changed = true;
                    } else {
                        refused.add(c.start);
                    }
                }
                if (changed) {
                    moved = true;
                    refused.clear();
                }
            }
            return moved ? body() : null;
        }

        /**
         * Wraps tails in blocks of their own so the next pass can move them: a tail is the code of a
         * {@code block} or {@code loop} after its first instruction, when that is a construct of no
         * values — the shape of a compiled {@code switch}, whose cases are the code between the
         * ends of nested blocks, not constructs themselves. The tail then starts on an empty stack
         * and ends with the parent's results, so {@code block (result ...) tail end} means the
         * same, its branches one label further out. False when there was none to wrap.
         */
        private boolean wrapTails(List<Construct> all, int limit, int excess) {
            Set<Long> whole = new HashSet<>(); // constructs as (start, end): a tail that is one already needs no block
            for (Construct c : all) {
                whole.add(((long) c.start << 32) | c.end);
            }
            List<int[]> tails = new ArrayList<>(); // {from, to, index of the parent in all}
            for (int i = 0; i < all.size(); i++) {
                Construct p = all.get(i);
                Construct first = p.firstChild;
                if (p.opcode == IF || p.blockType.params().length != 0 || first == null
                        || first.blockType.params().length != 0 || first.blockType.results().length != 0) {
                    continue;
                }
                int from = first.end;
                int to = p.end - 1; // the parent's end
                if (to - from >= MIN_REGION && to - from <= limit - 64 && !whole.contains(((long) from << 32) | to)) {
                    tails.add(new int[] {from, to, i});
                }
            }
            tails.sort((a, b) -> Integer.compare(b[1] - b[0], a[1] - a[0]));
            List<int[]> chosen = new ArrayList<>();
            for (int[] t : tails) {
                if (excess <= 0) {
                    break;
                }
                if (chosen.stream().noneMatch(o -> o[0] < t[1] && t[0] < o[1])) {
                    chosen.add(t);
                    excess -= t[1] - t[0];
                }
            }
            chosen.sort((a, b) -> Integer.compare(b[0], a[0]));
            for (int[] t : chosen) {
                wrap(t[0], t[1], all.get(t[2]).blockType.results());
            }
            return !chosen.isEmpty();
        }

        /** Puts {@code code[from, to)} in a block of {@code results}: branches inside to labels outside it move out by one. */
        private void wrap(int from, int to, byte[] results) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(code.length + 8);
            out.write(code, 0, from);
            out.write(BLOCK);
            writeBlockType(out, results);
            copy(out, from, to, (label, nesting) -> label >= nesting ? label + 1 : label, null, null);
            out.write(END);
            out.write(code, to, code.length - to);
            code = out.toByteArray();
        }

        /** About the bytes of the call that would replace {@code c}: a load of each local it reads, a store of each it writes. */
        private static int callSiteEstimate(Construct c) {
            return 3 * (c.read.cardinality() + c.written.cardinality()) + 32;
        }

        private int bodySize() {
            return code.length + 8; // close enough: the locals declaration is a few bytes
        }

        private boolean movable(Construct c) {
            if (!c.movable) {
                return false;
            }
            int slots = c.blockType.params().length + (c.opcode == IF ? 1 : 0);
            for (int local = c.read.nextSetBit(0); local >= 0; local = c.read.nextSetBit(local + 1)) {
                slots += slotsOf(locals[local]);
            }
            return slots <= MAX_PARAM_SLOTS;
        }

        private static int slotsOf(byte valueType) {
            return switch (valueType & 0xFF) {
                case 0x7E, 0x7C -> 2;
                case 0x7B -> 4;
                default -> 1;
            };
        }

        /** Every construct of the code, with the locals it reads and writes and whether it may move (no tail call inside). */
        private List<Construct> constructs() {
            List<Construct> all = new ArrayList<>();
            List<Construct> open = new ArrayList<>();
            Instruction in = new Instruction();
            BinaryReader r = new BinaryReader(code, 0, code.length);
            while (!r.atEnd()) {
                in.read(r, module);
                Construct top = open.isEmpty() ? null : open.get(open.size() - 1);
                switch (in.opcode) {
                    case BLOCK, LOOP, IF -> {
                        Construct c = new Construct(in.opcode, in.start, open.size(), top, in.blockType);
                        c.bodyStart = r.position();
                        if (top != null && top.bodyStart == in.start) {
                            top.firstChild = c;
                        }
                        open.add(c);
                    }
                    case END -> {
                        if (top == null) {
                            if (!r.atEnd()) {
                                throw new Unsplittable("code after the function's end");
                            }
                            return all;
                        }
                        open.remove(open.size() - 1);
                        top.end = r.position();
                        all.add(top);
                        Construct parent = top.parent;
                        if (parent != null) {
                            parent.read.or(top.read);
                            parent.written.or(top.written);
                            parent.movable &= top.movable;
                        }
                    }
                    case BR, BR_IF -> branch(open, in.index);
                    case BR_TABLE -> {
                        for (int label : in.table) {
                            branch(open, label);
                        }
                    }
                    case LOCAL_GET, LOCAL_SET, LOCAL_TEE -> {
                        if (in.index < 0 || in.index >= locals.length) {
                            throw new Unsplittable("local " + in.index);
                        }
                        if (top != null) {
                            top.read.set(in.index);
                            if (in.opcode != LOCAL_GET) {
                                top.written.set(in.index);
                            }
                        }
                    }
                    default -> {
                        if (in.tailCall && top != null) {
                            top.movable = false;
                        }
                    }
                }
            }
            throw new Unsplittable("no end");
        }

        /** Checks a branch to {@code label} from inside the innermost open construct. */
        private static void branch(List<Construct> open, int label) {
            if (label > open.size()) {
                throw new Unsplittable("branch to label " + label);
            }
        }

        /** Depths (-1 for the function) of the labels outside {@code c} branched to from inside it, innermost first. */
        private Integer[] exits(Construct c) {
            TreeSet<Integer> exits = new TreeSet<>();
            BinaryReader r = new BinaryReader(code, c.start, c.end);
            Instruction in = new Instruction();
            int nesting = 0;
            while (!r.atEnd()) {
                in.read(r, module);
                switch (in.opcode) {
                    case BLOCK, LOOP, IF -> nesting++;
                    case END -> nesting--;
                    case BR, BR_IF -> exit(exits, c, nesting, in.index);
                    case BR_TABLE -> {
                        for (int label : in.table) {
                            exit(exits, c, nesting, label);
                        }
                    }
                    case RETURN -> exits.add(-1);
                    default -> { }
                }
            }
            return exits.descendingSet().toArray(new Integer[0]);
        }

        private static void exit(TreeSet<Integer> exits, Construct c, int nesting, int label) {
            if (label >= nesting) {
                exits.add(c.depth - 1 - (label - nesting));
            }
        }

        /**
         * Moves {@code c} into a new function and calls it in its place; false (and nothing changed)
         * when the call would not be smaller than the construct.
         *
         * <p>The new function is {@code (inputs..., read locals...) -> (results..., written
         * locals..., exit values..., [exit])}. Its body wraps the construct in one block per exit
         * (the innermost for the first exit) inside an outer block: a branch out of the construct
         * becomes a branch to its exit's wrapper, whose end stores the values the branch carried and
         * the exit's number (the normal end leaves it 0) and goes to the outer block's end, which
         * returns everything. The call site stores the written locals back, then takes the exit the
         * number says: a chain of tests for exits carrying values, one {@code br_table} for the rest.
         */
        private boolean outline(Construct c) {
            BitSet passed = (BitSet) c.read.clone();
            passed.andNot(temporaries);
            BitSet stored = (BitSet) c.written.clone();
            stored.andNot(temporaries);
            BitSet own = (BitSet) c.read.clone();
            own.and(temporaries);
            int[] reads = passed.stream().toArray();
            int[] writes = stored.stream().toArray();
            Integer[] exitDepths = exits(c);
            int exits = exitDepths.length;
            byte[][] exitTypes = new byte[exits][];
            int exitValues = 0;
            boolean anyPlainExit = false;
            for (int e = 0; e < exits; e++) {
                exitTypes[e] = labelTypes(c, exitDepths[e]);
                exitValues += exitTypes[e].length;
                anyPlainExit |= exitTypes[e].length == 0;
            }
            byte[] inputs = c.opcode == IF ? append(c.blockType.params(), (byte) I32) : c.blockType.params();
            byte[] results = c.blockType.results();

            int[] newIndex = new int[locals.length];
            Arrays.fill(newIndex, -1);
            byte[] params = Arrays.copyOf(inputs, inputs.length + reads.length);
            for (int i = 0; i < reads.length; i++) {
                newIndex[reads[i]] = inputs.length + i;
                params[inputs.length + i] = locals[reads[i]];
            }
            ByteArrayOutputStream resultTypes = new ByteArrayOutputStream();
            resultTypes.writeBytes(results);
            for (int w : writes) {
                resultTypes.write(locals[w]);
            }
            for (byte[] t : exitTypes) {
                resultTypes.writeBytes(t);
            }
            if (exits > 0) {
                resultTypes.write(I32);
            }

            // The new function's own locals: the construct's results and each exit's values on the way out, and the exit number.
            ByteArrayOutputStream extra = new ByteArrayOutputStream();
            int resultBase = params.length;
            int[] exitBase = new int[exits];
            int exitLocal = -1;
            if (exits > 0) {
                extra.writeBytes(results);
                int next = resultBase + results.length;
                for (int e = 0; e < exits; e++) {
                    exitBase[e] = next;
                    next += exitTypes[e].length;
                    extra.writeBytes(exitTypes[e]);
                }
                exitLocal = next;
                extra.write(I32);
            }
            for (int t = own.nextSetBit(0); t >= 0; t = own.nextSetBit(t + 1)) {
                newIndex[t] = params.length + extra.size();
                extra.write(locals[t]);
            }
            ByteArrayOutputStream f = new ByteArrayOutputStream(c.end - c.start + 64);
            writeLocals(f, extra.toByteArray());
            if (exits > 0) {
                f.write(BLOCK);
                f.write(EMPTY_BLOCK_TYPE);
                for (int e = exits - 1; e >= 0; e--) {
                    f.write(BLOCK);
                    writeBlockType(f, exitTypes[e]);
                }
            }
            for (int i = 0; i < inputs.length; i++) {
                op(f, LOCAL_GET, i);
            }
            copyRegion(f, c, newIndex, exitDepths);
            if (exits > 0) {
                for (int i = results.length - 1; i >= 0; i--) {
                    op(f, LOCAL_SET, resultBase + i);
                }
                op(f, BR, exits); // the normal end: the exit number stays 0
                for (int e = 0; e < exits; e++) {
                    f.write(END); // closes exit e's wrapper: the values its branches carried are on the stack
                    for (int i = exitTypes[e].length - 1; i >= 0; i--) {
                        op(f, LOCAL_SET, exitBase[e] + i);
                    }
                    f.write(I32_CONST);
                    writeS32(f, e + 1);
                    op(f, LOCAL_SET, exitLocal);
                    op(f, BR, exits - 1 - e);
                }
                f.write(END); // the outer block
                for (int i = 0; i < results.length; i++) {
                    op(f, LOCAL_GET, resultBase + i);
                }
            }
            for (int w : writes) {
                op(f, LOCAL_GET, newIndex[w]);
            }
            if (exits > 0) {
                for (int e = 0; e < exits; e++) {
                    for (int i = 0; i < exitTypes[e].length; i++) {
                        op(f, LOCAL_GET, exitBase[e] + i);
                    }
                }
                op(f, LOCAL_GET, exitLocal);
            }
            f.write(END);

            // The call site: the inputs are on the stack already.
            byte[] siteLocals = locals;
            int scratch = exitScratch;
            if (exits > 0 && scratch < 0) {
                scratch = siteLocals.length;
                siteLocals = append(siteLocals, (byte) I32);
            }
            int[] valueLocals = new int[exitValues];
            for (int e = 0, v = 0; e < exits; e++) {
                for (byte t : exitTypes[e]) {
                    valueLocals[v++] = siteLocals.length;
                    siteLocals = append(siteLocals, t);
                }
            }
            int callee = module.nextFunctionIndex(newBodies.size());
            ByteArrayOutputStream site = new ByteArrayOutputStream();
            for (int local : reads) {
                op(site, LOCAL_GET, local);
            }
            op(site, CALL, callee);
            if (exits > 0) {
                op(site, LOCAL_SET, scratch);
            }
            for (int v = exitValues - 1; v >= 0; v--) {
                op(site, LOCAL_SET, valueLocals[v]);
            }
            for (int i = writes.length - 1; i >= 0; i--) {
                op(site, LOCAL_SET, writes[i]);
            }
            for (int e = 0, v = 0; e < exits; e++) {
                if (exitTypes[e].length == 0) {
                    continue;
                }
                op(site, LOCAL_GET, scratch); // if (exit == e + 1) { push its values; branch }
                site.write(I32_CONST);
                writeS32(site, e + 1);
                site.write(I32_EQ);
                site.write(IF);
                site.write(EMPTY_BLOCK_TYPE);
                for (int i = 0; i < exitTypes[e].length; i++) {
                    op(site, LOCAL_GET, valueLocals[v++]);
                }
                op(site, BR, c.depth - exitDepths[e]); // from inside the if, one deeper than the construct was
                site.write(END);
            }
            if (anyPlainExit) {
                op(site, LOCAL_GET, scratch);
                site.write(IF);
                site.write(EMPTY_BLOCK_TYPE);
                op(site, LOCAL_GET, scratch);
                site.write(I32_CONST);
                writeS32(site, 1);
                site.write(I32_SUB);
                site.write(BR_TABLE);
                writeU32(site, exits);
                for (int e = 0; e < exits; e++) {
                    // exits carrying values were taken above: their entries only need a label of no values
                    writeU32(site, exitTypes[e].length == 0 ? c.depth - exitDepths[e] : 0);
                }
                writeU32(site, 0);
                site.write(END);
            }
            if (site.size() >= c.end - c.start) {
                return false;
            }
            newTypes.add(module.typeOf(params, resultTypes.toByteArray()));
            newBodies.add(f.toByteArray());
            locals = siteLocals;
            if (exits > 0) {
                exitScratch = scratch;
                temporaries.set(scratch);
            }
            for (int v : valueLocals) {
                temporaries.set(v);
            }
            ByteArrayOutputStream rewritten = new ByteArrayOutputStream(code.length);
            rewritten.write(code, 0, c.start);
            rewritten.writeBytes(site.toByteArray());
            rewritten.write(code, c.end, code.length - c.end);
            code = rewritten.toByteArray();
            return true;
        }

        /** The types of the values a branch to the label at {@code depth} (-1: the function) carries, seen from inside {@code c}. */
        private byte[] labelTypes(Construct c, int depth) {
            if (depth < 0) {
                return type.results();
            }
            Construct label = c.parent;
            while (label.depth != depth) {
                label = label.parent;
            }
            return label.opcode == LOOP ? label.blockType.params() : label.blockType.results();
        }

        private void writeBlockType(ByteArrayOutputStream out, byte[] results) {
            if (results.length == 0) {
                out.write(EMPTY_BLOCK_TYPE);
            } else if (results.length == 1) {
                out.write(results[0]);
            } else {
                writeS33(out, module.typeOf(new byte[0], results));
            }
        }

        /** The construct's instructions with locals renumbered and exits turned into branches to the wrappers. */
        private void copyRegion(ByteArrayOutputStream out, Construct c, int[] newIndex, Integer[] exitDepths) {
            copy(out, c.start, c.end, (label, nesting) -> label(label, nesting, c, exitDepths), newIndex,
                    nesting -> nesting + exitNumber(-1, exitDepths));
        }

        /** Where a branch's label goes in a copy: given the label and the constructs open inside the copied range. */
        private interface Labels {
            int map(int label, int nesting);
        }

        /**
         * Copies {@code code[from, to)} (whole instructions) to {@code out} with branch labels mapped
         * by {@code labels}, locals renumbered by {@code locals} (null: unchanged), and each {@code
         * return} made a branch to the label {@code returns} gives (null: left a return).
         */
        private void copy(ByteArrayOutputStream out, int from, int to, Labels labels, int[] locals,
                          java.util.function.IntUnaryOperator returns) {
            BinaryReader r = new BinaryReader(code, from, to);
            Instruction in = new Instruction();
            int nesting = 0; // constructs opened inside the range and not yet closed
            while (!r.atEnd()) {
                in.read(r, module);
                switch (in.opcode) {
                    case BLOCK, LOOP, IF -> {
                        nesting++;
                        out.write(code, in.start, r.position() - in.start);
                    }
                    case END -> {
                        nesting--;
                        out.write(END);
                    }
                    case BR, BR_IF -> op(out, in.opcode, labels.map(in.index, nesting));
                    case BR_TABLE -> {
                        out.write(BR_TABLE);
                        writeU32(out, in.table.length - 1);
                        for (int label : in.table) {
                            writeU32(out, labels.map(label, nesting));
                        }
                    }
                    case RETURN -> {
                        if (returns == null) {
                            out.write(RETURN);
                        } else {
                            op(out, BR, returns.applyAsInt(nesting));
                        }
                    }
                    case LOCAL_GET, LOCAL_SET, LOCAL_TEE -> op(out, in.opcode, locals == null ? in.index : locals[in.index]);
                    default -> out.write(code, in.start, r.position() - in.start);
                }
            }
        }

        private static int label(int label, int nesting, Construct c, Integer[] exitDepths) {
            if (label < nesting) {
                return label; // inside the region: unchanged
            }
            int depth = c.depth - 1 - (label - nesting);
            return nesting + exitNumber(depth, exitDepths);
        }

        private static int exitNumber(int depth, Integer[] exitDepths) {
            for (int e = 0; e < exitDepths.length; e++) {
                if (exitDepths[e] == depth) {
                    return e;
                }
            }
            throw new IllegalStateException("exit to depth " + depth + " was not recorded");
        }

        private byte[] body() {
            ByteArrayOutputStream out = new ByteArrayOutputStream(code.length + 16);
            writeLocals(out, Arrays.copyOfRange(locals, type.params().length, locals.length));
            out.write(code, 0, code.length);
            return out.toByteArray();
        }
    }

    // ---- instructions ----

    /** One decoded instruction: its opcode, where it starts, and the immediates the splitter uses. */
    private static final class Instruction {
        int opcode;
        int start;
        int index;           // local index or branch label
        int[] table;         // br_table labels, the default last
        FuncType blockType;  // block, loop, if
        boolean tailCall;

        void read(BinaryReader r, Module module) {
            start = r.position();
            opcode = r.u8();
            tailCall = false;
            switch (opcode) {
                case 0x00, 0x01, 0x05, END, RETURN, 0x1A, 0x1B, 0xD1 -> { }
                case BLOCK, LOOP, IF -> blockType = blockType(r, module);
                case BR, BR_IF, LOCAL_GET, LOCAL_SET, LOCAL_TEE -> index = r.u32();
                case BR_TABLE -> {
                    int n = r.u32();
                    if (n > 1_000_000) {
                        throw new Unsplittable("br_table of " + n);
                    }
                    table = new int[n + 1];
                    for (int i = 0; i <= n; i++) {
                        table[i] = r.u32();
                    }
                }
                case CALL, 0x14, 0x23, 0x24, 0x25, 0x26, 0xD2 -> r.u32();
                case 0x11 -> {
                    r.u32();
                    r.u32();
                }
                case 0x12, 0x15 -> {
                    r.u32();
                    tailCall = true;
                }
                case 0x13 -> {
                    r.u32();
                    r.u32();
                    tailCall = true;
                }
                case 0x1C -> {
                    int n = r.u32();
                    for (int i = 0; i < n; i++) {
                        valueType(r.u8());
                    }
                }
                case 0x3F, 0x40 -> r.u32();
                case I32_CONST, 0x42 -> r.skipLeb128();
                case 0x43 -> r.skip(4);
                case 0x44 -> r.skip(8);
                case 0xD0 -> r.s33();
                case 0xFC -> miscellaneous(r);
                case 0xFD -> vector(r);
                case 0xFE -> atomic(r);
                default -> {
                    if (opcode >= 0x28 && opcode <= 0x3E) {
                        memarg(r);
                    } else if (opcode < 0x45 || opcode > 0xC4) {
                        // exception handling, GC, typed references' branches, or not an opcode at all
                        throw new Unsplittable("opcode 0x" + Integer.toHexString(opcode));
                    }
                }
            }
        }

        private static FuncType blockType(BinaryReader r, Module module) {
            int first = r.peek();
            if (first == EMPTY_BLOCK_TYPE) {
                r.u8();
                return new FuncType(new byte[0], new byte[0]);
            }
            if (first >= 0x6F && first <= 0x7F && first != 0x71 && first != 0x72) {
                return new FuncType(new byte[0], new byte[] {valueType(r.u8())});
            }
            long index = r.s33();
            if (index < 0 || index > Integer.MAX_VALUE) {
                throw new Unsplittable("block type " + index);
            }
            return module.type((int) index);
        }

        private static void memarg(BinaryReader r) {
            int align = r.u32();
            if ((align & 0x40) != 0) {
                r.u32(); // memory index (multi-memory)
            }
            r.skipLeb128(); // offset: u32, or u64 with memory64
        }

        private static void miscellaneous(BinaryReader r) {
            int sub = r.u32();
            switch (sub) {
                case 0, 1, 2, 3, 4, 5, 6, 7 -> { }
                case 8, 10, 12, 14 -> {
                    r.u32();
                    r.u32();
                }
                case 9, 11, 13, 15, 16, 17 -> r.u32();
                default -> throw new Unsplittable("0xfc " + sub);
            }
        }

        private static void vector(BinaryReader r) {
            int sub = r.u32();
            if (sub <= 11 || sub == 92 || sub == 93) {
                memarg(r);
            } else if (sub == 12 || sub == 13) {
                r.skip(16);
            } else if (sub >= 21 && sub <= 34) {
                r.skip(1);
            } else if (sub >= 84 && sub <= 91) {
                memarg(r);
                r.skip(1);
            } else if (sub > 0x113) {
                throw new Unsplittable("0xfd " + sub);
            }
        }

        private static void atomic(BinaryReader r) {
            int sub = r.u32();
            if (sub == 0x03) {
                r.skip(1); // atomic.fence
            } else if (sub <= 0x4E) {
                memarg(r);
            } else {
                throw new Unsplittable("0xfe " + sub);
            }
        }
    }

    // ---- encoding ----

    /** A number type, v128, funcref or externref; anything else (a typed reference) is not handled. */
    private static byte valueType(int b) {
        return switch (b) {
            case 0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F -> (byte) b;
            default -> throw new Unsplittable("value type 0x" + Integer.toHexString(b));
        };
    }

    private static byte[] append(byte[] a, byte b) {
        byte[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }

    /** A locals declaration: runs of equal types. */
    private static void writeLocals(ByteArrayOutputStream out, byte[] declared) {
        int runs = 0;
        for (int i = 0; i < declared.length; i++) {
            if (i == 0 || declared[i] != declared[i - 1]) {
                runs++;
            }
        }
        writeU32(out, runs);
        for (int i = 0; i < declared.length; ) {
            int j = i;
            while (j < declared.length && declared[j] == declared[i]) {
                j++;
            }
            writeU32(out, j - i);
            out.write(declared[i]);
            i = j;
        }
    }

    private static void op(ByteArrayOutputStream out, int opcode, int immediate) {
        out.write(opcode);
        writeU32(out, immediate);
    }

    /** An unsigned LEB128: the one writer of the format here (reading is {@code BinaryReader}'s). */
    static void writeU32(ByteArrayOutputStream out, long value) {
        do {
            int x = (int) (value & 0x7f);
            value >>>= 7;
            out.write(value == 0 ? x : x | 0x80);
        } while (value != 0);
    }

    private static void writeS33(ByteArrayOutputStream out, long value) {
        while (true) {
            int x = (int) (value & 0x7f);
            value >>= 7;
            if ((value == 0 && (x & 0x40) == 0) || (value == -1 && (x & 0x40) != 0)) {
                out.write(x);
                return;
            }
            out.write(x | 0x80);
        }
    }

    private static void writeS32(ByteArrayOutputStream out, int value) {
        while (true) {
            int x = value & 0x7f;
            value >>= 7;
            if ((value == 0 && (x & 0x40) == 0) || (value == -1 && (x & 0x40) != 0)) {
                out.write(x);
                return;
            }
            out.write(x | 0x80);
        }
    }
}
