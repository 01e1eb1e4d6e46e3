package dev.spindle.redis;

import dev.spindle.manifest.hosts.RedisUrl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import redis.clients.jedis.HostAndPort;

/**
 * Cron tick leases in Redis ({@code [cron_lease]} of the runtime config): one {@code SET key holder
 * NX PX ttl} per tick and replica, on a connection of its own (opened on first use, again after a
 * failure). Calls are serialized: ticks of several triggers at one second are a handful of round trips.
 *
 * @param ttl how long a tick's key lives: longer than the clock skew between replicas, so a
 *     replica whose clock is behind still finds the key of a tick another replica ran
 */
final class RedisTickLeases {
    private final RedisUrl url;
    private final Duration ttl;
    private final RedisClientSettings settings;
    private RawConnection connection;

    RedisTickLeases(RedisUrl url, Duration ttl, RedisClientSettings settings) {
        this.url = url;
        this.ttl = ttl;
        this.settings = settings;
    }

    String describe() {
        return url.redacted() + " (keys kept " + ttl.toMillis() + " ms)";
    }

    synchronized boolean acquire(String key, String holder) {
        try {
            if (connection == null || connection.isBroken()) {
                close();
                connection = new RawConnection(new HostAndPort(url.host(), url.port()),
                        settings.hostSide(url, RedisStreamConsumer.TIMEOUT_MS, RedisStreamConsumer.TIMEOUT_MS));
            }
            Reply r = connection.call(List.of(bytes("SET"), bytes(key), bytes(holder), bytes("NX"), bytes("PX"),
                    bytes(Long.toString(ttl.toMillis()))), 1024);
            if (r instanceof Reply.Error e) {
                throw new IllegalStateException("SET NX at " + url.redacted() + ": " + e.message());
            }
            return r instanceof Reply.Status;
        } catch (IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException(url.redacted() + ": " + RedisClientSettings.describe(e, url), e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    synchronized void close() {
        RawConnection c = connection;
        connection = null;
        RawConnection.closeQuietly(c);
    }
}
