package dev.spindle.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RedisServerLookupTest {

  @Test
  void findsRedisServerBinary() {
    assertTrue(Files.isExecutable(RedisServer.findBinary()));
  }

  @Test
  void missingExplicitBinaryFailsClearly() {
    withBinary(Path.of("/nonexistent/redis-server"), () -> {
      IllegalStateException e = assertThrows(IllegalStateException.class, RedisServer::launch);
      assertTrue(e.getMessage().startsWith("redis-server not found"), e.getMessage());
    });
  }

  @Test
  void theBinaryIsFoundOnceAndReportsItsVersion() {
    assertSame(RedisServer.chosenBinary(), RedisServer.chosenBinary());
    assertTrue(RedisServer.binaryVersion().matches("\\d+\\.\\d+\\.\\d+.*"), RedisServer.binaryVersion());
    try (RedisServer server = RedisServer.launch()) {
      String info = server.withJedis(j -> j.info("server"));
      assertTrue(info.contains("redis_version:" + RedisServer.binaryVersion() + "\r"), info);
    }
  }

  @Test
  void versionsCompareByMajorThenMinor() {
    assertTrue(RedisServer.atLeast("7.0.15", 7, 0));
    assertTrue(RedisServer.atLeast("7.2.4", 7, 0));
    assertTrue(RedisServer.atLeast("10.0.0", 7, 2));
    assertFalse(RedisServer.atLeast("6.2.11", 7, 0));
    assertFalse(RedisServer.atLeast("7.0.15", 7, 2));
    assertTrue(RedisServer.atLeast("unknown", 7, 0), "a binary that names no version is not skipped on");
  }

  @Test
  void anOlderServerSkipsOutsideCiAndFailsUnderCi(@TempDir Path dir) throws IOException {
    Path fake = fakeServer(dir, "echo 'Redis server v=6.0.16 sha=00000000:0 malloc=libc bits=64 build=1'\n");
    withBinary(fake, () -> {
      assertEquals("6.0.16", RedisServer.binaryVersion());
      RedisServer.assumeVersionAtLeast(6, 0, "anything 6.0 has");
      Throwable e = assertThrows(Throwable.class, () -> RedisServer.assumeVersionAtLeast(7, 0, "functions (FUNCTION LOAD)"));
      String reason = "needs Redis 7.0+ for functions (FUNCTION LOAD); this redis-server is 6.0.16 (" + fake
          + ", system property " + RedisServer.BINARY_PROPERTY + ")";
      if (System.getenv("CI") == null) {
        assertEquals(TestAbortedException.class, e.getClass());
        assertEquals(reason, e.getMessage());
      } else {
        assertEquals(AssertionFailedError.class, e.getClass());
        assertTrue(e.getMessage().startsWith("CI must run a newer redis-server: " + reason), e.getMessage());
      }
    });
  }

  @Test
  void freePortIsNeverTheMachinesRedis() {
    for (int i = 0; i < 20; i++) {
      int port = RedisServer.freePort();
      assertTrue(port > 0 && port != 6379, "port " + port);
    }
  }

  @Test
  void startFailureIncludesRedisServerOutput(@TempDir Path dir) throws IOException {
    Path fake = fakeServer(dir, "echo \"fake redis: bad config $1 $2\"\nexit 2\n");
    withBinary(fake, () -> {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> RedisServer.launch("hidden"));
      assertTrue(e.getMessage().contains("exited with status 2"), e.getMessage());
      assertTrue(e.getMessage().contains("fake redis: bad config --port"), e.getMessage());
      assertTrue(e.getMessage().contains("--save \"\" --appendonly no"), e.getMessage());
      assertTrue(e.getMessage().contains("--requirepass ***"), e.getMessage());
      assertFalse(e.getMessage().contains("hidden"), "the password is never printed");
    });
  }

  @Test
  void restartFailsClearlyWhenThePortWasTaken() throws IOException {
    try (RedisServer server = RedisServer.launch()) {
      server.stop();
      try (ServerSocket thief =
          new ServerSocket(server.port(), 1, InetAddress.getByName(RedisServer.HOST))) {
        IllegalStateException e = assertThrows(IllegalStateException.class, server::start);
        assertTrue(e.getMessage().contains("Address already in use"), e.getMessage());
        assertFalse(server.isRunning());
      }
      server.start();
      assertEquals("PONG", server.withJedis(j -> j.ping()));
    }
  }

  /** An executable {@code redis-server} shell script in {@code dir} running {@code script}. */
  private static Path fakeServer(Path dir, String script) throws IOException {
    Path fake = dir.resolve("redis-server");
    Files.writeString(fake, "#!/bin/sh\n" + script);
    fake.toFile().setExecutable(true);
    return fake;
  }

  /** Runs {@code body} with {@link RedisServer#BINARY_PROPERTY} set to {@code binary}, then puts the property back. */
  private static void withBinary(Path binary, Runnable body) {
    String old = System.getProperty(RedisServer.BINARY_PROPERTY);
    System.setProperty(RedisServer.BINARY_PROPERTY, binary.toString());
    try {
      body.run();
    } finally {
      if (old == null) {
        System.clearProperty(RedisServer.BINARY_PROPERTY);
      } else {
        System.setProperty(RedisServer.BINARY_PROPERTY, old);
      }
    }
  }
}
