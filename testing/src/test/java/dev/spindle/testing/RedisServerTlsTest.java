package dev.spindle.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

@ExtendWith(RedisServerExtension.class)
@RedisServerOptions(tls = true)
class RedisServerTlsTest {

  @Test
  void tlsServerAnswersOverTlsWithItsCaAndHasARedissUri(RedisServer server) {
    assertTrue(server.tls());
    assertEquals("rediss://127.0.0.1:" + server.port(), server.uri());
    assertTrue(Files.isRegularFile(server.tlsCaCertificate().orElseThrow()));
    assertTrue(server.tlsCaCertificate().get().startsWith(server.directory()));
    assertEquals("OK", server.withJedis(j -> j.set("k", "v")));
    assertEquals("v", server.withJedis(j -> j.get("k")));
  }

  @Test
  void plainConnectionToTheTlsPortFails(RedisServer server) {
    DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(2000).socketTimeoutMillis(2000).build();
    // Jedis may connect in the constructor already; either way the TLS port drops a plain client.
    assertThrows(JedisConnectionException.class, () -> {
      try (Jedis plain = new Jedis(new HostAndPort(RedisServer.HOST, server.port()), config)) {
        plain.ping();
      }
    });
  }

  @Test
  void certificateCoversLocalhostToo(RedisServer server) {
    DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(2000).socketTimeoutMillis(2000).ssl(true)
        .sslSocketFactory(TestCertificates.socketFactory(server.tlsCaCertificate().orElseThrow()))
        .build();
    try (Jedis viaName = new Jedis(new HostAndPort("localhost", server.port()), config)) {
      assertEquals("PONG", viaName.ping());
    }
  }
}
