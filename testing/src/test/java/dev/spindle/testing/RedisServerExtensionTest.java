package dev.spindle.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

@ExtendWith(RedisServerExtension.class)
class RedisServerExtensionTest {

  private static RedisServer fromBeforeAll;
  private final RedisServer fromConstructor;

  RedisServerExtensionTest(RedisServer server) {
    this.fromConstructor = server;
  }

  @BeforeAll
  static void beforeAll(RedisServer server) {
    fromBeforeAll = server;
  }

  @BeforeEach
  void clean(RedisServer server) {
    server.flushAll();
  }

  @Test
  void startsOnAFreeLoopbackPortAndAnswersPing(RedisServer server) {
    assertTrue(server.isRunning());
    assertEquals("127.0.0.1", server.host());
    assertNotEquals(6379, server.port());
    assertEquals("redis://127.0.0.1:" + server.port(), server.uri());
    assertEquals("PONG", server.withJedis(Jedis::ping));
  }

  @Test
  void oneServerPerClassIsInjectedEverywhere(RedisServer server) {
    assertSame(fromBeforeAll, server);
    assertSame(fromConstructor, server);
  }

  @Test
  void setAndGetThroughJedis(RedisServer server) {
    try (Jedis jedis = server.client()) {
      assertEquals("OK", jedis.set("greeting", "hello"));
      assertEquals("hello", jedis.get("greeting"));
    }
    assertEquals("hello", server.withJedis(j -> j.get("greeting")));
  }

  @Test
  void usesATempDirWithALogAndNoPersistence(RedisServer server) {
    assertTrue(Files.isRegularFile(server.directory().resolve("redis.log")));
    assertEquals("", server.withJedis(j -> j.configGet("save").get("save")));
    assertEquals("no", server.withJedis(j -> j.configGet("appendonly").get("appendonly")));
  }

  @Test
  void connectedClientsCountsOtherOpenConnections(RedisServer server) {
    int before = server.connectedClients();
    try (Jedis second = server.client()) {
      second.ping();
      assertEquals(before + 1, server.connectedClients());
    }
    awaitClients(server, before);
  }

  @Test
  void killThenStartKeepsThePortAndComesBackEmpty(RedisServer server) {
    int port = server.port();
    server.withJedis(j -> j.set("k", "v"));
    Jedis held = server.client();
    held.ping();

    server.stop();
    assertFalse(server.isRunning());
    assertThrows(JedisConnectionException.class, held::ping);
    held.close();
    assertThrows(JedisConnectionException.class, () -> server.withJedis(Jedis::ping));

    server.start();
    assertTrue(server.isRunning());
    assertEquals(port, server.port());
    assertEquals("PONG", server.withJedis(Jedis::ping));
    assertNull(server.withJedis(j -> j.get("k")), "nothing is persisted across restarts");
    server.withJedis(j -> j.set("k", "again"));
    assertEquals("again", server.withJedis(j -> j.get("k")));
  }

  @Test
  @RedisServerOptions(persistent = true)
  void aPersistentServerKeepsItsDataAcrossAKill(RedisServer server) {
    server.withJedis(j -> j.set("kept", "yes"));
    server.stop(); // SIGKILL: only what was fsynced survives
    server.start();
    assertEquals("yes", server.withJedis(j -> j.get("kept")));
    server.restart();
    assertEquals("yes", server.withJedis(j -> j.get("kept")));
  }

  @Test
  void gracefulStopAndRestart(RedisServer server) {
    int port = server.port();
    server.stopGracefully();
    assertFalse(server.isRunning());
    server.restart();
    assertEquals(port, server.port());
    assertEquals("PONG", server.withJedis(Jedis::ping));
    server.restart();
    assertEquals("PONG", server.withJedis(Jedis::ping));
  }

  @Test
  void aServerLeftStoppedByATestIsStartedAgainBeforeTheNext_part1(RedisServer server) {
    server.stop();
  }

  @Test
  void aServerLeftStoppedByATestIsStartedAgainBeforeTheNext_part2(RedisServer server) {
    // Whatever order the tests ran in, every test starts with a running server.
    assertTrue(server.isRunning());
  }

  @Test
  @RedisServerOptions(password = "s3cret/pw")
  void passwordServerRefusesUnauthenticatedCommands(RedisServer server) {
    assertNotEquals(fromBeforeAll, server, "a method-level option gets its own server");
    assertEquals("redis://:s3cret%2Fpw@127.0.0.1:" + server.port(), server.uri());
    try (Jedis anonymous = new Jedis("127.0.0.1", server.port())) {
      JedisDataException e = assertThrows(JedisDataException.class, () -> anonymous.set("k", "v"));
      assertTrue(e.getMessage().contains("NOAUTH"), e.getMessage());
    }
    try (Jedis wrong = new Jedis("127.0.0.1", server.port())) {
      assertThrows(JedisDataException.class, () -> wrong.auth("nope"));
    }
    assertEquals("OK", server.withJedis(j -> j.set("k", "v")));
    assertEquals("v", server.withJedis(j -> j.get("k")));

    server.stop();
    server.start();
    try (Jedis anonymous = new Jedis("127.0.0.1", server.port())) {
      assertThrows(JedisDataException.class, () -> anonymous.get("k"));
    }
    assertEquals("PONG", server.withJedis(Jedis::ping));
  }

  @Test
  void closeKillsTheProcessAndDeletesTheDirectory() {
    RedisServer server = RedisServer.launch();
    Path dir = server.directory();
    assertTrue(Files.isDirectory(dir));
    server.close();
    assertFalse(server.isRunning());
    assertFalse(Files.exists(dir));
    assertThrows(IllegalStateException.class, server::start);
    server.close(); // idempotent
  }

  @Test
  void serversNeverShareAPort() {
    Set<Integer> ports = new HashSet<>();
    RedisServer[] servers = new RedisServer[4];
    try {
      for (int i = 0; i < servers.length; i++) {
        servers[i] = RedisServer.launch();
        assertTrue(ports.add(servers[i].port()));
        final int n = i;
        servers[i].withJedis(j -> j.set("n", Integer.toString(n)));
      }
      for (int i = 0; i < servers.length; i++) {
        assertEquals(Integer.toString(i), servers[i].withJedis(j -> j.get("n")));
      }
    } finally {
      for (RedisServer s : servers) {
        if (s != null) {
          s.close();
        }
      }
    }
  }

  @Nested
  class NestedClassesShareTheServer {
    @Test
    void same(RedisServer server) {
      assertSame(fromBeforeAll, server);
    }
  }

  @Nested
  @RedisServerOptions(perTest = true, password = "pw")
  class PerTest {
    private RedisServer fromBeforeEach;

    @BeforeEach
    void before(RedisServer server) {
      fromBeforeEach = server;
    }

    @Test
    void eachTestGetsItsOwnServer(RedisServer server) {
      assertSame(fromBeforeEach, server);
      assertNotEquals(fromBeforeAll.port(), server.port());
      assertTrue(server.uri().startsWith("redis://:pw@127.0.0.1:"));
      assertNull(server.withJedis(j -> j.get("per-test")), "fresh server");
      server.withJedis(j -> j.set("per-test", "x"));
    }

    @Test
    void eachTestGetsItsOwnServerAgain(RedisServer server) {
      eachTestGetsItsOwnServer(server);
    }
  }

  private static void awaitClients(RedisServer server, int expected) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (server.connectedClients() != expected) {
      if (System.nanoTime() > deadline) {
        assertEquals(expected, server.connectedClients());
      }
      Thread.onSpinWait();
    }
  }
}
