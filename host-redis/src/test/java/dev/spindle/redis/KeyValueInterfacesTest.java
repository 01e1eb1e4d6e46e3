package dev.spindle.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.InstanceBinding;
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

/**
 * The three key-value interfaces through the {@code kv-proxy} guest (which, like a wit-bindgen 0.2
 * guest, exports only {@code canonical_abi_realloc}), against a real redis-server. Return areas
 * are decoded here by hand from the WIT layouts: result disc u8 @0; ok payload or error variant @4
 * (its disc u8 @4, an {@code other}/{@code io} string @8/@12); 16 bytes, align 4.
 */
@ExtendWith(RedisServerExtension.class)
class KeyValueInterfacesTest {
    static final String V2 = "fermyon:spin/key-value@2.0.0";
    static final String UNVERSIONED = "fermyon:spin/key-value";
    static final String LEGACY = "key-value";

    // 2.0.0 error cases
    static final int STORE_TABLE_FULL = 0;
    static final int NO_SUCH_STORE = 1;
    static final int ACCESS_DENIED = 2;
    static final int OTHER = 3;
    // unversioned / legacy error cases
    static final int INVALID_STORE = 3;
    static final int NO_SUCH_KEY = 4;
    static final int IO = 5;

    private final List<String> log = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void clean(RedisServer server) {
        server.flushAll();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private ImportProxy guest(RedisServer server, RedisOptions options, Set<String> labels) {
        String toml = "[key_value_store.default]\ntype = \"redis\"\nurl = \"" + server.uri() + "\"\n"
                + "[key_value_store.other]\ntype = \"redis\"\nurl = \"" + server.uri() + "\"\n";
        KeyValueConfig config = KeyValueConfig.parse("kv-app", RuntimeConfig.parse(toml, Path.of("rc.toml")));
        KeyValueCapability cap = new KeyValueCapability(config, Map.of("web", labels), RedisClientSettings.create(options));
        toClose.add(cap);
        ComponentContext component = new ComponentContext("web", AllowedHosts.parse(List.of()), (l, id, m) -> log.add(m));
        return new ImportProxy("kv-proxy", scope -> {
            InstanceBinding b = cap.bind(component, scope);
            toClose.add(b);
            return List.of(b);
        });
    }

    private ImportProxy guest(RedisServer server) {
        return guest(server, RedisOptions.defaults(), Set.of("default", "other", "unconfigured"));
    }

    private static void ok(ImportProxy g, int ret) {
        if (g.u8(ret) != 0) {
            throw new AssertionError("expected ok, got err case " + g.u8(ret + 4));
        }
    }

    private static int err(ImportProxy g, int ret) {
        assertEquals(1, g.u8(ret), "expected err");
        return g.u8(ret + 4);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- fermyon:spin/key-value@2.0.0 ----

    private int open2(ImportProxy g, String label) {
        int ret = g.call(V2, "[static]store.open", 16, 4, g.str(label));
        ok(g, ret);
        return g.i32(ret + 4);
    }

    @Test
    void v2SetGetExistsDeleteAndGetKeys(RedisServer server) {
        ImportProxy g = guest(server);
        int store = open2(g, "default");
        int none = g.call(V2, "[method]store.get", 16, 4, store, g.str("k"));
        ok(g, none);
        assertEquals(0, g.u8(none + 4), "absent key: ok(none)");
        ok(g, g.call(V2, "[method]store.set", 16, 4, store, g.str("k"), g.bytes(new byte[] {1, 0, (byte) 0xFE})));
        ok(g, g.call(V2, "[method]store.set", 16, 4, store, g.str("k2"), g.bytes(b("two"))));
        int some = g.call(V2, "[method]store.get", 16, 4, store, g.str("k"));
        ok(g, some);
        assertEquals(1, g.u8(some + 4));
        assertArrayEquals(new byte[] {1, 0, (byte) 0xFE}, g.bytesAt(some + 8));
        int exists = g.call(V2, "[method]store.exists", 16, 4, store, g.str("k2"));
        ok(g, exists);
        assertEquals(1, g.u8(exists + 4));
        int keys = g.call(V2, "[method]store.get-keys", 16, 4, store);
        ok(g, keys);
        assertEquals(Set.of("k", "k2"), new HashSet<>(g.stringsAt(keys + 4)));
        ok(g, g.call(V2, "[method]store.delete", 16, 4, store, g.str("k")));
        int gone = g.call(V2, "[method]store.exists", 16, 4, store, g.str("k"));
        ok(g, gone);
        assertEquals(0, g.u8(gone + 4));
        assertEquals(Set.of("spindle:kv:kv-app:default:k2"), server.withJedis(j -> j.keys("*")));
        g.call(V2, "[resource-drop]store", 0, 0, store);
        assertThrows(GuestTrapException.class, () -> g.call(V2, "[method]store.get", 16, 4, store, g.str("k2")),
                "a dropped resource handle traps");
    }

    @Test
    void v2LabelsTheComponentDoesNotListAreAccessDenied(RedisServer server) {
        ImportProxy g = guest(server, RedisOptions.defaults(), Set.of("default", "unconfigured"));
        assertEquals(ACCESS_DENIED, err(g, g.call(V2, "[static]store.open", 16, 4, g.str("other"))));
        assertEquals(ACCESS_DENIED, err(g, g.call(V2, "[static]store.open", 16, 4, g.str("forbidden"))));
        assertEquals(NO_SUCH_STORE, err(g, g.call(V2, "[static]store.open", 16, 4, g.str("unconfigured"))));
        assertTrue(log.contains("denied key-value store \"forbidden\": add it to key_value_stores of component \"web\""), log.toString());
    }

    @Test
    void anUnreachableStoreIsOtherWithAMessage(RedisServer server) {
        ImportProxy g = guest(server);
        int store = open2(g, "default");
        server.stop();
        int ret = g.call(V2, "[method]store.get", 16, 4, store, g.str("k"));
        assertEquals(OTHER, err(g, ret));
        assertTrue(g.stringAt(ret + 8).startsWith("key-value store \"default\": "), g.stringAt(ret + 8));
        server.start();
    }

    /** get-keys through the guest: 100,000 keys lowered into its memory; over the result cap it is other(...), not a flood. */
    @Test
    void getKeysOfAHundredThousandKeysThroughTheGuestAndItsBound(RedisServer server) {
        server.withJedis(j -> {
            redis.clients.jedis.Pipeline p = j.pipelined();
            for (int i = 0; i < 100_000; i++) {
                p.set(KeyValueConfig.defaultPrefix("kv-app", "default") + i, "v");
            }
            p.sync();
            return null;
        });
        ImportProxy g = guest(server);
        int keys = g.call(V2, "[method]store.get-keys", 16, 4, open2(g, "default"));
        ok(g, keys);
        List<String> all = g.stringsAt(keys + 4);
        assertEquals(100_000, all.size());
        assertEquals(100_000, new HashSet<>(all).size());
        assertTrue(all.contains("99999"));

        ImportProxy capped = guest(server, RedisOptions.defaults().withMaxResultBytes(1 << 20), Set.of("default"));
        int over = capped.call(LEGACY, "get-keys", 16, 4, capped.i32(capped.call(LEGACY, "open", 16, 4, capped.str("default")) + 4));
        assertEquals(IO, err(capped, over));
        assertTrue(capped.stringAt(over + 8).contains("more keys than fit the result limit of 1048576 bytes"), capped.stringAt(over + 8));
    }

    // ---- unversioned and legacy: u32 handles ----

    @Test
    void legacyAndUnversionedShareHandlesAndSayNoSuchKeyAndInvalidStore(RedisServer server) {
        ImportProxy g = guest(server);
        int open = g.call(LEGACY, "open", 16, 4, g.str("default"));
        ok(g, open);
        int store = g.i32(open + 4);
        ok(g, g.call(LEGACY, "set", 16, 4, store, g.str("visits"), g.bytes(b("1"))));
        int got = g.call(UNVERSIONED, "get", 16, 4, store, g.str("visits"));
        ok(g, got);
        assertEquals("1", g.stringAt(got + 4));
        assertEquals(NO_SUCH_KEY, err(g, g.call(LEGACY, "get", 16, 4, store, g.str("absent"))));
        int exists = g.call(UNVERSIONED, "exists", 16, 4, store, g.str("visits"));
        ok(g, exists);
        assertEquals(1, g.u8(exists + 4));
        int keys = g.call(LEGACY, "get-keys", 16, 4, store);
        ok(g, keys);
        assertEquals(List.of("visits"), g.stringsAt(keys + 4));
        ok(g, g.call(UNVERSIONED, "delete", 16, 4, store, g.str("visits")));
        g.call(LEGACY, "close", 0, 0, store);
        g.call(LEGACY, "close", 0, 0, store); // unknown: nothing happens
        g.call(UNVERSIONED, "close", 0, 0, 12345);
        assertEquals(INVALID_STORE, err(g, g.call(LEGACY, "get", 16, 4, store, g.str("visits"))));
        assertEquals(INVALID_STORE, err(g, g.call(UNVERSIONED, "set", 16, 4, -1, g.str("x"), g.bytes(b("y")))));
        assertEquals(ACCESS_DENIED, err(g, g.call(UNVERSIONED, "open", 16, 4, g.str("nope"))));
    }

    @Test
    void legacyIoErrorCarriesItsMessage(RedisServer server) {
        ImportProxy g = guest(server);
        int open = g.call(LEGACY, "open", 16, 4, g.str("default"));
        int store = g.i32(open + 4);
        server.stop();
        int ret = g.call(LEGACY, "set", 16, 4, store, g.str("k"), g.bytes(b("v")));
        assertEquals(IO, err(g, ret));
        assertTrue(g.stringAt(ret + 8).contains("cannot connect to"), g.stringAt(ret + 8));
        server.start();
    }

    @Test
    void storesOfAllThreeInterfacesCountAgainstOneLimit(RedisServer server) {
        ImportProxy g = guest(server, RedisOptions.defaults().withMaxHandlesPerInstance(2), Set.of("default"));
        open2(g, "default");
        ok(g, g.call(LEGACY, "open", 16, 4, g.str("default")));
        assertEquals(STORE_TABLE_FULL, err(g, g.call(UNVERSIONED, "open", 16, 4, g.str("default"))));
        assertEquals(STORE_TABLE_FULL, err(g, g.call(V2, "[static]store.open", 16, 4, g.str("default"))));
    }

    @Test
    void aStringThatIsNotUtf8Traps(RedisServer server) {
        ImportProxy g = guest(server);
        int store = open2(g, "default");
        assertThrows(GuestTrapException.class, () -> g.call(V2, "[method]store.set", 16, 4, store,
                g.bytes(new byte[] {(byte) 0xC3, 0x28}), g.bytes(b("v"))));
    }
}
