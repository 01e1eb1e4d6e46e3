package dev.spindle.redis;

import static dev.spindle.redis.ProxyGuest.OTHER;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostLog;
import dev.spindle.host.InstanceBinding;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.redis.ProxyGuest.Engine;
import dev.spindle.redis.ProxyGuest.Outcome;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import dev.spindle.testing.RedisServerOptions;
import dev.spindle.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code rediss://} end to end through the redis-proxy guest, against a TLS-only redis-server. */
@ExtendWith(RedisServerExtension.class)
@RedisServerOptions(tls = true)
class RedisTlsTest {

    /** Bounds "fails quickly, does not hang": far above a local handshake, far below the 10 s socket timeout. */
    private static final Duration NO_HANG = Duration.ofSeconds(8);

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final HostLog hostLog = (level, component, message) -> log.add(level + " " + component + ": " + message);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private ProxyGuest guest(Engine engine, RedisOptions options, String allowed) {
        RedisCapability cap = RedisCapability.create(options);
        toClose.add(cap);
        InstanceBinding binding = cap.bind(new ComponentContext("tls-user", AllowedHosts.parse(List.of(allowed)), hostLog));
        toClose.add(binding);
        return new ProxyGuest(engine, binding);
    }

    private static RedisOptions trusting(RedisServer server) {
        return RedisOptions.defaults().withTlsCaFile(server.tlsCaCertificate().orElseThrow());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void redissWithTheServersCaSetsAndGets(Engine engine, RedisServer server) {
        String address = "rediss://127.0.0.1:" + server.port();
        ProxyGuest g = guest(engine, trusting(server), address);
        int h = g.openOk(address);
        g.set(h, "tls-key", "over tls".getBytes(UTF_8)).get();
        assertArrayEquals("over tls".getBytes(UTF_8), g.get(h, "tls-key").get().orElseThrow());
        assertEquals("over tls", server.withJedis(j -> j.get("tls-key")));
    }

    @Test
    void redissByHostNameMatchesTheCertificatesDnsName(RedisServer server) {
        String address = "rediss://localhost:" + server.port();
        ProxyGuest g = guest(Engine.COMPILER, trusting(server), address);
        int h = g.openOk(address);
        assertEquals(1L, g.incr(h, "tls-counter").get());
    }

    @Test
    void redissWithoutTheCaFailsWithATlsMessageInsteadOfHanging(RedisServer server) {
        // No tlsCaFile: the JVM's default trust store, which does not know the throwaway CA.
        String address = "rediss://127.0.0.1:" + server.port();
        ProxyGuest g = guest(Engine.COMPILER, RedisOptions.defaults(), address);
        Outcome<Integer> open = timed(() -> g.open(address));
        assertEquals(OTHER, open.errKind());
        assertTrue(open.errMessage().startsWith("TLS handshake with rediss://127.0.0.1:" + server.port() + " failed"),
                open.errMessage());
    }

    @Test
    void redissWithAnotherCaFailsWithATlsMessage(RedisServer server, @TempDir Path dir) {
        Path otherCa = TestCertificates.generate(dir).caCertificate();
        String address = "rediss://127.0.0.1:" + server.port();
        ProxyGuest g = guest(Engine.COMPILER, RedisOptions.defaults().withTlsCaFile(otherCa), address);
        Outcome<Integer> open = timed(() -> g.open(address));
        assertEquals(OTHER, open.errKind());
        assertTrue(open.errMessage().startsWith("TLS handshake with"), open.errMessage());
        assertTrue(open.errMessage().contains("unable to find valid certification path"), open.errMessage());
    }

    @Test
    void plainRedisToTheTlsPortFailsCleanly(RedisServer server) {
        String address = "redis://127.0.0.1:" + server.port();
        ProxyGuest g = guest(Engine.COMPILER, trusting(server), address);
        Outcome<?> result = timed(() -> {
            Outcome<Integer> open = g.open(address);
            return open.ok() ? g.set(open.value(), "k", "v".getBytes(UTF_8)) : open;
        });
        assertEquals(OTHER, result.errKind());
        assertFalse(result.errMessage().isBlank());
        assertEquals(Boolean.FALSE, server.withJedis(j -> j.exists("k")));
    }

    @Test
    void unreadableCaFileIsRefusedAtCreation(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.pem");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisCapability.create(RedisOptions.defaults().withTlsCaFile(missing)));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());

        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        e = assertThrows(IllegalArgumentException.class,
                () -> RedisCapability.create(RedisOptions.defaults().withTlsCaFile(notPem)));
        assertTrue(e.getMessage().contains(notPem.toString()), e.getMessage());
    }

    @Test
    void hostnameVerificationIsOnForRediss() {
        var config = RedisClientSettings.create(RedisOptions.defaults()).builder(true).build();
        assertTrue(config.isSsl());
        assertEquals("HTTPS", config.getSslParameters().getEndpointIdentificationAlgorithm());
        assertFalse(RedisClientSettings.create(RedisOptions.defaults()).builder(false).build().isSsl());
    }

    private static <T> T timed(java.util.function.Supplier<T> call) {
        long start = System.nanoTime();
        T result = call.get();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(NO_HANG) < 0, "took " + took.toMillis() + " ms");
        return result;
    }
}
