package dev.spindle.manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Locates the read-only shared corpus ({@code ../shared} next to the repository: test input, not
 * part of it) from the {@code spindle.repo} property or the working directory.
 */
final class Corpus {
    private Corpus() {
    }

    static Path shared() {
        String repo = System.getProperty("spindle.repo");
        if (repo != null && Files.isDirectory(Path.of(repo).resolve("../shared/corpus"))) {
            return Path.of(repo).resolve("../shared").normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("../shared/corpus"))) {
                return p.resolve("../shared").normalize();
            }
            if (Files.isDirectory(p.resolve("shared/corpus"))) {
                return p.resolve("shared").normalize();
            }
        }
        throw new IllegalStateException("cannot find ../shared/corpus from " + Path.of("").toAbsolutePath());
    }

    static List<Path> manifests(String folder) throws IOException {
        try (Stream<Path> s = Files.list(shared().resolve("corpus/spin-manifests").resolve(folder))) {
            return s.filter(p -> p.toString().endsWith(".toml")).sorted().collect(Collectors.toList());
        }
    }
}
