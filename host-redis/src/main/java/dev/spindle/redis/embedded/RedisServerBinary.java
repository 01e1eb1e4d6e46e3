package dev.spindle.redis.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code redis-server} executable an embedded Redis runs: the system's, when one is on
 * {@code PATH}; else the one bundled in the {@code com.github.codemonstur:embedded-redis} 1.4.3
 * artifact on the class path (Redis 6.2 builds for Linux and macOS, x86_64 and arm64; Redis is
 * BSD-3-Clause, the artifact Apache-2.0), copied once into a cache directory and made executable.
 *
 * @param path the executable
 * @param origin how it was found, for the startup line ("PATH" or "bundled ...")
 */
public record RedisServerBinary(Path path, String origin) {
    /** The artifact whose binaries are used when the system has none (see docs/operations.md). */
    public static final String BUNDLE = "com.github.codemonstur:embedded-redis:1.4.3";

    /**
     * @param environment the process environment; its {@code PATH} is searched
     * @param cacheDirectory where a bundled binary is copied to
     * @throws EmbeddedRedisException when there is neither (one line saying what to do)
     */
    public static RedisServerBinary locate(Map<String, String> environment, Path cacheDirectory) {
        return onPath(environment.getOrDefault("PATH", ""))
                .or(() -> bundled(cacheDirectory))
                .orElseThrow(() -> new EmbeddedRedisException("no redis-server on PATH and none bundled for "
                        + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                        + "; install redis-server, or pass --redis external and point the app at a Redis"));
    }

    static Optional<RedisServerBinary> onPath(String path) {
        for (String dir : path.split(java.io.File.pathSeparator)) {
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

    /** The bundled binary for this platform, copied into {@code cacheDirectory}; empty without one. */
    static Optional<RedisServerBinary> bundled(Path cacheDirectory) {
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
            throw new EmbeddedRedisException("cannot copy the bundled redis-server to " + cacheDirectory + ": " + e.getMessage());
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
