package dev.spindle.runtime.trigger;

import com.sun.net.httpserver.HttpServer;
import dev.spindle.runtime.SpindleApp;
import dev.spindle.testing.RedisServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;

/**
 * Benchmark, not a test: run with {@code bench/http-bench.sh}. The INCR counter as a Wasm
 * component behind {@link HttpTriggerServer} versus the same handler in plain Java (JDK
 * HttpServer + Jedis pool), both against one real redis-server, at concurrency 1 and 16.
 */
@EnabledIfSystemProperty(named = "spindle.bench", matches = "true")
class HttpBench {
    static final int WARMUP_SECONDS = Integer.getInteger("spindle.bench.warmup", 5);
    static final int MEASURE_SECONDS = Integer.getInteger("spindle.bench.seconds", 10);

    record Result(double rps, double p50ms, double p99ms) {}

    @Test
    void run() throws Exception {
        try (RedisServer redis = RedisServer.launch()) {
            Path dir = Files.createTempDirectory("spindle-bench");
            String toml = """
                    spin_manifest_version = 2
                    [application]
                    name = "bench"
                    [variables]
                    redis_address = { required = true }
                    [[trigger.http]]
                    route = "/count"
                    component = "counter"
                    [component.counter]
                    source = "%s"
                    allowed_outbound_hosts = ["redis://127.0.0.1:*"]
                    [component.counter.variables]
                    redis_address = "{{ redis_address }}"
                    """.formatted(TestApps.wasm("http-counter"));
            try (SpindleApp app = TestApps.load(dir, toml, redis.uri(), (l, c, m) -> {});
                 HttpTriggerServer wasm = HttpTriggerServer.start(app, HttpServerOptions.defaults().withPort(0));
                 JedisPool pool = jedisPool(redis)) {
                HttpServer plain = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
                plain.createContext("/count", ex -> {
                    long n;
                    try (Jedis jedis = pool.getResource()) {
                        n = jedis.incr("spindle:plain-counter");
                    }
                    byte[] body = Long.toString(n).getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().add("content-type", "text/plain");
                    ex.sendResponseHeaders(200, body.length);
                    ex.getResponseBody().write(body);
                    ex.close();
                });
                ExecutorService plainWorkers = Executors.newFixedThreadPool(HttpServerOptions.DEFAULT_WORKERS);
                plain.setExecutor(plainWorkers);
                plain.start();
                String wasmUrl = wasm.baseUrl() + "/count";
                String plainUrl = "http://127.0.0.1:" + plain.getAddress().getPort() + "/count";
                StringBuilder table = new StringBuilder();
                table.append(String.format("%-11s | %-14s | %10s | %8s | %8s%n", "concurrency", "handler", "req/s", "p50 ms", "p99 ms"));
                for (int c : new int[] {1, 16}) {
                    Result w = load(wasmUrl, c);
                    Result p = load(plainUrl, c);
                    table.append(String.format("%-11d | %-14s | %10.0f | %8.2f | %8.2f%n", c, "wasm component", w.rps, w.p50ms, w.p99ms));
                    table.append(String.format("%-11d | %-14s | %10.0f | %8.2f | %8.2f%n", c, "plain Java", p.rps, p.p50ms, p.p99ms));
                    table.append(String.format("%-11d | %-14s | %9.2fx |%n", c, "plain/wasm", p.rps / w.rps));
                }
                plain.stop(0);
                plainWorkers.shutdownNow();
                System.out.println("\n" + table);
            }
        }
    }

    static JedisPool jedisPool(RedisServer redis) {
        JedisPoolConfig config = new JedisPoolConfig();
        config.setMaxTotal(HttpServerOptions.DEFAULT_WORKERS);
        config.setMaxIdle(HttpServerOptions.DEFAULT_WORKERS);
        return new JedisPool(config, redis.host(), redis.port());
    }

    static Result load(String url, int concurrency) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).build();
        run(client, request, concurrency, WARMUP_SECONDS, new ArrayList<>());
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        run(client, request, concurrency, MEASURE_SECONDS, latencies);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Result(sorted.size() / seconds, sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6);
    }

    static void run(HttpClient client, HttpRequest request, int concurrency, int seconds, List<Long> latencies) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            futures.add(pool.submit(() -> {
                List<Long> mine = new ArrayList<>();
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("status " + r.statusCode() + ": " + r.body());
                    }
                    mine.add(System.nanoTime() - t0);
                }
                latencies.addAll(mine);
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
    }
}
