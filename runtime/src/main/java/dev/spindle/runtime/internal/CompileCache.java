package dev.spindle.runtime.internal;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Properties;
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
    private static final byte[] MAGIC = "SPINDLE-CC1\n".getBytes(StandardCharsets.US_ASCII);
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
        return dir.resolve(HexFormat.of().formatHex(sha256(key.getBytes(StandardCharsets.UTF_8))) + ".classes");
    }

    /** True when a whole, intact entry for {@code key} is on disk (its module was validated and compiled before). */
    public boolean contains(String key) {
        return key != null && read(key) != null;
    }

    @Override
    public byte[] get(String key) {
        byte[] payload = read(key);
        if (payload == null) {
            misses.incrementAndGet();
        } else {
            hits.incrementAndGet();
        }
        return payload;
    }

    private byte[] read(String key) {
        Path file = entry(key);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
        int header = MAGIC.length + HASH_BYTES;
        if (bytes.length < header || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            evict(key);
            return null;
        }
        byte[] payload = Arrays.copyOfRange(bytes, header, bytes.length);
        if (!Arrays.equals(sha256(payload), 0, HASH_BYTES, bytes, MAGIC.length, header)) {
            evict(key);
            return null;
        }
        return payload;
    }

    @Override
    public void putIfAbsent(String key, byte[] payload) {
        Path file = entry(key);
        if (read(key) != null) {
            return;
        }
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, ".write-", ".tmp");
            ByteBuffer out = ByteBuffer.allocate(MAGIC.length + HASH_BYTES + payload.length);
            out.put(MAGIC).put(sha256(payload)).put(payload);
            Files.write(tmp, out.array());
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            writes.incrementAndGet();
        } catch (IOException | SecurityException e) {
            // An unwritable cache costs the next start a compile, nothing else.
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
        }
    }

    /** Removes the entry for {@code key} (corrupt, or its classes failed to load). */
    public void evict(String key) {
        try {
            Files.deleteIfExists(entry(key));
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

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
