package dev.spindle.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostLog;
import dev.spindle.host.InstanceBinding;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.redis.ProxyGuest.Engine;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every byte the Redis imports write into a return area, and into the lists they allocate,
 * compared with the layouts these interfaces had before they were declared (spelled out here by
 * hand, byte by byte, independently of the ABI layer): the fields at their old offsets, and
 * every other byte left as the guest had it ({@code 0xAA} here).
 */
@ExtendWith(RedisServerExtension.class)
class ReturnAreaBytesTest {
    static final int AA = 0xAA;

    RedisCapability cap;
    InstanceBinding binding;
    ProxyGuest g;
    RedisServer server;

    @BeforeEach
    void setUp(RedisServer server) {
        this.server = server;
        server.flushAll();
        cap = RedisCapability.create(RedisOptions.defaults());
        HostLog quiet = (level, component, message) -> {};
        binding = cap.bind(new ComponentContext("bytes", AllowedHosts.parse(List.of("redis://127.0.0.1:" + server.port())), quiet));
        g = new ProxyGuest(Engine.INTERPRETER, binding);
    }

    @AfterEach
    void tearDown() {
        binding.close();
        cap.close();
    }

    /** Expected bytes: start as {@code size} bytes of 0xAA, then set fields little-endian. */
    static final class Bytes {
        final ByteBuffer b;

        Bytes(int size) {
            b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < size; i++) {
                b.put(i, (byte) AA);
            }
        }

        Bytes u8(int at, int v) {
            b.put(at, (byte) v);
            return this;
        }

        Bytes i32(int at, int v) {
            b.putInt(at, v);
            return this;
        }

        Bytes i64(int at, long v) {
            b.putLong(at, v);
            return this;
        }

        byte[] array() {
            return b.array();
        }
    }

    int i32(byte[] area, int at) {
        return ByteBuffer.wrap(area).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    }

    int open() {
        byte[] a = server.uri().getBytes(UTF_8);
        int ret = g.filled(16, 4, AA);
        g.call("proxy-open", g.put(a), a.length, ret);
        byte[] area = g.raw(ret, 16);
        // ok: disc 0 @0, handle @4; bytes 1..3 and 8..15 untouched
        assertArrayEquals(new Bytes(16).u8(0, 0).i32(4, i32(area, 4)).array(), area);
        return i32(area, 4);
    }

    @Test
    void openOkAndInvalidAddress() {
        int h = open();
        assertEquals(1, h, "the instance's first handle");
        byte[] bad = "redis://not-allowed:1".getBytes(UTF_8);
        int ret = g.filled(16, 4, AA);
        g.call("proxy-open", g.put(bad), bad.length, ret);
        // err: disc 1 @0, error disc 0 (invalid-address) @4, nothing else written
        assertArrayEquals(new Bytes(16).u8(0, 1).u8(4, 0).array(), g.raw(ret, 16));
    }

    @Test
    void getSomeNoneAndOther() {
        int h = open();
        server.withJedis(j -> j.set("k", "vv"));
        server.withJedis(j -> j.sadd("set", "m"));
        byte[] k = "k".getBytes(UTF_8);
        int ret = g.filled(16, 4, AA);
        g.call("proxy-get", h, g.put(k), 1, ret);
        byte[] area = g.raw(ret, 16);
        // ok(some(list)): disc 0 @0, option disc 1 @4, ptr @8, len @12
        assertArrayEquals(new Bytes(16).u8(0, 0).u8(4, 1).i32(8, i32(area, 8)).i32(12, 2).array(), area);
        assertArrayEquals("vv".getBytes(UTF_8), g.raw(i32(area, 8), 2));

        byte[] missing = "missing".getBytes(UTF_8);
        ret = g.filled(16, 4, AA);
        g.call("proxy-get", h, g.put(missing), missing.length, ret);
        assertArrayEquals(new Bytes(16).u8(0, 0).u8(4, 0).array(), g.raw(ret, 16), "ok(none): @8..15 untouched");

        byte[] set = "set".getBytes(UTF_8);
        ret = g.filled(16, 4, AA);
        g.call("proxy-get", h, g.put(set), set.length, ret);
        area = g.raw(ret, 16);
        // err(type-error): disc 1 @0, error disc 2 @4, no message
        assertArrayEquals(new Bytes(16).u8(0, 1).u8(4, 2).array(), area);
    }

    @Test
    void incrPlacesTheS64AndItsErrorAtEight() {
        int h = open();
        byte[] k = "n".getBytes(UTF_8);
        int ret = g.filled(24, 8, AA);
        g.call("proxy-incr", h, g.put(k), 1, ret);
        assertArrayEquals(new Bytes(24).u8(0, 0).i64(8, 1).array(), g.raw(ret, 24));
        server.withJedis(j -> j.set("n", "x"));
        ret = g.filled(24, 8, AA);
        g.call("proxy-incr", h, g.put(k), 1, ret);
        byte[] area = g.raw(ret, 24);
        // err(other(message)): disc 1 @0, error disc 3 @8, message ptr @12, len @16
        int len = i32(area, 16);
        assertArrayEquals(new Bytes(24).u8(0, 1).u8(8, 3).i32(12, i32(area, 12)).i32(16, len).array(), area);
        assertEquals("ERR value is not an integer or out of range", new String(g.raw(i32(area, 12), len), UTF_8));
    }

    @Test
    void executeResultElementsAreSixteenBytesAlignedToEight() {
        int h = open();
        server.withJedis(j -> j.set("k", "b"));
        byte[] c = "MGET".getBytes(UTF_8);
        int args = g.putParams("k", "nope");
        int ret = g.filled(16, 4, AA);
        g.call("proxy-execute", h, g.put(c), c.length, args, 2, ret);
        byte[] area = g.raw(ret, 16);
        assertArrayEquals(new Bytes(16).u8(0, 0).i32(4, i32(area, 4)).i32(8, 2).array(), area);
        int list = i32(area, 4);
        assertEquals(0, list % 8);
        byte[] elements = g.raw(list, 32);
        // [binary("b"), nil]: disc 3 @0 with ptr @8, len @12; then disc 0 @16; the guest's fresh
        // heap is zero, and the host writes nothing else
        ByteBuffer e = ByteBuffer.wrap(elements).order(ByteOrder.LITTLE_ENDIAN);
        assertArrayEquals(new byte[] {3, 0, 0, 0, 0, 0, 0, 0}, java.util.Arrays.copyOfRange(elements, 0, 8));
        assertEquals(1, e.getInt(12));
        assertArrayEquals("b".getBytes(UTF_8), g.raw(e.getInt(8), 1));
        assertArrayEquals(new byte[16], java.util.Arrays.copyOfRange(elements, 16, 32));
    }

    @Test
    void rateLimitStatusSitsAtEightInAThirtyTwoByteArea() {
        int h = open();
        byte[] k = "rl".getBytes(UTF_8);
        int ret = g.filled(32, 8, AA);
        g.call("proxy-rate-limit", h, g.put(k), k.length, 5, 60_000L, ret);
        byte[] area = g.raw(ret, 32);
        long reset = ByteBuffer.wrap(area).order(ByteOrder.LITTLE_ENDIAN).getLong(24);
        // ok: disc 0 @0; record @8: allowed u8 @8, count @12, remaining @16, reset-ms @24
        assertArrayEquals(new Bytes(32).u8(0, 0).u8(8, 1).i32(12, 1).i32(16, 4).i64(24, reset).array(), area);
    }

    @Test
    void pipelineRepliesAreTwelveByteVariants() {
        int h = open();
        int list = g.putCommands(List.of(ProxyGuest.cmd("SET", "a", "1"), ProxyGuest.cmd("INCR", "a"), ProxyGuest.cmd("LPOP", "a")));
        int ret = g.filled(16, 4, AA);
        g.call("proxy-pipeline", h, list, 3, 0, ret);
        byte[] area = g.raw(ret, 16);
        assertArrayEquals(new Bytes(16).u8(0, 0).i32(4, i32(area, 4)).i32(8, 3).array(), area);
        ByteBuffer r = ByteBuffer.wrap(g.raw(i32(area, 4), 36)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, r.get(0), "ok");
        assertEquals(1, r.getInt(8), "one result");
        assertEquals(0, r.get(12), "ok");
        assertEquals(1, r.get(24), "err: LPOP on a string");
        int len = r.getInt(32);
        assertEquals("WRONGTYPE", new String(g.raw(r.getInt(28), len), UTF_8).substring(0, 9));
    }

    @Test
    void hasPutsTheBoolAtFour() {
        int h = open();
        byte[] k = "nothing".getBytes(UTF_8);
        int ret = g.filled(16, 4, AA);
        g.call("proxy-has", h, g.put(k), k.length, ret);
        assertArrayEquals(new Bytes(16).u8(0, 0).u8(4, 0).array(), g.raw(ret, 16));
    }
}
