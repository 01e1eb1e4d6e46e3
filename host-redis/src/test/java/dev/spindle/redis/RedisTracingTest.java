package dev.spindle.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostLog;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.Tracing;
import dev.spindle.host.abi.ResourceTable;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.redis.ProxyGuest.Engine;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One client span per Redis call a guest makes, through every interface (Spin's typed calls,
 * execute, the extension's pipeline, the key-value store): the command's name and the server,
 * never a key, a value or an argument, and an error reply named by its prefix only.
 */
@ExtendWith(RedisServerExtension.class)
class RedisTracingTest {
    static final String SECRET_KEY = "customer:4711:token";
    static final String SECRET_VALUE = "s3cr3t-value-do-not-trace";

    final InMemorySpanExporter exported = InMemorySpanExporter.create();
    final List<AutoCloseable> toClose = new ArrayList<>();
    final HostLog log = (level, component, message) -> { };
    SdkTracerProvider provider;

    @BeforeEach
    void install(RedisServer server) {
        server.flushAll();
        provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
        Tracing.install(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
    }

    @AfterEach
    void uninstall() throws Exception {
        Tracing.uninstall();
        provider.shutdown();
        java.util.Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private ProxyGuest guest(RedisServer server, RedisOptions options) {
        RedisCapability capability = RedisCapability.create(options);
        toClose.add(capability);
        InstanceBinding binding = capability.bind(new ComponentContext("traced",
                AllowedHosts.parse(List.of("redis://127.0.0.1:" + server.port())), log));
        toClose.add(binding);
        return new ProxyGuest(Engine.COMPILER, binding);
    }

    private static String attr(SpanData s, String key) {
        return s.getAttributes().get(AttributeKey.stringKey(key));
    }

    /** Nothing of a span (name, attribute values, status) mentions {@code text}. */
    private void assertNowhere(String text) {
        for (SpanData s : exported.getFinishedSpanItems()) {
            assertFalse(s.getName().contains(text), s.getName());
            s.getAttributes().forEach((k, v) -> assertFalse(String.valueOf(v).contains(text), s.getName() + " " + k + "=" + v));
            assertFalse(String.valueOf(s.getStatus().getDescription()).contains(text), s.getName());
            assertTrue(s.getEvents().isEmpty(), "no events (an exception event would carry a message)");
        }
    }

    @Test
    void eachGuestCallIsOneClientSpanNamedByItsCommand_withNoKeyValueOrArgument(RedisServer server) {
        ProxyGuest g = guest(server, RedisOptions.defaults().withAllowedCommands(Set.of("JSON.GET")));
        int h = g.openOk("redis://127.0.0.1:" + server.port());
        assertTrue(exported.getFinishedSpanItems().isEmpty(), "open borrows a connection; it is not a command");
        g.set(h, SECRET_KEY, SECRET_VALUE.getBytes(StandardCharsets.UTF_8)).get();
        g.get(h, SECRET_KEY).get();
        assertFalse(g.incr(h, SECRET_KEY).ok(), "INCRBY on a non-integer: an error reply");
        g.execute(h, "hset", SECRET_KEY + ":h", "field", SECRET_VALUE).get();
        assertFalse(g.execute(h, "JSON.GET", SECRET_KEY).ok(), "an operator-allowed command the server does not know");
        assertFalse(g.execute(h, "FLUSHALL").ok(), "refused before anything is sent");
        g.pipeline(h, true, List.of(ProxyGuest.cmd("SET", SECRET_KEY + ":p", SECRET_VALUE), ProxyGuest.cmd("GET", SECRET_KEY + ":p"))).get();

        List<SpanData> spans = exported.getFinishedSpanItems();
        assertEquals(List.of("SET", "GET", "INCRBY", "HSET", "JSON.GET", "MULTI"), spans.stream().map(SpanData::getName).toList(),
                "one span per call sent; the refused FLUSHALL never reached the server");
        for (SpanData s : spans) {
            assertEquals(SpanKind.CLIENT, s.getKind(), s.getName());
            assertEquals("redis", attr(s, "db.system"));
            assertEquals("redis", attr(s, "db.system.name"));
            assertEquals(s.getName(), attr(s, "db.operation.name"));
            assertEquals("127.0.0.1", attr(s, "server.address"));
            assertEquals((long) server.port(), s.getAttributes().get(AttributeKey.longKey("server.port")));
            assertEquals("0", attr(s, "db.namespace"));
        }
        assertEquals(StatusCode.UNSET, spans.get(0).getStatus().getStatusCode());
        SpanData incr = spans.get(2);
        assertEquals(StatusCode.ERROR, incr.getStatus().getStatusCode());
        assertEquals("ERR", attr(incr, "error.type"), "the reply's prefix, not its text");
        assertEquals("ERR", incr.getStatus().getDescription());
        assertEquals("ERR", attr(spans.get(4), "error.type"), "ERR unknown command 'JSON.GET', with args beginning with: (the key)");
        assertEquals(2L, spans.get(5).getAttributes().get(AttributeKey.longKey("db.operation.batch.size")),
                "the guest's two commands (sent wrapped in MULTI/EXEC)");
        assertNowhere(SECRET_KEY);
        assertNowhere(SECRET_VALUE);
        assertNowhere("field");
    }

    @Test
    void aServerThatIsGoneIsAnErrorSpanOfKindOther(RedisServer server) {
        ProxyGuest g = guest(server, RedisOptions.defaults());
        int h = g.openOk("redis://127.0.0.1:" + server.port());
        // Every client connection is cut (the guest's pooled one among them): its next command fails in the host.
        server.withJedis(j -> j.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "KILL", "TYPE", "normal", "SKIPME", "yes"));
        assertFalse(g.get(h, SECRET_KEY).ok());
        SpanData failed = exported.getFinishedSpanItems().get(0);
        assertEquals("GET", failed.getName());
        assertEquals(StatusCode.ERROR, failed.getStatus().getStatusCode());
        assertEquals("other", attr(failed, "error.type"), "the host's failure kind, not the connection error's text");
        assertNowhere(SECRET_KEY);
    }

    @Test
    void keyValueOperationsAreRedisSpansToo(RedisServer server) {
        RedisPools pools = new RedisPools(RedisClientSettings.create(RedisOptions.defaults()), "key-value");
        toClose.add(pools);
        KeyValueConfig config = KeyValueStoreTest.config("app", KeyValueStoreTest.store("default", server, ""));
        KeyValueHandles handles = new KeyValueHandles(new ComponentContext("kv-user", AllowedHosts.parse(List.of()), log),
                Set.of("default"), config, pools, RedisOptions.defaults(), new ResourceTable());
        KeyValueStore store = handles.get(handles.open("default")).orElseThrow();
        store.set(SECRET_KEY, SECRET_VALUE.getBytes(StandardCharsets.UTF_8));
        assertEquals(SECRET_VALUE, new String(store.get(SECRET_KEY).orElseThrow(), StandardCharsets.UTF_8));
        assertTrue(store.exists(SECRET_KEY));
        assertEquals(List.of(SECRET_KEY), store.getKeys());
        store.delete(SECRET_KEY);
        assertEquals(List.of("SET", "GET", "EXISTS", "SCAN", "DEL"), exported.getFinishedSpanItems().stream().map(SpanData::getName).toList());
        assertTrue(exported.getFinishedSpanItems().stream().allMatch(s -> "redis".equals(attr(s, "db.system"))
                && s.getKind() == SpanKind.CLIENT));
        assertNowhere(SECRET_KEY);
        assertNowhere(SECRET_VALUE);
    }

    @Test
    void errorPrefixIsTheCodeWordOrErr() {
        assertEquals("WRONGTYPE", RedisTracing.errorPrefix("WRONGTYPE Operation against a key holding the wrong kind of value"));
        assertEquals("NOSCRIPT", RedisTracing.errorPrefix("NOSCRIPT No matching script."));
        assertEquals("ERR", RedisTracing.errorPrefix("value is not an integer"));
        assertEquals("ERR", RedisTracing.errorPrefix("secret-password is wrong"));
        assertEquals("ERR", RedisTracing.errorPrefix("BUSY" + "X".repeat(40) + " long"));
        assertEquals("OOM", RedisTracing.errorPrefix("OOM"));
    }

    @Test
    void tracingOffMakesNoSpans(RedisServer server) {
        Tracing.uninstall();
        ProxyGuest g = guest(server, RedisOptions.defaults());
        int h = g.openOk("redis://127.0.0.1:" + server.port());
        g.set(h, "k", "v".getBytes(StandardCharsets.UTF_8)).get();
        assertTrue(exported.getFinishedSpanItems().isEmpty());
    }
}
