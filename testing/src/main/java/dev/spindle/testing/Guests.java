package dev.spindle.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The committed guest-module corpus in {@code <repo>/guests/} (see {@code guests/README.md}).
 *
 * <p>The repository root is the system property {@value #REPO_PROPERTY} (the parent pom sets it
 * for surefire), else the nearest directory, from the current one upwards, that holds a
 * {@code guests/} directory and a {@code pom.xml} with {@code <artifactId>spindle-parent}.
 */
public final class Guests {

  /** System property naming the repository root. */
  public static final String REPO_PROPERTY = "spindle.repo";

  private Guests() {}

  /**
   * {@code <repo>/guests/<name>}; {@code name} may omit the {@code .wasm} suffix ({@code
   * "trap"} and {@code "trap.wasm"} are the same guest). Fails if the file does not exist.
   */
  public static Path path(String name) {
    Path dir = directory();
    Path exact = dir.resolve(name);
    if (Files.isRegularFile(exact)) {
      return exact;
    }
    Path wasm = dir.resolve(name + ".wasm");
    if (!name.endsWith(".wasm") && Files.isRegularFile(wasm)) {
      return wasm;
    }
    throw new IllegalStateException(
        "no guest module " + exact + " (available: " + available(dir)
            + "); rebuild with guests/build.sh");
  }

  /** The bytes of {@link #path(String)}. */
  public static byte[] bytes(String name) {
    Path path = path(name);
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read guest module " + path, e);
    }
  }

  /** {@code <repo>/guests}. */
  public static Path directory() {
    Path dir = repoRoot().resolve("guests");
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("guest corpus directory missing: " + dir);
    }
    return dir;
  }

  /** The repository root (see the class comment). */
  public static Path repoRoot() {
    String property = System.getProperty(REPO_PROPERTY);
    if (property != null && !property.isBlank()) {
      Path root = Path.of(property).toAbsolutePath().normalize();
      if (!Files.isDirectory(root.resolve("guests"))) {
        throw new IllegalStateException(
            "system property " + REPO_PROPERTY + "=" + property + " has no guests/ directory");
      }
      return root;
    }
    Path start = Path.of("").toAbsolutePath().normalize();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (isRepoRoot(dir)) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "cannot find the Spindle repository root (a directory with guests/ and a pom.xml of"
            + " spindle-parent) from " + start + "; set -D" + REPO_PROPERTY + "=<repo>");
  }

  private static boolean isRepoRoot(Path dir) {
    Path pom = dir.resolve("pom.xml");
    if (!Files.isDirectory(dir.resolve("guests")) || !Files.isRegularFile(pom)) {
      return false;
    }
    try {
      // A child pom names spindle-parent inside <parent>; only the parent pom itself counts.
      return Files.readString(pom, StandardCharsets.UTF_8)
          .replaceAll("(?s)<parent>.*?</parent>", "")
          .contains("<artifactId>spindle-parent</artifactId>");
    } catch (IOException e) {
      return false;
    }
  }

  private static String available(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".wasm"))
          .sorted()
          .collect(Collectors.joining(", "));
    } catch (IOException e) {
      return "unlistable: " + e;
    }
  }
}
