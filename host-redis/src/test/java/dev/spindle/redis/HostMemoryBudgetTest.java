package dev.spindle.redis;

import static dev.spindle.redis.ProxyGuest.OTHER;
import static dev.spindle.redis.ProxyGuest.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Memory;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.HostMemoryBudget;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.InvocationContext;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.redis.ProxyGuest.Cmd;
import dev.spindle.redis.ProxyGuest.Engine;
import dev.spindle.redis.ProxyGuest.Outcome;
import dev.spindle.redis.ProxyGuest.Rep;
import dev.spindle.testing.RedisServer;
import dev.spindle.testing.RedisServerExtension;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 9 item 4: {@code execute} with 200 list elements that all point at the same 32 MiB of
 * guest memory made the host allocate 6.4 GB and throw OutOfMemoryError. Argument bytes are now
 * counted as they are read, aliased elements every time, and a call over budget fails as a value
 * before anything is allocated. Scaled down: a 1 MiB buffer against a 4 MiB budget.
 */
@ExtendWith(RedisServerExtension.class)
class HostMemoryBudgetTest {
    private static final int MIB = 1 << 20;
    private static final int ALIASES = 200;

    private final HostMemoryBudget budget = new HostMemoryBudget(4L * MIB, 64L * MIB);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Runs {@code work} as one invocation charged to {@link #budget}, as the engine does. */
    private <T> T inInvocation(Callable<T> work) throws Exception {
        return InvocationContext.start("tenant", Duration.ofSeconds(30), budget).runAsCurrent(work);
    }

    private record Measured<T>(T outcome, long allocatedBytes) {}

    private static <T> Measured<T> measure(Callable<T> call) throws Exception {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        T outcome = call.call();
        return new Measured<>(outcome, THREADS.getCurrentThreadAllocatedBytes() - before);
    }

    /** A guest with one 1 MiB buffer and a list of {@code count} 16-byte redis-parameters all pointing at it. */
    private record Aliased(ProxyGuest guest, int handle, int params) {}

    private Aliased aliased(RedisServer server, int count) {
        RedisCapability cap = RedisCapability.create(RedisOptions.defaults());
        InstanceBinding binding = cap.bind(new ComponentContext("tenant",
                AllowedHosts.parse(List.of("redis://127.0.0.1:" + server.port())), (level, c, m) -> {}));
        ProxyGuest g = new ProxyGuest(Engine.COMPILER, binding);
        int h = g.openOk(server.uri());
        int buffer = g.heapAlloc(MIB, 1);
        Memory memory = g.instance.memory();
        memory.write(buffer, new byte[] {'x'});
        int params = g.alloc(count * 16, 8);
        for (int i = 0; i < count; i++) {
            memory.writeByte(params + i * 16, (byte) 1); // binary
            memory.writeI32(params + i * 16 + 8, buffer);
            memory.writeI32(params + i * 16 + 12, MIB);
        }
        return new Aliased(g, h, params);
    }

    @Test
    void executeWith200ArgumentsAliasingOneLargeBufferFailsAsAValueWithoutAllocating(RedisServer server) throws Exception {
        server.flushAll();
        Measured<Outcome<List<String>>> refused = inInvocation(() -> {
            Aliased a = aliased(server, ALIASES);
            return measure(() -> a.guest().executeAt(a.handle(), "RPUSH", a.params(), ALIASES));
        });
        assertEquals(OTHER, refused.outcome().errKind());
        assertEquals("host memory for a redis command's arguments (" + (ALIASES * (long) (MIB + 16)) + " bytes) exceeds the budget of "
                + 4 * MIB + " bytes per invocation", refused.outcome().errMessage());
        assertTrue(refused.allocatedBytes() < MIB, "less than one aliased element; the refused call allocated " + refused.allocatedBytes() + " bytes");
        assertEquals(0L, (long) server.withJedis(j -> j.exists("x") ? 1L : 0L), "nothing was sent");
        assertEquals(0, budget.inFlightBytes(), "the call's charges were released");

        // Control: three aliases fit the budget, are sent, and the measurement does see their copies.
        Measured<Outcome<List<String>>> fits = inInvocation(() -> {
            Aliased a = aliased(server, 3);
            return measure(() -> a.guest().executeAt(a.handle(), "DEL", a.params(), 3));
        });
        assertEquals(List.of("int:0"), fits.outcome().get());
        assertTrue(fits.allocatedBytes() >= 3L * MIB, "three 1 MiB copies: " + fits.allocatedBytes());
        System.out.println("[figure] execute with " + ALIASES + " arguments aliasing one 1 MiB buffer (budget 4 MiB per invocation): "
                + "other(\"... exceeds ...\"), " + refused.allocatedBytes() + " bytes allocated; 3 aliases sent, "
                + fits.allocatedBytes() + " bytes allocated");
    }

    @Test
    void pipelineAndPushWithAliasedElementsFailAsValuesToo(RedisServer server) throws Exception {
        Measured<Outcome<?>> pipeline = inInvocation(() -> {
            Aliased a = aliased(server, ALIASES);
            int commands = a.guest().alloc(16, 4); // one command: RPUSH with the 200 aliased arguments
            Memory m = a.guest().instance.memory();
            m.writeI32(commands, a.guest().put("RPUSH"));
            m.writeI32(commands + 4, 5);
            m.writeI32(commands + 8, a.params());
            m.writeI32(commands + 12, ALIASES);
            return measure(() -> a.guest().pipelineAt(a.handle(), commands, 1, false));
        });
        assertEquals(OTHER, pipeline.outcome().errKind());
        assertTrue(pipeline.outcome().errMessage().startsWith("host memory for a pipeline's commands ("), pipeline.outcome().errMessage());
        assertTrue(pipeline.allocatedBytes() < MIB, "less than one aliased element; allocated " + pipeline.allocatedBytes());

        Measured<Outcome<Long>> push = inInvocation(() -> {
            Aliased a = aliased(server, 1);
            Memory m = a.guest().instance.memory();
            int buffer = m.readInt(a.params() + 8);
            int values = a.guest().alloc(ALIASES * 8, 4); // list<payload>: 200 (ptr, len) pairs, one buffer
            for (int i = 0; i < ALIASES; i++) {
                m.writeI32(values + i * 8, buffer);
                m.writeI32(values + i * 8 + 4, MIB);
            }
            return measure(() -> a.guest().pushAt(a.handle(), "q", values, ALIASES));
        });
        assertEquals(OTHER, push.outcome().errKind());
        assertTrue(push.outcome().errMessage().contains("exceeds the budget of " + 4 * MIB + " bytes per invocation"),
                push.outcome().errMessage());
        assertTrue(push.allocatedBytes() < MIB, "less than one aliased element; allocated " + push.allocatedBytes());
        assertEquals(0, budget.inFlightBytes());
    }

    @Test
    void aReplyOverTheBudgetFailsAsAValueAndTheConnectionIsNotReused(RedisServer server) throws Exception {
        server.withJedis(j -> j.set("big".getBytes(), new byte[5 * MIB]));
        Outcome<?> r = inInvocation(() -> {
            Aliased a = aliased(server, 1);
            Outcome<?> get = a.guest().get(a.handle(), "big");
            assertEquals(List.of("status:PONG"), a.guest().execute(a.guest().openOk(server.uri()), "PING").get(),
                    "the next command on a fresh connection works");
            return get;
        });
        assertEquals(OTHER, r.errKind());
        assertTrue(r.errMessage().startsWith("host memory for a redis reply (" + (5 * MIB + 16) + " bytes) exceeds the budget"),
                r.errMessage());
        assertEquals(0, budget.inFlightBytes());
    }

    @Test
    void pipelineRepliesOverTheBudgetTogetherFailAsAValueAndTheConnectionIsNotReused(RedisServer server) throws Exception {
        // each reply fits (1 MiB), five of them do not (4 MiB per invocation): the replies share one account
        server.withJedis(j -> j.set("mib".getBytes(), new byte[MIB]));
        Outcome<List<Rep>> r = inInvocation(() -> {
            Aliased a = aliased(server, 1);
            List<Cmd> gets = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                gets.add(cmd("GET", "mib"));
            }
            Outcome<List<Rep>> five = a.guest().pipeline(a.handle(), false, gets);
            assertEquals(OTHER, a.guest().pipeline(a.handle(), false, gets.subList(0, 1)).errKind(),
                    "the connection left mid-reply is not read again");
            assertEquals(2, a.guest().pipeline(a.guest().openOk(server.uri()), false, gets.subList(0, 2)).get().size(),
                    "two fit, on a fresh connection");
            return five;
        });
        assertEquals(OTHER, r.errKind());
        assertTrue(r.errMessage().startsWith("host memory for a redis reply (" + (MIB + 16) + " bytes) exceeds the budget"),
                r.errMessage());
        assertEquals(0, budget.inFlightBytes());
    }
}
