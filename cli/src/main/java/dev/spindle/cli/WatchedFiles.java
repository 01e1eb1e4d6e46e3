package dev.spindle.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A set of files to watch — globs under a directory, or single paths — and their state at one
 * moment (modification time and size), so that two snapshots say what changed. Polling rather
 * than WatchService: it sees files created in new directories, behaves the same on every file
 * system, and a small project's tree is walked in milliseconds.
 */
final class WatchedFiles {
    /** Directories never worth walking for sources. */
    private static final Set<String> SKIPPED = Set.of(".git", "target", "node_modules", ".spin", ".spindle");

    private record GlobRoot(Path root, List<PathMatcher> matchers) {}

    /** A file's state; a missing file has none. */
    record State(long modifiedMillis, long size) {}

    private final List<GlobRoot> globs = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();

    /**
     * Adds Spin-style globs relative to {@code root}: {@code *} within a name, {@code **} across
     * directories, and {@code dir/**}{@code /x} also matching {@code dir/x} (as Spin's globset does).
     */
    WatchedFiles globs(Path root, List<String> patterns) {
        List<PathMatcher> matchers = new ArrayList<>();
        for (String pattern : patterns) {
            String p = pattern.replace('\\', '/');
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + p));
            if (p.contains("**/")) {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + p.replace("**/", "")));
            }
        }
        if (!matchers.isEmpty()) {
            globs.add(new GlobRoot(root.toAbsolutePath().normalize(), matchers));
        }
        return this;
    }

    WatchedFiles file(Path file) {
        files.add(file.toAbsolutePath().normalize());
        return this;
    }

    /** Every watched file that exists, with its state, in path order. */
    Map<Path, State> snapshot() {
        Map<Path, State> out = new TreeMap<>();
        for (Path f : files) {
            state(f).ifPresent(s -> out.put(f, s));
        }
        for (GlobRoot g : globs) {
            if (!Files.isDirectory(g.root())) {
                continue;
            }
            try {
                Files.walkFileTree(g.root(), new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        return !dir.equals(g.root()) && SKIPPED.contains(dir.getFileName().toString())
                                ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        Path relative = g.root().relativize(file);
                        if (attrs.isRegularFile() && g.matchers().stream().anyMatch(m -> m.matches(relative))) {
                            out.put(file, new State(attrs.lastModifiedTime().toMillis(), attrs.size()));
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE; // deleted while walking: the next snapshot sees it
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The first file (in path order) that was added, removed or changed between two snapshots. */
    static Optional<Path> firstChange(Map<Path, State> before, Map<Path, State> after) {
        TreeMap<Path, State> all = new TreeMap<>(before);
        all.putAll(after);
        return all.keySet().stream().filter(p -> !Objects.equals(before.get(p), after.get(p))).findFirst();
    }

    private static Optional<State> state(Path f) {
        try {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            return Optional.of(new State(a.lastModifiedTime().toMillis(), a.size()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
