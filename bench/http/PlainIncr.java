package dev.spindle.runtime.trigger;

import dev.spindle.redis.RedisOptions;
import dev.spindle.runtime.Spindle;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.runtime.SpindleOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;

/**
 * The plain-Java side of {@code bench/http-bench.sh}: the same app and the same HttpTriggerServer
 * (Jetty, routing, worker slots, read deadline) as {@code spindle run}, with the counter route's
 * guest replaced by Java code doing the same INCR through a Jedis pool sized like the guests' pool.
 * Not shipped; compiled by the script against spindle.jar.
 *
 * <p>Usage: {@code PlainIncr MANIFEST PORT REDIS_URI}
 */
public final class PlainIncr {
    public static void main(String[] args) throws Exception {
        SpindleApp app = Spindle.load(Path.of(args[0]), SpindleOptions.builder().build());
        URI redis = URI.create(args[2]);
        JedisPoolConfig config = new JedisPoolConfig();
        int size = RedisOptions.defaults().maxConnectionsPerComponent(); // what one Spindle component may hold
        config.setMaxTotal(size);
        config.setMaxIdle(size);
        JedisPool pool = new JedisPool(config, redis.getHost(), redis.getPort());
        HttpGuestExecutor plain = new HttpGuestExecutor() {
            @Override
            public boolean buffersBody() {
                return true;
            }

            @Override
            public void serve(IncomingRequest request, ResponseSink response) {
                long n;
                try (Jedis jedis = pool.getResource()) {
                    n = jedis.incr("spindle:http-counter");
                }
                response.head(200, List.of(Map.entry("content-type", "text/plain")));
                response.end(ByteBuffer.wrap(Long.toString(n).getBytes(StandardCharsets.UTF_8)));
            }
        };
        HttpTriggerServer server = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(Integer.parseInt(args[1])),
                Map.of("counter", plain));
        System.out.println("plain Java INCR on " + server.baseUrl());
        Thread.currentThread().join();
    }
}
