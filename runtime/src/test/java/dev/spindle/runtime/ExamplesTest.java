package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.HostLog;
import dev.spindle.runtime.trigger.CronScheduler;
import dev.spindle.runtime.trigger.HttpServerOptions;
import dev.spindle.runtime.trigger.HttpTriggerServer;
import dev.spindle.runtime.trigger.RedisTriggers;
import dev.spindle.runtime.trigger.ServeOptions;
import dev.spindle.testing.Guests;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every app in {@code examples/} end to end: its own {@code spin.toml} and committed
 * {@code .wasm}, loaded as {@code spindle run} loads it, with the variables a user would pass
 * with {@code --variable} pointing it (address and allowed hosts) at a {@code redis-server} on a
 * free port — never the machine's Redis on 6379. Requests go through the real HTTP trigger on a
 * free port; Redis and cron triggers run for real. A second test per example rebuilds its
 * {@code .wasm} from source and compares it with the committed bytes (skipped where the
 * toolchain is not installed).
 */
@ExtendWith(RedisServerExtension.class)
class ExamplesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private RedisServer redis;

    @BeforeEach
    void clean(RedisServer redis) {
        this.redis = redis;
        redis.flushAll();
    }

    /** Host log lines, "LEVEL [component] message". */
    private HostLog capture() {
        return (level, component, message) -> {
            log.add(level + " [" + component + "] " + message);
            System.err.println(level + " [" + component + "] " + message);
        };
    }

    private SpindleApp load(String example, Map<String, String> variables) {
        Path manifest = Guests.repoRoot().resolve("examples").resolve(example).resolve("spin.toml");
        SpindleOptions.Builder options = SpindleOptions.builder().invocationTimeout(Duration.ofSeconds(10)).log(capture());
        options.variable("redis_address", redis.uri());
        variables.forEach(options::variable);
        return Spindle.load(manifest, options.build());
    }

    private static final ServeOptions SERVE = ServeOptions.builder()
            .with(HttpServerOptions.defaults().withPort(0)).shutdownGrace(Duration.ofSeconds(1)).build();

    /** Every trigger of the app, as spindle run serves them (HTTP on a free port). */
    private static Serving serve(SpindleApp app) {
        return app.serve(SERVE);
    }

    private static String url(Serving serving) {
        return serving.trigger(HttpTriggerServer.class).orElseThrow().baseUrl();
    }

    private HttpResponse<String> get(Serving server, String path, String... headers) throws Exception {
        return get(url(server), path, headers);
    }

    private HttpResponse<String> post(Serving server, String path, String body, String... headers) throws Exception {
        return post(url(server), path, body, headers);
    }

    private HttpResponse<String> get(String baseUrl, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) request.headers(headers);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String baseUrl, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) request.headers(headers);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + WAIT + " waiting for " + what);
            Thread.sleep(25);
        }
    }

    // ---- hello-redis ----

    @Test
    void helloRedisCountsEveryGet() throws Exception {
        try (SpindleApp app = load("hello-redis", Map.of()); Serving server = serve(app)) {
            for (int expected = 1; expected <= 3; expected++) {
                HttpResponse<String> response = get(server, "/");
                assertEquals(200, response.statusCode(), response.body());
                assertEquals("text/plain", response.headers().firstValue("content-type").orElse(""));
                assertEquals(expected + "\n", response.body());
            }
            assertEquals(405, post(server, "/", "x").statusCode());
        }
        assertEquals("3", redis.withJedis(j -> j.get("hello-redis:count")));
    }

    // ---- session-cache ----

    @Test
    void sessionCacheLogsInReadsTheSessionAndExpiresIt() throws Exception {
        try (SpindleApp app = load("session-cache", Map.of("session_ttl_ms", "1500")); Serving server = serve(app)) {
            HttpResponse<String> login = post(server, "/login", "alice");
            assertEquals(200, login.statusCode(), login.body());
            String token = login.body().trim();
            assertTrue(token.matches("[0-9a-f]{32}"), token);
            assertEquals(token, login.headers().firstValue("x-session-token").orElse(""));
            assertEquals("1500", login.headers().firstValue("x-session-ttl-ms").orElse(""));
            assertEquals("alice", redis.withJedis(j -> j.get("session:" + token)));
            long pttl = redis.withJedis(j -> j.pttl("session:" + token));
            assertTrue(pttl > 0 && pttl <= 1500, "PTTL " + pttl);

            HttpResponse<String> me = get(server, "/me", "Authorization", "Bearer " + token);
            assertEquals(200, me.statusCode(), me.body());
            assertEquals("alice\n", me.body());
            long left = Long.parseLong(me.headers().firstValue("x-session-ttl-ms").orElse("-1"));
            assertTrue(left > 0 && left <= 1500, "x-session-ttl-ms " + left);

            HttpResponse<String> anonymous = get(server, "/me");
            assertEquals(401, anonymous.statusCode());
            assertEquals("Bearer", anonymous.headers().firstValue("www-authenticate").orElse(""));
            assertEquals(401, get(server, "/me", "Authorization", "Bearer " + "0".repeat(32)).statusCode());

            String other = post(server, "/login", "bob").body().trim();
            assertFalse(other.equals(token), "two logins got the same token");
            assertEquals(204, post(server, "/logout", "", "Authorization", "Bearer " + other).statusCode());
            assertEquals(401, get(server, "/me", "Authorization", "Bearer " + other).statusCode());

            await("the session to expire", () -> !redis.withJedis(j -> j.exists("session:" + token)));
            HttpResponse<String> expired = get(server, "/me", "Authorization", "Bearer " + token);
            assertEquals(401, expired.statusCode(), expired.body());
            assertTrue(expired.body().contains("expired"), expired.body());
            assertEquals(400, post(server, "/login", "").statusCode());
        }
    }

    // ---- api-cache ----

    @Test
    void apiCacheMissesThenHitsUntilTheTtlRunsOut() throws Exception {
        try (SpindleApp app = load("api-cache", Map.of("cache_ttl_ms", "1000")); Serving server = serve(app)) {
            HttpResponse<String> miss = get(server, "/products/books");
            assertEquals(200, miss.statusCode(), miss.body());
            assertEquals("MISS", miss.headers().firstValue("x-cache").orElse(""));
            assertEquals("application/json", miss.headers().firstValue("content-type").orElse(""));
            assertTrue(miss.body().startsWith("{\"category\":\"books\",\"products\":[{\"id\":\"books-1\""), miss.body());
            assertEquals(miss.body(), redis.withJedis(j -> j.get("api-cache:products:books")));
            long pttl = redis.withJedis(j -> j.pttl("api-cache:products:books"));
            assertTrue(pttl > 0 && pttl <= 1000, "PTTL " + pttl);

            HttpResponse<String> hit = get(server, "/products/books");
            assertEquals(200, hit.statusCode());
            assertEquals("HIT", hit.headers().firstValue("x-cache").orElse(""));
            assertEquals(miss.body(), hit.body());
            assertEquals("1", redis.withJedis(j -> j.get("api-cache:computed")));

            HttpResponse<String> other = get(server, "/products/toys");
            assertEquals("MISS", other.headers().firstValue("x-cache").orElse(""));
            assertTrue(other.body().contains("\"toys-1\""), other.body());
            assertEquals(400, get(server, "/products/Bad_Cat").statusCode());
            assertEquals(404, get(server, "/products").statusCode());

            await("the cached entry to expire", () -> !redis.withJedis(j -> j.exists("api-cache:products:books")));
            HttpResponse<String> again = get(server, "/products/books");
            assertEquals("MISS", again.headers().firstValue("x-cache").orElse(""));
            assertEquals(miss.body(), again.body(), "the fake backend is deterministic");
            assertEquals("3", redis.withJedis(j -> j.get("api-cache:computed")));
        }
    }

    // ---- queue ----

    @Test
    void queueJobsPostedOverHttpAreDrainedByTheCronWorker() throws Exception {
        int jobs = 25;
        // HTTP first, the cron worker only once the queue is full: the test sees the queue before any tick.
        try (SpindleApp app = load("queue", Map.of());
                HttpTriggerServer http = HttpTriggerServer.start(app, SERVE.option(HttpServerOptions.class).orElseThrow())) {
            String server = http.baseUrl();
            for (int i = 1; i <= jobs; i++) {
                HttpResponse<String> queued = post(server, "/jobs", "job-" + i);
                assertEquals(202, queued.statusCode(), queued.body());
                assertEquals("queued, " + i + " waiting\n", queued.body());
            }
            HttpResponse<String> before = get(server, "/stats");
            assertEquals(200, before.statusCode(), before.body());
            assertEquals("application/json", before.headers().firstValue("content-type").orElse(""));
            assertEquals("{\"queued\":" + jobs + ",\"processed\":0}\n", before.body());
            assertEquals(400, post(server, "/jobs", "").statusCode());

            try (CronScheduler cron = CronScheduler.start(app)) {
                await("the cron worker to drain the queue", () -> "25".equals(redis.withJedis(j -> j.get("queue:processed"))));
                assertEquals("{\"queued\":0,\"processed\":" + jobs + "}\n", get(server, "/stats").body());
                assertEquals(Long.valueOf(0), redis.withJedis(j -> j.llen("queue:jobs")));
                List<String> results = redis.withJedis(j -> j.lrange("queue:results", 0, -1));
                assertEquals(jobs, results.size());
                assertEquals("job 1: JOB-1", results.get(0));
                assertEquals("job 25: JOB-25", results.get(24));
                HttpResponse<String> last = get(server, "/results");
                assertTrue(last.body().startsWith("job 16: JOB-16\n") && last.body().endsWith("job 25: JOB-25\n"), last.body());

                assertEquals(202, post(server, "/jobs", "one more").statusCode());
                await("a later tick to take the new job", () -> "26".equals(redis.withJedis(j -> j.get("queue:processed"))));
            }
        }
    }

    // ---- rate-limit ----

    @Test
    void rateLimitAnswers429WithRetryAfterOnceAClientIsOverTheLimit() throws Exception {
        try (SpindleApp app = load("rate-limit", Map.of("rate_limit_max", "3", "rate_window_ms", "60000"));
                Serving server = serve(app)) {
            for (int remaining = 2; remaining >= 0; remaining--) {
                HttpResponse<String> ok = get(server, "/anything");
                assertEquals(200, ok.statusCode(), ok.body());
                assertEquals("3", ok.headers().firstValue("x-ratelimit-limit").orElse(""));
                assertEquals(String.valueOf(remaining), ok.headers().firstValue("x-ratelimit-remaining").orElse(""));
                assertFalse(ok.headers().firstValue("retry-after").isPresent());
            }
            HttpResponse<String> denied = get(server, "/anything");
            assertEquals(429, denied.statusCode(), denied.body());
            assertEquals("0", denied.headers().firstValue("x-ratelimit-remaining").orElse(""));
            long retryAfter = Long.parseLong(denied.headers().firstValue("retry-after").orElseThrow());
            assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
            long resetMs = Long.parseLong(denied.headers().firstValue("x-ratelimit-reset-ms").orElseThrow());
            assertEquals((resetMs + 999) / 1000, retryAfter);
            assertTrue(denied.body().startsWith("too many requests for addr:127.0.0.1:"), denied.body());
            assertEquals("4", redis.withJedis(j -> j.get("ratelimit:addr:127.0.0.1")));
            long pttl = redis.withJedis(j -> j.pttl("ratelimit:addr:127.0.0.1"));
            assertTrue(pttl > 0 && pttl <= 60000, "PTTL " + pttl);

            // An API key is its own client with its own window.
            HttpResponse<String> keyed = get(server, "/", "x-api-key", "alice");
            assertEquals(200, keyed.statusCode(), keyed.body());
            assertEquals("2", keyed.headers().firstValue("x-ratelimit-remaining").orElse(""));
            assertEquals("1", redis.withJedis(j -> j.get("ratelimit:key:alice")));
            assertEquals(429, get(server, "/").statusCode());
        }
    }

    // ---- pubsub ----

    @Test
    void pubsubMessagesPublishedOverHttpAreRecordedByTheRedisTrigger() throws Exception {
        try (SpindleApp app = load("pubsub", Map.of("channel", "test-channel")); Serving server = serve(app)) {
            await("the subscriber", server.trigger(RedisTriggers.class).orElseThrow()::allSubscribed);
            for (String message : List.of("hello", "h\u00e9llo w\u00f6rld", "hello")) {
                HttpResponse<String> published = post(server, "/publish", message);
                assertEquals(202, published.statusCode(), published.body());
                assertEquals("published to test-channel\n", published.body());
            }
            await("both messages in the set", () -> redis.withJedis(j -> j.scard("pubsub:messages")) == 2);
            assertEquals(java.util.Set.of("hello", "h\u00e9llo w\u00f6rld"), redis.withJedis(j -> j.smembers("pubsub:messages")));
            HttpResponse<String> listed = get(server, "/messages");
            assertEquals(200, listed.statusCode(), listed.body());
            assertEquals("hello\nh\u00e9llo w\u00f6rld\n", listed.body());

            // The trigger listens on the channel from the variable, whoever publishes.
            redis.withJedis(j -> j.publish("test-channel", "from jedis"));
            await("the direct message", () -> redis.withJedis(j -> j.sismember("pubsub:messages", "from jedis")));
            assertEquals(400, post(server, "/publish", "").statusCode());
        }
    }

    // ---- sandbox ----

    @Test
    void sandboxIsRefusedTheForbiddenAddressWithoutAnySocketToIt() throws Exception {
        // The "forbidden" server is a listening socket the test watches: the component must be
        // refused before anything connects to it.
        try (java.net.ServerSocket forbidden = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            String forbiddenAddress = "redis://127.0.0.1:" + forbidden.getLocalPort();
            try (SpindleApp app = load("sandbox", Map.of("forbidden_address", forbiddenAddress)); Serving server = serve(app)) {
                HttpResponse<String> response = get(server, "/");
                assertEquals(200, response.statusCode(), response.body());
                assertEquals("redis_address " + redis.uri() + ": allowed, PING answered PONG\n"
                        + "forbidden_address " + forbiddenAddress + ": denied (invalid-address): it is not in this component's allowed_outbound_hosts,\n"
                        + "  so the host refused it without opening a connection; the host's log names the entry to add\n",
                        response.body());
            }
            assertTrue(log.contains("WARN [prober] denied redis address \"" + forbiddenAddress + "\": add \"" + forbiddenAddress
                    + "\" to allowed_outbound_hosts of component \"prober\""), log.toString());
            forbidden.setSoTimeout(200);
            try (java.net.Socket accepted = forbidden.accept()) {
                throw new AssertionError("something connected to the forbidden address from " + accepted.getRemoteSocketAddress());
            } catch (java.net.SocketTimeoutException expected) {
                // nobody connected
            }
        }
    }

    // ---- rebuilding every example from source ----

    /** Each example, the toolchain its build.sh needs, and the modules it builds. */
    enum Example {
        HELLO_REDIS("hello-redis", Toolchain.C, "hello.wasm"),
        SESSION_CACHE("session-cache", Toolchain.RUST, "session-cache.wasm"),
        API_CACHE("api-cache", Toolchain.ASSEMBLYSCRIPT, "api-cache.wasm"),
        QUEUE("queue", Toolchain.C, "producer.wasm", "worker.wasm"),
        RATE_LIMIT("rate-limit", Toolchain.C, "limiter.wasm"),
        PUBSUB("pubsub", Toolchain.C, "publisher.wasm", "recorder.wasm"),
        SANDBOX("sandbox", Toolchain.C, "sandbox.wasm");

        final String dir;
        final Toolchain toolchain;
        final List<String> modules;

        Example(String dir, Toolchain toolchain, String... modules) {
            this.dir = dir;
            this.toolchain = toolchain;
            this.modules = List.of(modules);
        }
    }

    enum Toolchain { C, RUST, ASSEMBLYSCRIPT }

    @ParameterizedTest
    @EnumSource(Example.class)
    void rebuildsTheCommittedWasmFromSource(Example example, @TempDir Path out) throws Exception {
        Path root = Guests.repoRoot();
        switch (example.toolchain) {
            case C -> Assumptions.assumeTrue(onPath("wasm-strip"),
                    "wasm-strip (wabt) is not installed: the committed C modules are stripped, so a rebuild without it cannot match; apt-get install -y wabt");
            case ASSEMBLYSCRIPT -> Assumptions.assumeTrue(Files.isDirectory(root.resolve("sdk/assemblyscript/node_modules/assemblyscript")),
                    "the AssemblyScript compiler is not installed (sdk/assemblyscript/node_modules is missing); run npm ci in sdk/assemblyscript to enable this check");
            case RUST -> { }
        }
        Process process = new ProcessBuilder(root.resolve("examples").resolve(example.dir).resolve("build.sh").toString(), out.toString())
                .directory(root.toFile()).redirectErrorStream(true).start();
        String output;
        try (var in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "build.sh did not finish");
        Assumptions.assumeFalse(process.exitValue() == 3, () -> example.dir + ": toolchain not installed, rebuild not checked:\n" + output);
        assertEquals(0, process.exitValue(), output);
        for (String module : example.modules) {
            byte[] committed = Files.readAllBytes(root.resolve("examples").resolve(example.dir).resolve(module));
            byte[] rebuilt = Files.readAllBytes(out.resolve(module));
            assertArrayEquals(committed, rebuilt, example.dir + "/" + module + " rebuilt from source differs from the committed module: rebuild and commit it");
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        return Stream.of(path.split(java.io.File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }
}
