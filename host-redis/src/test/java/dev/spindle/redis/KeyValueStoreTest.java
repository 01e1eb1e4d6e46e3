package dev.spindle.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.abi.ResourceTable;
import dev.spindle.host.abi.ResourceType;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.RuntimeConfig;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Pipeline;

/** The key-value store on a real redis-server: namespaces, labels, errors and the bounded get-keys. */
@ExtendWith(RedisServerExtension.class)
class KeyValueStoreTest {
    private final List<String> log = new ArrayList<>();
    private RedisPools pools;

    @BeforeEach
    void setUp(RedisServer server) {
        server.flushAll();
        pools = new RedisPools(RedisClientSettings.create(RedisOptions.defaults()), "key-value");
    }

    @AfterEach
    void tearDown() {
        pools.close();
    }

    static KeyValueConfig config(String app, String toml) {
        return KeyValueConfig.parse(app, RuntimeConfig.parse(toml, Path.of("runtime-config.toml")));
    }

    static String store(String label, RedisServer server, String extra) {
        return "[key_value_store." + label + "]\ntype = \"redis\"\nurl = \"" + server.uri() + "\"\n" + extra + "\n";
    }

    private KeyValueHandles handles(KeyValueConfig config, RedisOptions options, String... labels) {
        return handles(config, options, new ResourceTable(), labels);
    }

    private KeyValueHandles handles(KeyValueConfig config, RedisOptions options, ResourceTable table, String... labels) {
        ComponentContext c = new ComponentContext("kv-user", AllowedHosts.parse(List.of()), (level, id, m) -> log.add(level + " " + m));
        return new KeyValueHandles(c, Set.of(labels), config, pools, options, table);
    }

    private KeyValueStore open(KeyValueHandles h, String label) {
        return h.get(h.open(label)).orElseThrow();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void setGetExistsDeleteAndGetKeysWithinTheLabelsPrefix(RedisServer server) {
        KeyValueConfig config = config("shop", store("default", server, ""));
        KeyValueStore kv = open(handles(config, RedisOptions.defaults(), "default"), "default");
        assertTrue(kv.get("cart").isEmpty());
        assertFalse(kv.exists("cart"));
        kv.set("cart", b("3 apples"));
        kv.set("user:1", new byte[] {0, (byte) 0xFF, 7});
        assertArrayEquals(b("3 apples"), kv.get("cart").orElseThrow());
        assertArrayEquals(new byte[] {0, (byte) 0xFF, 7}, kv.get("user:1").orElseThrow());
        assertTrue(kv.exists("cart"));
        assertEquals(Set.of("cart", "user:1"), new HashSet<>(kv.getKeys()));
        kv.delete("cart");
        kv.delete("cart"); // no value: not an error
        assertFalse(kv.exists("cart"));
        assertEquals(List.of("user:1"), kv.getKeys());
        // what Redis itself holds: the label's prefix, the app's name
        assertEquals(Set.of("spindle:kv:shop:default:user:1"), server.withJedis(j -> j.keys("*")));
    }

    @Test
    void twoAppsAndTwoLabelsOnOneRedisNeverSeeEachOthersKeys(RedisServer server) {
        KeyValueConfig shop = config("shop", store("default", server, "") + store("cache", server, ""));
        KeyValueConfig blog = config("blog", store("default", server, ""));
        KeyValueStore shopDefault = open(handles(shop, RedisOptions.defaults(), "default", "cache"), "default");
        KeyValueStore shopCache = open(handles(shop, RedisOptions.defaults(), "default", "cache"), "cache");
        KeyValueStore blogDefault = open(handles(blog, RedisOptions.defaults(), "default"), "default");
        shopDefault.set("k", b("shop-default"));
        shopCache.set("k", b("shop-cache"));
        blogDefault.set("k", b("blog-default"));
        server.withJedis(j -> j.set("k", "someone else's"));
        assertEquals("shop-default", new String(shopDefault.get("k").orElseThrow()));
        assertEquals("shop-cache", new String(shopCache.get("k").orElseThrow()));
        assertEquals("blog-default", new String(blogDefault.get("k").orElseThrow()));
        for (KeyValueStore s : List.of(shopDefault, shopCache, blogDefault)) {
            assertEquals(List.of("k"), s.getKeys());
        }
        blogDefault.delete("k");
        assertTrue(shopDefault.exists("k"));
        assertEquals("someone else's", server.withJedis(j -> j.get("k")));
    }

    @Test
    void appNamesCannotForgeAnotherAppsPrefix() {
        assertEquals("spindle:kv:a%3Ab:c:", KeyValueConfig.defaultPrefix("a:b", "c"));
        assertEquals("spindle:kv:a:b:", KeyValueConfig.defaultPrefix("a", "b"));
        assertEquals("spindle:kv:100%25:x:", KeyValueConfig.defaultPrefix("100%", "x"));
    }

    @Test
    void globCharactersInAPrefixMatchOnlyThemselves(RedisServer server) {
        KeyValueConfig config = config("app", store("default", server, "key_prefix = \"p*[x]?:\""));
        KeyValueStore kv = open(handles(config, RedisOptions.defaults(), "default"), "default");
        kv.set("mine", b("1"));
        server.withJedis(j -> j.set("pZZ[x]Q:other", "2")); // would match an unescaped p*[x]?:*
        server.withJedis(j -> j.set("px:other", "3"));
        assertEquals(List.of("mine"), kv.getKeys());
    }

    @Test
    void labelsNotListedAreAccessDeniedEvenWhenConfigured(RedisServer server) {
        KeyValueConfig config = config("app", store("default", server, "") + store("secret", server, ""));
        KeyValueHandles h = handles(config, RedisOptions.defaults(), "default");
        KeyValueError denied = assertThrows(KeyValueError.class, () -> h.open("secret"));
        assertEquals(KeyValueError.Kind.ACCESS_DENIED, denied.kind());
        assertEquals(KeyValueError.Kind.ACCESS_DENIED, assertThrows(KeyValueError.class, () -> h.open("nowhere")).kind());
        assertTrue(log.stream().anyMatch(l -> l.contains("denied key-value store \"secret\": add it to key_value_stores")), log.toString());
        KeyValueHandles allowedButMissing = handles(config, RedisOptions.defaults(), "default", "missing");
        assertEquals(KeyValueError.Kind.NO_SUCH_STORE, assertThrows(KeyValueError.class, () -> allowedButMissing.open("missing")).kind());
    }

    @Test
    void handlesAreBoundedAndNeverReused(RedisServer server) {
        KeyValueHandles h = handles(config("app", store("default", server, "")), RedisOptions.defaults().withMaxHandlesPerInstance(2), "default");
        int first = h.open("default");
        int second = h.open("default");
        assertEquals(KeyValueError.Kind.STORE_TABLE_FULL, assertThrows(KeyValueError.class, () -> h.open("default")).kind());
        assertTrue(h.close(first));
        assertFalse(h.close(first));
        int third = h.open("default");
        assertTrue(third > second, "handles are never reused");
        assertTrue(h.get(first).isEmpty());
    }

    @Test
    void u32StoreHandlesLiveInTheInstancesOneResourceTable(RedisServer server) {
        ResourceTable table = new ResourceTable();
        ResourceType<String> other = ResourceType.of("other-interface-thing", String.class, x -> {});
        int foreign = table.insert(other, "not a store");
        KeyValueHandles h = handles(config("app", store("default", server, "")), RedisOptions.defaults(), table, "default");
        int store = h.open("default");
        assertTrue(store > foreign, "one id sequence for every interface's handles");
        assertTrue(h.get(foreign).isEmpty(), "another interface's handle is not a store (invalid-store, not a trap)");
        assertFalse(h.close(foreign));
        assertEquals(2, table.size());
        table.closeAll(); // the end of the invocation
        assertTrue(h.get(store).isEmpty());
        assertFalse(h.close(store));
    }

    @Test
    void dataOutlivesTheAppThatWroteIt(RedisServer server) {
        KeyValueConfig config = config("app", store("default", server, ""));
        open(handles(config, RedisOptions.defaults(), "default"), "default").set("visits", b("41"));
        pools.close();
        pools = new RedisPools(RedisClientSettings.create(RedisOptions.defaults()), "key-value"); // a new app
        KeyValueStore again = open(handles(config("app", store("default", server, "")), RedisOptions.defaults(), "default"), "default");
        assertEquals("41", new String(again.get("visits").orElseThrow()));
    }

    private static void fill(RedisServer server, String prefix, int count) {
        server.withJedis(j -> {
            Pipeline p = j.pipelined();
            for (int i = 0; i < count; i++) {
                p.set(prefix + "key-" + i, "v");
            }
            p.sync();
            return null;
        });
    }

    /** 100,000 keys: all come back, through SCAN (never KEYS), and a smaller result cap stops the walk cleanly. */
    @Test
    void getKeysOverAHundredThousandKeysIsCompleteAndBounded(RedisServer server) {
        String prefix = KeyValueConfig.defaultPrefix("big", "default");
        fill(server, prefix, 100_000);
        fill(server, "unrelated:", 20_000);
        server.withJedis(j -> j.configResetStat());
        KeyValueConfig config = config("big", store("default", server, ""));

        long start = System.nanoTime();
        List<String> keys = open(handles(config, RedisOptions.defaults(), "default"), "default").getKeys();
        System.err.printf("get-keys: %d keys in %d ms (%s SCAN round trips)%n", keys.size(), (System.nanoTime() - start) / 1_000_000,
                server.withJedis(j -> j.info("commandstats")).replaceAll("(?s).*cmdstat_scan:calls=(\\d+).*", "$1"));
        assertEquals(100_000, keys.size());
        assertEquals(100_000, new HashSet<>(keys).size());
        assertTrue(keys.contains("key-99999"));
        String stats = server.withJedis(j -> j.info("commandstats"));
        assertFalse(stats.contains("cmdstat_keys:"), stats);
        assertTrue(stats.contains("cmdstat_scan:"), stats);

        // 1 MiB holds about 60,000 of these keys (16 bytes each plus "key-N"): the walk stops there
        KeyValueStore capped = open(handles(config, RedisOptions.defaults().withMaxResultBytes(1 << 20), "default"), "default");
        KeyValueError tooMany = assertThrows(KeyValueError.class, capped::getKeys);
        assertEquals(KeyValueError.Kind.OTHER, tooMany.kind());
        assertTrue(tooMany.getMessage().contains("more keys than fit the result limit of 1048576 bytes"), tooMany.getMessage());
    }

    @Test
    void anUnreachableServerIsAnErrorValueNotAHang() {
        KeyValueConfig config = config("app", "[key_value_store.default]\ntype = \"redis\"\nurl = \"redis://127.0.0.1:1\"\n");
        KeyValueStore kv = open(handles(config, RedisOptions.defaults(), "default"), "default");
        KeyValueError e = assertThrows(KeyValueError.class, () -> kv.get("x"));
        assertEquals(KeyValueError.Kind.OTHER, e.kind());
        assertTrue(e.getMessage().startsWith("key-value store \"default\": cannot connect to redis://127.0.0.1:1"), e.getMessage());
    }

    @Test
    void runtimeConfigMistakesNameTheFileAndLine(RedisServer server) {
        Map<String, String> cases = Map.of(
                "[key_value_store.default]\ntype = \"spin\"\npath = \"x.db\"\n", "runtime-config.toml:3:1: [key_value_store.default]: unknown field \"path\"",
                "[key_value_store.default]\ntype = \"spin\"\n", "runtime-config.toml:2:1: [key_value_store.default]: store type \"spin\" is not supported",
                "[key_value_store.default]\ntype = \"redis\"\nurl = \"http://x\"\n", "runtime-config.toml:3:1: [key_value_store.default]: url `http://x` is not a redis:// or rediss:// address",
                "[key_value_store.default]\ntype = \"redis\"\n", "[key_value_store.default]: missing url",
                "[key_value_store.a]\ntype = \"redis\"\nurl = \"redis://h:1\"\nkey_prefix = \"p:\"\n[key_value_store.b]\ntype = \"redis\"\nurl = \"redis://h:1/0\"\nkey_prefix = \"p:\"\n",
                "key-value stores \"a\" and \"b\" would share one Redis namespace");
        cases.forEach((toml, message) -> {
            ManifestException e = assertThrows(ManifestException.class, () -> config("app", toml), toml);
            assertTrue(e.getMessage().contains(message), e.getMessage());
        });
        assertEquals(Set.of("default"), KeyValueConfig.defaults("app").labels());
        assertEquals("Redis at redis://127.0.0.1:6379, keys prefixed \"spindle:kv:app:default:\"",
                KeyValueConfig.defaults("app").describe("default").orElseThrow());
    }
}
