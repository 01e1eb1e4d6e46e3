package dev.spindle.runtime.internal;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.spindle.manifest.FileMount;
import dev.spindle.manifest.InputFiles;
import dev.spindle.manifest.text.SafeText;
import dev.spindle.runtime.LoadException;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A component's {@code files}: copied at load into an in-memory file system that every instance
 * of the component sees at {@code /}, read-only.
 *
 * <p>The copy means a guest sees the files as they were when the app started, whatever happens
 * on disk later. Read-only is enforced at the WASI boundary ({@link #readOnly}): Chicory's WASI
 * would otherwise open files for writing, and instances share the copy.
 */
final class GuestFiles {
    /** Assets are for serving and configuration; a bigger tree is almost certainly a wrong glob. */
    static final long MAX_TOTAL_BYTES = 256L << 20;

    /** WASI errno EROFS: "read-only file system". */
    private static final int EROFS = 69;
    private static final int OFLAG_CREAT = 1;
    private static final int OFLAG_TRUNC = 8;
    private static final long RIGHT_FD_WRITE = 0x40;
    private static final int FDFLAG_APPEND = 1;

    /** WASI calls that change a file system; each answers EROFS. path_open is checked by its flags. */
    private static final Set<String> MUTATING = Set.of(
            "path_create_directory", "path_remove_directory", "path_unlink_file", "path_rename",
            "path_symlink", "path_link", "path_filestat_set_times", "fd_filestat_set_size",
            "fd_filestat_set_times", "fd_allocate");

    /**
     * Jimfs's Unix layout with the {@code unix} attribute view: Chicory's {@code fd_filestat_get}
     * reads {@code unix:*} (inode, mode, link count, times), and without that view Jimfs throws a
     * NullPointerException, so a guest that stats a file (every spin-fileserver build) got a 500.
     */
    static final Configuration MOUNT_CONFIGURATION = Configuration.unix().toBuilder()
            .setAttributeViews("basic", "owner", "posix", "unix")
            .build();

    private GuestFiles() {}

    /**
     * Copies the mounted files into a fresh in-memory file system, or empty when there are none.
     *
     * <p>Every file copied must lie inside the manifest's directory once symbolic links are
     * resolved: an absolute source, a {@code ..} that climbs out, or a link (to a file or through a
     * directory) that leads out is refused with one line naming the entry, so a manifest cannot
     * hand a guest {@code /etc/passwd}. Only regular files are read, and never more than the
     * {@link #MAX_TOTAL_BYTES} budget. (A link swapped on disk between the check and the read could
     * still escape; the directory is the app author's own.)
     */
    static Optional<Path> snapshot(String componentId, Path baseDir, List<FileMount> mounts, List<String> excludes) {
        if (mounts.isEmpty()) {
            return Optional.empty();
        }
        FileSystem memory = Jimfs.newFileSystem(MOUNT_CONFIGURATION);
        Path root = memory.getPath("/");
        List<PathMatcher> excluded = excludes.stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
        long[] total = {0};
        Path realBase;
        try {
            realBase = baseDir.toRealPath();
        } catch (IOException e) {
            throw new LoadException("component \"" + componentId + "\": cannot read the app directory " + baseDir + ": " + e.getMessage());
        }
        for (FileMount mount : mounts) {
            Confined confined = mount instanceof FileMount.Pattern p
                    ? new Confined(componentId, "files pattern", p.glob(), realBase)
                    : new Confined(componentId, "files source", ((FileMount.Placement) mount).source(), realBase);
            try {
                if (mount instanceof FileMount.Pattern pattern) {
                    copyMatching(confined, realBase, pattern.glob(), excluded, root, total);
                } else if (mount instanceof FileMount.Placement placement) {
                    copyPlacement(confined, realBase, placement, excluded, root, total);
                }
            } catch (IOException e) {
                throw confined.refuse("cannot be copied: " + e.getMessage());
            }
        }
        return Optional.of(root);
    }

    /** One {@code files} entry being copied: where its files must stay, and its one-line errors. */
    private record Confined(String componentId, String label, String entry, Path realBase) {
        LoadException refuse(String why) {
            return new LoadException("component \"" + componentId + "\": " + label + " \"" + SafeText.escape(entry, 200) + "\" " + why);
        }

        /** The file's real path, if it lies inside the app directory; otherwise the entry is refused. */
        Path inside(Path file) throws IOException {
            Path real = file.toRealPath();
            if (!real.startsWith(realBase)) {
                throw refuse("reaches " + real + " through a symbolic link (" + realBase.relativize(file.toAbsolutePath().normalize())
                        + "), outside the app directory " + realBase + "; files are confined to the manifest's directory");
            }
            return real;
        }

        /** A relative path that stays inside the app directory, as written. */
        void checkRelative(String path, String what) {
            Path p = Path.of(path);
            if (p.isAbsolute() || path.startsWith("/") || path.startsWith("\\")) {
                throw refuse("has an absolute " + what + "; write it relative to the manifest's directory " + realBase);
            }
            for (Path part : p) {
                if (part.toString().equals("..")) {
                    throw refuse("climbs out of the app directory with `..` in its " + what + "; files are confined to the manifest's directory " + realBase);
                }
            }
        }
    }

    private static void copyMatching(Confined confined, Path baseDir, String glob, List<PathMatcher> excluded, Path root, long[] total)
            throws IOException {
        confined.checkRelative(glob, "pattern");
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        List<Path> matches = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(baseDir)) {
            walk.filter(Files::isRegularFile)
                    .map(baseDir::relativize)
                    .filter(matcher::matches)
                    .filter(rel -> excluded.stream().noneMatch(x -> x.matches(rel)))
                    .forEach(matches::add);
        }
        if (matches.isEmpty()) {
            throw confined.refuse("matches no file under " + baseDir);
        }
        for (Path rel : matches) {
            copyFile(confined, confined.inside(baseDir.resolve(rel)), root.resolve(rel.toString()), total);
        }
    }

    private static void copyPlacement(Confined confined, Path baseDir, FileMount.Placement placement, List<PathMatcher> excluded, Path root, long[] total)
            throws IOException {
        confined.checkRelative(placement.source(), "source");
        Path source = baseDir.resolve(placement.source()).normalize();
        Path destination = root.resolve(placement.destination());
        if (!Files.exists(source)) {
            throw confined.refuse("does not exist (" + source + ")");
        }
        Path realSource = confined.inside(source);
        if (!Files.isDirectory(realSource)) {
            copyFile(confined, realSource, destination, total);
            return;
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(source)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> excluded.stream().noneMatch(x -> x.matches(baseDir.relativize(p))))
                    .forEach(files::add);
        }
        for (Path file : files) {
            copyFile(confined, confined.inside(file), destination.resolve(source.relativize(file).toString()), total);
        }
    }

    /** Copies one regular file, read through {@link InputFiles} within what is left of the budget. */
    private static void copyFile(Confined confined, Path from, Path to, long[] total) throws IOException {
        byte[] bytes;
        try {
            bytes = InputFiles.read(from, MAX_TOTAL_BYTES - total[0], "a component's files");
        } catch (InputFiles.Refused e) {
            if (!Files.isRegularFile(from)) {
                throw confined.refuse("names " + from + ", which " + e.getMessage());
            }
            throw new LoadException("component \"" + confined.componentId() + "\": its files exceed "
                    + InputFiles.size(MAX_TOTAL_BYTES) + " (at " + confined.label() + " \"" + SafeText.escape(confined.entry(), 200) + "\"); narrow the patterns or use exclude_files");
        }
        total[0] += bytes.length;
        if (to.getParent() != null) {
            Files.createDirectories(to.getParent());
        }
        Files.write(to, bytes);
    }

    /** WASI functions with every file-system mutation answered by EROFS, so the shared copy stays pristine. */
    static HostFunction[] readOnly(HostFunction[] wasi) {
        HostFunction[] out = wasi.clone();
        for (int i = 0; i < out.length; i++) {
            HostFunction fn = out[i];
            WasmFunctionHandle guarded = null;
            if (MUTATING.contains(fn.name())) {
                guarded = (instance, args) -> new long[] {EROFS};
            } else if (fn.name().equals("path_open")) {
                // path_open(fd, dirflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags, fd_out)
                WasmFunctionHandle open = fn.handle();
                guarded = (instance, args) -> {
                    boolean writes = (args[4] & (OFLAG_CREAT | OFLAG_TRUNC)) != 0
                            || (args[5] & RIGHT_FD_WRITE) != 0
                            || (args[7] & FDFLAG_APPEND) != 0;
                    return writes ? new long[] {EROFS} : open.apply(instance, args);
                };
            }
            if (guarded != null) {
                out[i] = new HostFunction(fn.module(), fn.name(), fn.functionType(), guarded);
            }
        }
        return out;
    }
}
