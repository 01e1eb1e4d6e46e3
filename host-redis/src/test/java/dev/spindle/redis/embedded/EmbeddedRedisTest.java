package dev.spindle.redis.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.redis.binary.RedisServerBinary;
import dev.spindle.testing.RedisServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Real redis-server processes started the way {@code spindle run} starts them: the bundled binary
 * (PATH hidden), data kept across restarts, stopped at close, and the modes' rules.
 */
class EmbeddedRedisTest {
    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private RedisServerBinary bundled() {
        // An empty PATH: the binary comes out of the embedded-redis artifact on the class path.
        return EmbeddedRedisServers.binary(Map.of("PATH", dir.resolve("no-bin").toString()), dir.resolve("cache"));
    }

    @Test
    void withNoRedisServerOnPathTheBundledOneServes_andKeepsItsDataAcrossRestarts() throws IOException {
        RedisServerBinary binary = bundled();
        assertTrue(binary.origin().startsWith("bundled redis-server-"), binary.origin());
        assertTrue(binary.origin().endsWith(RedisServerBinary.BUNDLE), binary.origin());
        int port = freePort();
        LocalRedisAddress address = new LocalRedisAddress("127.0.0.1", port, Optional.empty(), "variable redis_address");
        List<String> said = new ArrayList<>();
        long pid;
        try (EmbeddedRedisServers servers = EmbeddedRedisServers.start(RedisMode.AUTO, List.of(address), dir.resolve(".spindle"),
                this::bundled, said::add)) {
            assertEquals(1, servers.servers().size());
            pid = servers.servers().get(0).pid();
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                assertEquals(1, j.incr("visits"));
                assertEquals(2, j.incr("visits"));
            }
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "stopped at close");
        assertFalse(EmbeddedRedis.listening("127.0.0.1", port), "nothing listens after close");
        Path data = dir.resolve(".spindle").resolve("redis-" + port);
        assertEquals(List.of("started redis-server (" + binary.origin() + ") on 127.0.0.1:" + port
                + " for variable redis_address, data in " + data + "; --redis external turns this off"), said);
        assertTrue(Files.exists(data.resolve("appendonly.aof")), "append-only file written");

        try (EmbeddedRedisServers again = EmbeddedRedisServers.start(RedisMode.AUTO, List.of(address), dir.resolve(".spindle"),
                this::bundled, line -> {});
             Jedis j = new Jedis("127.0.0.1", port)) {
            assertEquals(3, j.incr("visits"), "the data of the last run is there");
        }
    }

    @Test
    void aPasswordInTheAppsUrlIsRequiredByTheServer() throws IOException {
        int port = freePort();
        LocalRedisAddress address = new LocalRedisAddress("127.0.0.1", port, Optional.of("s3cret \"quoted\""), "variable x");
        try (EmbeddedRedis server = EmbeddedRedis.start(address, dir.resolve("data"), bundled());
             Jedis j = new Jedis("127.0.0.1", port)) {
            assertThrows(redis.clients.jedis.exceptions.JedisDataException.class, () -> j.get("k"));
            assertEquals("OK", j.auth("s3cret \"quoted\""));
            assertEquals("OK", j.set("k", "v"));
            // The password went to the server on its standard input: in no file and no process listing.
            String commandLine = ProcessHandle.of(server.pid()).orElseThrow().info().commandLine().orElse("");
            assertFalse(commandLine.contains("s3cret"), commandLine);
            assertFalse(Files.readString(dir.resolve("data").resolve("redis-server.log")).contains("s3cret"));
        }
    }

    @Test
    void autoLeavesAnAddressWhereARedisListensToIt_embeddedRefusesIt_externalStartsNothing() throws IOException {
        try (RedisServer theirs = RedisServer.launch()) {
            LocalRedisAddress busy = new LocalRedisAddress("127.0.0.1", theirs.port(), Optional.empty(), "variable redis_address");
            List<String> said = new ArrayList<>();
            try (EmbeddedRedisServers auto = EmbeddedRedisServers.start(RedisMode.AUTO, List.of(busy), dir, () -> {
                throw new AssertionError("no binary is looked for when nothing is to start");
            }, said::add)) {
                assertEquals(List.of(), auto.servers());
                assertEquals(List.of(), said);
            }
            EmbeddedRedisException e = assertThrows(EmbeddedRedisException.class, () -> EmbeddedRedisServers.start(
                    RedisMode.EMBEDDED, List.of(busy), dir, this::bundled, said::add));
            assertEquals("--redis embedded: 127.0.0.1:" + theirs.port() + " (variable redis_address) is already in use; stop what "
                    + "listens there, or drop --redis embedded to use it", e.getMessage());
        }
        LocalRedisAddress free = new LocalRedisAddress("127.0.0.1", freePort(), Optional.empty(), "variable redis_address");
        try (EmbeddedRedisServers external = EmbeddedRedisServers.start(RedisMode.EXTERNAL, List.of(free), dir, this::bundled, l -> {})) {
            assertEquals(List.of(), external.servers());
            assertFalse(EmbeddedRedis.listening("127.0.0.1", free.port()));
        }
    }

    @Test
    void aServerThatCannotStartIsOneLineWithItsLog() throws IOException {
        Path fake = dir.resolve("bin").resolve("redis-server");
        Files.createDirectories(fake.getParent());
        Files.writeString(fake, "#!/bin/sh\necho 'Fatal: this is not redis' >&2\nexit 3\n");
        fake.toFile().setExecutable(true);
        RedisServerBinary binary = EmbeddedRedisServers.binary(Map.of("PATH", fake.getParent().toString()), dir.resolve("cache"));
        assertEquals(new RedisServerBinary(fake, "PATH"), binary);
        int port = freePort();
        LocalRedisAddress address = new LocalRedisAddress("127.0.0.1", port, Optional.empty(), "variable v");
        EmbeddedRedisException e = assertThrows(EmbeddedRedisException.class,
                () -> EmbeddedRedis.start(address, dir.resolve("data"), binary));
        assertEquals("redis-server for 127.0.0.1:" + port + " exited with status 3: Fatal: this is not redis", e.getMessage());
    }

    @Test
    void modesParseWithAOneLineErrorNamingTheChoices() {
        assertEquals(RedisMode.EMBEDDED, RedisMode.parse("embedded"));
        assertEquals(RedisMode.EXTERNAL, RedisMode.parse(" External "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisMode.parse("on"));
        assertEquals("--redis: \"on\" is not one of auto, embedded, external", e.getMessage());
    }
}
