package dev.spindle.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one way Spindle reads a file it is pointed at (a manifest, a runtime config, a component's {@code source}, a
 * {@code files} entry): only a regular file, and only up to a cap. Without this, {@code source = "/dev/zero"} reads
 * until the heap is gone, a FIFO blocks the loader forever, and a 100 MB manifest parses for minutes before it too
 * runs out of memory.
 *
 * <p>The type is checked before the file is opened (opening a FIFO for reading blocks until a writer comes), and
 * the read itself stops one byte past the cap, so a file that grows after the check cannot get past it.
 */
public final class InputFiles {
    private InputFiles() {}

    /**
     * Largest manifest or runtime config: 256 KiB. Real {@code spin.toml} files are a few KiB (all 90 of Spin's
     * own test corpus are under 4 KiB). 256 KiB holds about 2,000 components with a trigger and an allowed host
     * each, which tomlj parses in 0.8-2.6 s (warm-cold JIT, this machine); a 1 MiB one of the same shape takes 3-7 s,
     * and parsing grows faster than the size, which is how a 100 MB manifest took 83 s and then ran out of memory.
     */
    public static final long MAX_TOML_BYTES = 256L << 10;

    /**
     * Largest component {@code source}: 128 MiB. The biggest real guests (componentize-py's Python components,
     * about 40 MB; StarlingMonkey JavaScript, about 12 MB) fit three times over, and the module must fit in memory
     * again while it is compiled.
     */
    public static final long MAX_WASM_BYTES = 128L << 20;

    /** Why a file was not read: one short clause, e.g. {@code is a FIFO, not a regular file}. */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason);
        }
    }

    /**
     * The bytes of {@code file}, following symbolic links.
     *
     * @param what what the file is, for the size message ("a manifest", "a component source")
     * @throws java.nio.file.NoSuchFileException if it does not exist
     * @throws Refused if it is not a regular file or is larger than {@code maxBytes}
     * @throws IOException if it cannot be read
     */
    public static byte[] read(Path file, long maxBytes, String what) throws IOException {
        checkRegular(file, maxBytes, what);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(bytes.length, maxBytes, what, true);
        }
        return bytes;
    }

    /**
     * Checks, without opening it, that {@code file} is a regular file of at most {@code maxBytes}; returns its size.
     *
     * @throws Refused as {@link #read}
     */
    public static long checkRegular(Path file, long maxBytes, String what) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            throw new Refused("is " + kind(file, a) + ", not a regular file");
        }
        if (a.size() > maxBytes) {
            throw tooLarge(a.size(), maxBytes, what, false);
        }
        return a.size();
    }

    /** {@code 1 MiB}, {@code 128 MiB}, {@code 512 KiB}: how the caps are written in messages. */
    public static String size(long bytes) {
        if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }

    private static Refused tooLarge(long size, long max, String what, boolean atLeast) {
        return new Refused("is " + (atLeast ? "more than " + size(max) : String.format("%,d bytes", size))
                + ", larger than the " + size(max) + " " + what + " may be");
    }

    private static String kind(Path file, BasicFileAttributes a) {
        if (a.isDirectory()) {
            return "a directory";
        }
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode");
            switch (mode & 0170000) {
                case 0010000: return "a FIFO";
                case 0020000: return "a character device";
                case 0060000: return "a block device";
                case 0140000: return "a socket";
                default: break;
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            // No unix view (not Linux/macOS): the generic description below will do.
        }
        return "a device, FIFO or socket";
    }
}
