package dev.spindle.runtime.internal;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chicory's compiled classes on disk, so that a second start does not compile again (the 12 MB
 * StarlingMonkey module takes tens of seconds). Entries are keyed by the module's digest (SHA-256
 * of its bytes, which Chicory's parser computes) under a directory named for the Chicory version,
 * so a Chicory upgrade never loads classes another version generated.
 *
 * <p>Safe against concurrent writers: each entry is written to a temporary file in the same
 * directory and renamed into place atomically, so a reader sees a whole entry or none; two
 * processes writing the same key write the same bytes. Safe against corrupt entries: every entry
 * carries the SHA-256 of its payload, checked on read; a truncated, altered or unreadable entry is
 * deleted and counts as a miss (the module is compiled again and the entry rewritten). An
 * unwritable directory makes the cache a no-op, never a failed start.
 *
 * <p>The directory must be writable only by the user running Spindle: what it holds is loaded as
 * code (like the jar itself).
 */
public final class CompileCache implements Cache {
    /** Version 2 adds the module layout (interpreted functions) before the classes; version 1 entries read as misses. */
    private static final byte[] MAGIC = "SPINDLE-CC2\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HASH_BYTES = 32;
    /** Compiler settings that shape the generated classes; part of the directory name. */
    private static final String SETTINGS = "default";

    private final Path dir;
    private final AtomicInteger hits = new AtomicInteger();
    private final AtomicInteger misses = new AtomicInteger();
    private final AtomicInteger writes = new AtomicInteger();

    private CompileCache(Path dir) {
        this.dir = dir;
    }

    /** A cache in {@code root}/chicory-&lt;version&gt;-default/, created if needed. */
    public static CompileCache open(Path root) {
        return new CompileCache(root.resolve("chicory-" + chicoryVersion() + "-" + SETTINGS));
    }

    /** The directory this cache's entries live in. */
    public Path directory() {
        return dir;
    }

    /** The Chicory compiler's version, from its jar's Maven metadata (a hash of the compiler class if that is missing). */
    static String chicoryVersion() {
        try (InputStream in = MachineFactoryCompiler.class.getResourceAsStream(
                "/META-INF/maven/com.dylibso.chicory/compiler/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && v.matches("[0-9A-Za-z.+-]{1,40}")) {
                    return v;
                }
            }
        } catch (IOException ignored) {
            // fall through to the class hash
        }
        try (InputStream in = MachineFactoryCompiler.class.getResourceAsStream("MachineFactoryCompiler.class")) {
            return "class-" + HexFormat.of().formatHex(sha256(in.readAllBytes()), 0, 8);
        } catch (IOException | NullPointerException e) {
            return "unknown";
        }
    }

    private Path entry(String key) {
        return file(key, ".classes");
    }

    private Path file(String key, String suffix) {
        return dir.resolve(HexFormat.of().formatHex(sha256(key.getBytes(StandardCharsets.UTF_8))) + suffix);
    }

    /**
     * Bytes {@link #putBytes} stored under {@code key} (checked like an entry: a corrupt file is
     * deleted), or null. For what is costly to derive from a module and used with its classes: the
     * split module {@link FunctionSplitter} makes of a source, which a hit needs before it can look up
     * the classes.
     */
    byte[] getBytes(String key) {
        return readFramed(file(key, ".bytes"));
    }

    /** Stores {@code bytes} under {@code key}, atomically; an unwritable directory stores nothing. */
    void putBytes(String key, byte[] bytes) {
        writeFramed(file(key, ".bytes"), bytes);
    }

    /**
     * One entry: Chicory's jar of compiled classes, and what those classes say about the module
     * (read from them once, when the entry is written; empty when they are not laid out as {@link
     * InterpretedFunctions} knows).
     */
    record Entry(byte[] classes, Optional<InterpretedFunctions.Layout> layout) {}

    @Override
    public byte[] get(String key) {
        Entry entry = read(key);
        if (entry == null) {
            misses.incrementAndGet();
            return null;
        }
        hits.incrementAndGet();
        return entry.classes();
    }

    /**
     * The entry for {@code key} counted as a hit, or null, not counted: the compile that follows a
     * null counts the miss.
     */
    Entry hit(String key) {
        Entry entry = read(key);
        if (entry != null) {
            hits.incrementAndGet();
        }
        return entry;
    }

    private Entry read(String key) {
        Path file = entry(key);
        byte[] body = readFramed(file);
        Entry entry = body == null ? null : decode(body);
        if (body != null && entry == null) {
            delete(file);
        }
        return entry;
    }

    /**
     * The body of a file written by {@link #writeFramed}, or null when it is missing, unreadable or
     * fails its check; one that fails its check is deleted. (A missing file is left alone: deleting
     * "it" could delete the whole entry another process has just renamed into place.)
     */
    private static byte[] readFramed(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
        int header = MAGIC.length + HASH_BYTES;
        byte[] body = bytes.length < header || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                ? null
                : Arrays.copyOfRange(bytes, header, bytes.length);
        if (body == null || !Arrays.equals(sha256(body), 0, HASH_BYTES, bytes, MAGIC.length, header)) {
            delete(file);
            return null;
        }
        return body;
    }

    /** The body after the hash: functions (0: layout unknown), interpreted count, their indices (big-endian ints), the classes. */
    private static byte[] encode(byte[] classes) {
        Optional<InterpretedFunctions.Layout> layout = InterpretedFunctions.in(classes);
        int[] interpreted = layout.map(l -> l.interpreted().stream().mapToInt(Integer::intValue).sorted().toArray())
                .orElse(new int[0]);
        ByteBuffer out = ByteBuffer.allocate(8 + 4 * interpreted.length + classes.length);
        out.putInt(layout.map(InterpretedFunctions.Layout::functions).orElse(0)).putInt(interpreted.length);
        for (int i : interpreted) {
            out.putInt(i);
        }
        return out.put(classes).array();
    }

    private static Entry decode(byte[] body) {
        ByteBuffer in = ByteBuffer.wrap(body);
        if (in.remaining() < 8) {
            return null;
        }
        int functions = in.getInt();
        int count = in.getInt();
        if (functions < 0 || count < 0 || count > functions || in.remaining() < 4L * count) {
            return null;
        }
        Set<Integer> interpreted = new HashSet<>();
        for (int i = 0; i < count; i++) {
            int index = in.getInt();
            if (index < 0 || index >= functions) {
                return null;
            }
            interpreted.add(index);
        }
        byte[] classes = Arrays.copyOfRange(body, in.position(), body.length);
        return new Entry(classes, functions == 0
                ? Optional.empty()
                : Optional.of(new InterpretedFunctions.Layout(functions, Set.copyOf(interpreted))));
    }

    @Override
    public void putIfAbsent(String key, byte[] payload) {
        if (read(key) != null) {
            return;
        }
        if (writeFramed(entry(key), encode(payload))) {
            writes.incrementAndGet();
        }
    }

    /** Writes magic, hash and {@code body} to a temporary file renamed onto {@code file}; false when it could not. */
    private boolean writeFramed(Path file, byte[] body) {
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, ".write-", ".tmp");
            ByteBuffer out = ByteBuffer.allocate(MAGIC.length + HASH_BYTES + body.length);
            out.put(MAGIC).put(sha256(body)).put(body);
            Files.write(tmp, out.array());
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            return true;
        } catch (IOException | SecurityException e) {
            // An unwritable cache costs the next start a compile, nothing else.
            return false;
        } finally {
            if (tmp != null) {
                delete(tmp);
            }
        }
    }

    /** Removes the entry for {@code key} (corrupt, or its classes failed to load). */
    public void evict(String key) {
        delete(entry(key));
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a later write replaces it
        }
    }

    public int hits() {
        return hits.get();
    }

    public int misses() {
        return misses.get();
    }

    public int writes() {
        return writes.get();
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
