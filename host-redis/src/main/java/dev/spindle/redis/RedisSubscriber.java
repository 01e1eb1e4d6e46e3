package dev.spindle.redis;

import dev.spindle.host.HostLog;
import dev.spindle.host.MessageSubscriber;
import dev.spindle.manifest.hosts.RedisUrl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

/**
 * One pub/sub connection to one Redis server, on its own thread, subscribed to every channel
 * the app's triggers name on that server. If the server goes away it reconnects with
 * exponential backoff; each outage is logged once when it starts and once when it ends.
 * Log lines show the address with the password redacted.
 */
final class RedisSubscriber implements MessageSubscriber.Subscription {
    private static final String LOG_ID = "redis-trigger";
    /** First retry comes quickly (a restart often takes well under a second)... */
    static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
    /** ...then doubles up to this cap, so a returning server is noticed within 5 s without hammering a dead one. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Bounded so an unreachable host fails each attempt promptly. */
    static final int CONNECT_TIMEOUT_MS = 2000;

    private final RedisUrl url;
    /** The server to (re)connect to: the address's own, or what its Cluster or Sentinel group names now. */
    private final java.util.function.Supplier<HostAndPort> server;
    /** Told when the connection is lost, so the next {@link #server} asks the sentinels or seeds again. */
    private final Runnable lost;
    private final JedisClientConfig config;
    private final List<String> channels;
    private final BiConsumer<String, byte[]> onMessage;
    private final HostLog log;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Jedis current;
    private volatile BinaryJedisPubSub currentPubSub;
    private volatile boolean everSubscribed;
    private volatile boolean subscribed;

    RedisSubscriber(RedisUrl url, List<String> channels, BiConsumer<String, byte[]> onMessage, HostLog log,
            RedisClientSettings settings, java.util.function.Supplier<HostAndPort> server, Runnable lost) {
        this.url = url;
        this.server = server;
        this.lost = lost;
        this.channels = List.copyOf(channels);
        this.onMessage = onMessage;
        this.log = log;
        // TLS and trust exactly as for guests' connections; the subscriber keeps its own short timeouts.
        this.config = settings.hostSide(url, CONNECT_TIMEOUT_MS, CONNECT_TIMEOUT_MS);
        this.thread = new Thread(this::run, "spindle-redis-subscriber-" + url.hostAndPort());
        this.thread.setDaemon(true);
    }

    /**
     * A Redis trigger's address, read by the one Redis address parse a guest's {@code open} uses
     * ({@link RedisUrl#parse}), so {@code spindle check} and {@code run} refuse what {@code open} refuses.
     *
     * @throws dev.spindle.manifest.hosts.InvalidOutboundUrlException one line, the userinfo hidden
     */
    static RedisUrl parse(String address) {
        return RedisUrl.parse(address);
    }

    @Override
    public void start() {
        thread.start();
    }

    /** True while the subscription is live (tests wait for it). */
    @Override
    public boolean subscribed() {
        return subscribed;
    }

    private void run() {
        long backoff = INITIAL_BACKOFF.toMillis();
        boolean outageLogged = false;
        while (!closed) {
            BinaryJedisPubSub pubSub = new BinaryJedisPubSub() {
                @Override
                public void onSubscribe(byte[] channel, int count) {
                    if (count == channels.size()) {
                        subscribed = true;
                    }
                }

                @Override
                public void onMessage(byte[] channel, byte[] message) {
                    onMessage.accept(new String(channel, StandardCharsets.UTF_8), message);
                }
            };
            try (Jedis jedis = new Jedis(server.get(), config)) {
                current = jedis;
                currentPubSub = pubSub;
                if (closed) {
                    break;
                }
                jedis.ping(); // connect and authenticate before declaring the outage over
                if (outageLogged) {
                    log.info(LOG_ID, "reconnected to " + url.redacted() + "; listening on " + channels);
                    outageLogged = false;
                } else if (!everSubscribed) {
                    log.info(LOG_ID, "subscribed to " + url.redacted() + " channels " + channels);
                }
                everSubscribed = true;
                backoff = INITIAL_BACKOFF.toMillis();
                byte[][] names = channels.stream().map(c -> c.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
                jedis.subscribe(pubSub, names); // blocks until unsubscribed or the connection drops
            } catch (RuntimeException e) {
                if (closed) {
                    break;
                }
                lost.run();
                if (!outageLogged) {
                    log.warn(LOG_ID, "lost connection to " + url.redacted() + " (" + describe(e)
                            + "); reconnecting with backoff up to " + MAX_BACKOFF.toSeconds() + " s");
                    outageLogged = true;
                }
            } finally {
                subscribed = false;
                current = null;
                currentPubSub = null;
            }
            if (closed) {
                break;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                break;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
        }
    }

    private String describe(Throwable e) {
        return RedisClientSettings.describe(e, url);
    }

    @Override
    public void close() {
        closed = true;
        BinaryJedisPubSub pubSub = currentPubSub;
        if (pubSub != null) {
            try {
                pubSub.unsubscribe();
            } catch (RuntimeException ignored) {
                // Not subscribed (yet) or already disconnected: disconnecting below ends the loop anyway.
            }
        }
        Jedis jedis = current;
        if (jedis != null) {
            try {
                jedis.disconnect();
            } catch (RuntimeException ignored) {
                // Best effort at shutdown.
            }
        }
        thread.interrupt();
        try {
            thread.join(MAX_BACKOFF.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
