package dev.spindle.redis.binary;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code redis-server} executable to run: the system's, when one is on {@code PATH}; else the
 * one bundled in the {@code com.github.codemonstur:embedded-redis} 1.4.3 artifact on the class
 * path (Redis 6.2 builds for Linux and macOS, x86_64 and arm64; Redis is BSD-3-Clause, the
 * artifact Apache-2.0), copied once into a cache directory and made executable.
 *
 * <p>The one rule for "which redis-server": {@code spindle run}'s embedded Redis (host-redis) and
 * the test suite's servers (testing) both ask here.
 *
 * @param path the executable
 * @param origin how it was found, for the startup line ("PATH" or "bundled ...")
 */
public record RedisServerBinary(Path path, String origin) {
    /** The artifact whose binaries are used when the system has none (see docs/operations.md). */
    public static final String BUNDLE = "com.github.codemonstur:embedded-redis:1.4.3";

    private static final Pattern VERSION = Pattern.compile("\\bv=([0-9][0-9A-Za-z.+-]*)");

    /**
     * The system's {@code redis-server} on the environment's {@code PATH}, else the bundled one for
     * this platform copied into {@code cacheDirectory}; empty when there is neither.
     *
     * @throws UncheckedIOException when the bundled binary cannot be copied (one line: where, why)
     */
    public static Optional<RedisServerBinary> find(Map<String, String> environment, Path cacheDirectory) {
        return onPath(environment.getOrDefault("PATH", "")).or(() -> bundled(cacheDirectory));
    }

    /** The first executable {@code redis-server} in the directories of {@code path}. */
    public static Optional<RedisServerBinary> onPath(String path) {
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(new RedisServerBinary(candidate, "PATH"));
            }
        }
        return Optional.empty();
    }

    /**
     * The bundled binary for this platform, copied into {@code cacheDirectory} (again only when the
     * copy there is missing, of another size or not executable); empty without one.
     *
     * @throws UncheckedIOException when it cannot be copied
     */
    public static Optional<RedisServerBinary> bundled(Path cacheDirectory) {
        Optional<String> resource = resourceName(System.getProperty("os.name"), System.getProperty("os.arch"));
        if (resource.isEmpty()) {
            return Optional.empty();
        }
        URL url = RedisServerBinary.class.getClassLoader().getResource(resource.get());
        if (url == null) {
            return Optional.empty();
        }
        try {
            Files.createDirectories(cacheDirectory);
            Path target = cacheDirectory.resolve(resource.get());
            long size = url.openConnection().getContentLengthLong();
            if (!Files.isRegularFile(target) || Files.size(target) != size || !Files.isExecutable(target)) {
                // Copy beside it and move into place, so two starts at once never run half a file.
                Path tmp = Files.createTempFile(cacheDirectory, resource.get(), ".part");
                try (InputStream in = url.openStream()) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return Optional.of(new RedisServerBinary(target, "bundled " + resource.get() + " from " + BUNDLE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the bundled redis-server to " + cacheDirectory + ": " + e.getMessage(), e);
        }
    }

    /**
     * Where a bundled binary is copied to by default: {@code $XDG_CACHE_HOME/spindle/redis-server}
     * (an absolute {@code XDG_CACHE_HOME}), else {@code ~/.cache/spindle/redis-server}; the same
     * directory for {@code spindle run} and for the tests.
     */
    public static Path defaultCacheDirectory(Map<String, String> environment) {
        String xdg = environment.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("spindle").resolve("redis-server");
    }

    /** {@code Linux/amd64}: the platform as a bundled binary is chosen for it, for messages. */
    public static String platform() {
        return System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    }

    /**
     * The version the binary reports ({@code redis-server --version}: {@code Redis server
     * v=6.2.11 ...} gives {@code 6.2.11}).
     *
     * @throws UncheckedIOException when it cannot be run or prints no version (one line with its output)
     */
    public String version() {
        try {
            Process p = new ProcessBuilder(path.toString(), "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("no answer within 10 s");
            }
            Matcher m = VERSION.matcher(out);
            if (p.exitValue() != 0 || !m.find()) {
                throw new IOException("exit status " + p.exitValue() + ", printed: " + out.strip());
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + path + " --version: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + path + " --version", e);
        }
    }

    /** The artifact's resource for a platform: its file names, as the artifact ships them. */
    static Optional<String> resourceName(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
        if (os.startsWith("linux")) {
            return x64 ? Optional.of("redis-server-6.2.6-v5-linux-amd64")
                    : arm64 ? Optional.of("redis-server-6.2.7-linux-arm64") : Optional.empty();
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return x64 ? Optional.of("redis-server-6.2.6-v5-darwin-amd64")
                    : arm64 ? Optional.of("redis-server-6.2.6-v5-darwin-arm64") : Optional.empty();
        }
        return Optional.empty();
    }
}
