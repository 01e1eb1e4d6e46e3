package dev.spindle.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.ComponentContext;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.abi.AbiContext;
import dev.spindle.host.abi.AbiOptions;
import dev.spindle.host.abi.InstanceScope;
import dev.spindle.host.abi.ListType;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.redis.ProxyGuest.Engine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PipelineReplies} against the generic lowering of the same declared {@code list<reply>}:
 * into the proxy guest's bump allocator, over a heap filled with the same pattern each time, both
 * must leave the same bytes (return area and heap) and the same heap top, i.e. make the same
 * {@code cabi_realloc} calls in the same order and write the same bytes.
 */
class PipelineRepliesTest {
    private static final ListType<Reply> FAST = ExtendedRedisInterface.REPLIES;
    private static final ListType<Reply> GENERIC = ExtendedRedisInterface.REPLIES.generic();
    private static final int HEAP_BASE = 65536;
    private static final int HEAP_CHECKED = 32768;

    private RedisCapability capability;
    private InstanceBinding binding;
    private ProxyGuest g;
    private AbiContext cx;

    @BeforeEach
    void setUp() {
        capability = RedisCapability.create();
        binding = capability.bind(new ComponentContext("pipeline-replies", AllowedHosts.parse(List.of()), (l, c, m) -> {}));
        g = new ProxyGuest(Engine.INTERPRETER, binding);
        InstanceScope scope = new InstanceScope();
        scope.attach(g.instance);
        cx = new AbiContext(scope, AbiOptions.CANONICAL);
    }

    @AfterEach
    void tearDown() {
        binding.close();
        capability.close();
    }

    /** The return area and heap after lowering {@code replies} with {@code type}, and the heap top. */
    private record Lowered(byte[] returnArea, byte[] heap, long heapTop) {}

    private Lowered lower(ListType<Reply> type, List<Reply> replies, int ret) {
        byte[] pattern = new byte[HEAP_CHECKED];
        Arrays.fill(pattern, (byte) 0xA5);
        g.instance.memory().write(HEAP_BASE, pattern);
        g.instance.memory().write(ret, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        g.call("heap-reset");
        type.store(cx, ret, replies);
        long top = g.instance.export("heap-top").apply()[0];
        return new Lowered(g.instance.memory().readBytes(ret, 8), g.instance.memory().readBytes(HEAP_BASE, HEAP_CHECKED), top);
    }

    private void assertSameBytes(List<Reply> replies) {
        int ret = g.alloc(8, 4);
        Lowered generic = lower(GENERIC, replies, ret);
        Lowered fast = lower(FAST, replies, ret);
        assertEquals(generic.heapTop(), fast.heapTop(), "the same allocations");
        assertArrayEquals(generic.returnArea(), fast.returnArea(), "return area");
        assertArrayEquals(generic.heap(), fast.heap(), "heap");
    }

    private static Reply bulk(String s) {
        return new Reply.Bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyKindOfReplyLowersToTheSameBytes() {
        List<Reply> replies = List.of(
                new Reply.Status("OK"),
                new Reply.Status("QUEUED"),
                new Reply.Status("ünïcödé"),
                new Reply.Status(""),
                new Reply.Int(-42),
                new Reply.Int(Long.MAX_VALUE),
                bulk("value"),
                new Reply.Bulk(new byte[0]),
                new Reply.Bulk(new byte[] {0, (byte) 0xff}),
                Reply.NIL,
                new Reply.Error("WRONGTYPE Operation against a key holding the wrong kind of value"),
                new Reply.Error(""),
                new Reply.Array(List.of()),
                new Reply.Array(List.of(bulk("a"), Reply.NIL, new Reply.Int(3), new Reply.Array(List.of(bulk("nested"), new Reply.Status("OK"))))),
                new Reply.Array(List.of(bulk("a"), new Reply.Array(List.of(new Reply.Error("ERR inside"))), new Reply.Error("ERR later"))));
        assertSameBytes(replies);
        for (Reply r : replies) {
            assertSameBytes(List.of(r));
        }
    }

    @Test
    void aPipelineOf100SetsAndGetsLowersToTheSameBytes() {
        List<Reply> replies = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            replies.add(i % 2 == 0 ? new Reply.Status("OK") : bulk("0123456789abcdef"));
        }
        assertSameBytes(replies);
    }

    @Test
    void anEmptyListAllocatesNothing() {
        int ret = g.alloc(8, 4);
        Lowered fast = lower(FAST, List.of(), ret);
        assertEquals(HEAP_BASE, fast.heapTop(), "no cabi_realloc call for an empty list");
        assertSameBytes(List.of());
        assertTrue(fast.returnArea()[4] == 0 && fast.returnArea()[5] == 0, "length 0");
    }
}
