package dev.spindle.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisServerLookupTest {

  @Test
  void findsRedisServerBinary() {
    assertTrue(Files.isExecutable(RedisServer.findBinary()));
  }

  @Test
  void missingExplicitBinaryFailsClearly() {
    String old = System.getProperty(RedisServer.BINARY_PROPERTY);
    System.setProperty(RedisServer.BINARY_PROPERTY, "/nonexistent/redis-server");
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class, RedisServer::launch);
      assertTrue(e.getMessage().startsWith("redis-server not found"), e.getMessage());
    } finally {
      if (old == null) {
        System.clearProperty(RedisServer.BINARY_PROPERTY);
      } else {
        System.setProperty(RedisServer.BINARY_PROPERTY, old);
      }
    }
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
    Path fake = dir.resolve("redis-server");
    Files.writeString(fake, "#!/bin/sh\necho \"fake redis: bad config $1 $2\"\nexit 2\n");
    fake.toFile().setExecutable(true);
    String old = System.getProperty(RedisServer.BINARY_PROPERTY);
    System.setProperty(RedisServer.BINARY_PROPERTY, fake.toString());
    try {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> RedisServer.launch("hidden"));
      assertTrue(e.getMessage().contains("exited with status 2"), e.getMessage());
      assertTrue(e.getMessage().contains("fake redis: bad config --port"), e.getMessage());
      assertTrue(e.getMessage().contains("--save \"\" --appendonly no"), e.getMessage());
      assertTrue(e.getMessage().contains("--requirepass ***"), e.getMessage());
      assertFalse(e.getMessage().contains("hidden"), "the password is never printed");
    } finally {
      if (old == null) {
        System.clearProperty(RedisServer.BINARY_PROPERTY);
      } else {
        System.setProperty(RedisServer.BINARY_PROPERTY, old);
      }
    }
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
}
