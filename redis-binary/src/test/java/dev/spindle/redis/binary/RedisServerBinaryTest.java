package dev.spindle.redis.binary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which redis-server runs: the first on PATH, else the bundled one (embedded-redis is on this
 * module's test class path), copied once and reused; its version as it reports it.
 */
class RedisServerBinaryTest {
    @TempDir
    Path dir;

    private Path fake(String name, String script) throws IOException {
        Path bin = dir.resolve(name);
        Files.createDirectories(bin);
        Path file = bin.resolve("redis-server");
        Files.writeString(file, script);
        assertTrue(file.toFile().setExecutable(true));
        return file;
    }

    @Test
    void theFirstExecutableOnPathWins_overTheBundledOne() throws IOException {
        Path notExecutable = dir.resolve("a").resolve("redis-server");
        Files.createDirectories(notExecutable.getParent());
        Files.writeString(notExecutable, "#!/bin/sh\n");
        Path first = fake("b", "#!/bin/sh\n");
        fake("c", "#!/bin/sh\n");
        String path = String.join(":", "", dir.resolve("missing").toString(), notExecutable.getParent().toString(),
                first.getParent().toString(), dir.resolve("c").toString());
        assertEquals(Optional.of(new RedisServerBinary(first, "PATH")),
                RedisServerBinary.find(Map.of("PATH", path), dir.resolve("cache")));
        assertEquals(Optional.empty(), RedisServerBinary.onPath(dir.resolve("missing").toString()));
        assertTrue(Files.notExists(dir.resolve("cache")), "nothing is copied when PATH has one");
    }

    @Test
    void withoutOneOnPathTheBundledOneIsCopiedOnce_andRuns() throws IOException {
        Path cache = dir.resolve("cache");
        RedisServerBinary binary = RedisServerBinary.find(Map.of("PATH", dir.resolve("empty").toString()), cache).orElseThrow();
        String resource = RedisServerBinary.resourceName(System.getProperty("os.name"), System.getProperty("os.arch")).orElseThrow();
        assertEquals(new RedisServerBinary(cache.resolve(resource), "bundled " + resource + " from " + RedisServerBinary.BUNDLE), binary);
        assertTrue(Files.isExecutable(binary.path()));
        assertTrue(binary.version().startsWith("6.2."), binary.version());

        FileTime copied = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(binary.path(), copied);
        assertEquals(binary, RedisServerBinary.bundled(cache).orElseThrow());
        assertEquals(copied, Files.getLastModifiedTime(binary.path()), "a complete copy is reused");

        Files.writeString(binary.path(), "truncated");
        assertEquals(binary, RedisServerBinary.bundled(cache).orElseThrow());
        assertNotEquals(9, Files.size(binary.path()), "a copy of another size is replaced");
        assertTrue(binary.version().startsWith("6.2."), binary.version());
        try (var files = Files.list(cache)) {
            assertEquals(1, files.count(), "no .part file is left behind");
        }
    }

    @Test
    void aCacheThatCannotBeWrittenIsOneLine() throws IOException {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> RedisServerBinary.bundled(file.resolve("cache")));
        assertTrue(e.getMessage().startsWith("cannot copy the bundled redis-server to " + file.resolve("cache") + ": "), e.getMessage());
    }

    @Test
    void theVersionIsWhatTheBinaryReports() throws IOException {
        Path fake = fake("v", "#!/bin/sh\necho 'Redis server v=7.2.4 sha=00000000:0 malloc=libc bits=64 build=1'\n");
        assertEquals("7.2.4", new RedisServerBinary(fake, "PATH").version());
        Path broken = fake("broken", "#!/bin/sh\necho 'not redis'\nexit 1\n");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new RedisServerBinary(broken, "PATH").version());
        assertEquals("cannot run " + broken + " --version: exit status 1, printed: not redis", e.getMessage());
    }

    @Test
    void theCacheIsUnderXdgCacheHome_elseTheHomeDirectory() {
        assertEquals(Path.of("/x/cache/spindle/redis-server"), RedisServerBinary.defaultCacheDirectory(Map.of("XDG_CACHE_HOME", "/x/cache")));
        Path home = Path.of(System.getProperty("user.home"), ".cache", "spindle", "redis-server");
        assertEquals(home, RedisServerBinary.defaultCacheDirectory(Map.of("XDG_CACHE_HOME", "relative")));
        assertEquals(home, RedisServerBinary.defaultCacheDirectory(Map.of()));
    }

    @Test
    void theBundledBinaryIsChosenByPlatform() {
        assertEquals(Optional.of("redis-server-6.2.6-v5-linux-amd64"), RedisServerBinary.resourceName("Linux", "amd64"));
        assertEquals(Optional.of("redis-server-6.2.7-linux-arm64"), RedisServerBinary.resourceName("Linux", "aarch64"));
        assertEquals(Optional.of("redis-server-6.2.6-v5-darwin-arm64"), RedisServerBinary.resourceName("Mac OS X", "aarch64"));
        assertEquals(Optional.of("redis-server-6.2.6-v5-darwin-amd64"), RedisServerBinary.resourceName("Mac OS X", "x86_64"));
        assertEquals(Optional.empty(), RedisServerBinary.resourceName("Windows 11", "amd64"));
        assertEquals(Optional.empty(), RedisServerBinary.resourceName("Linux", "riscv64"));
    }
}
