package dev.spindle.redis;

import static dev.spindle.redis.ProxyGuest.cmd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Memory;
import dev.spindle.host.ComponentContext;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostCalls;
import dev.spindle.host.HostMemoryBudget;
import dev.spindle.host.HostMemoryExceededException;
import dev.spindle.host.InstanceBinding;
import dev.spindle.host.InvocationContext;
import dev.spindle.host.abi.AbiContext;
import dev.spindle.host.abi.AbiOptions;
import dev.spindle.host.abi.InstanceScope;
import dev.spindle.host.abi.ListType;
import dev.spindle.manifest.hosts.AllowedHosts;
import dev.spindle.redis.ProxyGuest.Cmd;
import dev.spindle.redis.ProxyGuest.Engine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PipelineCommands} against the generic lift of the same declared {@code list<command>}:
 * for well-formed lists and for every way a field can be broken, both must return the same
 * commands, or throw the same trap (or budget refusal) with the same message, under the same
 * host-memory budget.
 */
class PipelineCommandsTest {
    private static final ListType<List<byte[]>> FAST = ExtendedRedisInterface.COMMANDS;
    private static final ListType<List<byte[]>> GENERIC = ExtendedRedisInterface.COMMANDS.generic();

    private RedisCapability capability;
    private InstanceBinding binding;
    private ProxyGuest g;
    private AbiContext cx;

    @BeforeEach
    void setUp() {
        capability = RedisCapability.create();
        binding = capability.bind(new ComponentContext("pipeline-commands", AllowedHosts.parse(List.of()), (l, c, m) -> {}));
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

    private Memory mem() {
        return g.instance.memory();
    }

    /** What one lift did: its commands, or the exception it threw (class and message). */
    private record Lifted(List<List<byte[]>> commands, Class<?> thrown, String message) {}

    private Lifted lift(ListType<List<byte[]>> type, int ptr, int len, long budget) {
        try {
            HostMemoryBudget b = new HostMemoryBudget(budget, Long.MAX_VALUE / 4);
            List<List<byte[]>> out = InvocationContext.start("pipeline-commands", Duration.ofSeconds(30), b).runAsCurrent(() -> {
                List<List<byte[]>> r = new ArrayList<>();
                HostCalls.call(g.instance, new long[0], (instance, args) -> {
                    r.addAll(type.liftFlat(cx, new long[] {Integer.toUnsignedLong(ptr), len}, 0));
                    return null;
                });
                return r;
            });
            return new Lifted(out, null, null);
        } catch (Exception e) {
            return new Lifted(null, e.getClass(), e.getMessage());
        }
    }

    /**
     * Both lifts of the list at {@code ptr} agree, under a roomy budget and under each of
     * {@code budgets}; returns the fast lift's outcome under the last budget.
     */
    private Lifted assertSame(int ptr, int len, long... budgets) {
        Lifted last = null;
        long[] all = new long[budgets.length + 1];
        all[0] = 64L << 20;
        System.arraycopy(budgets, 0, all, 1, budgets.length);
        for (long budget : all) {
            Lifted fast = lift(FAST, ptr, len, budget);
            Lifted generic = lift(GENERIC, ptr, len, budget);
            assertEquals(generic.thrown(), fast.thrown(), "budget " + budget + ": " + fast.message() + " vs " + generic.message());
            assertEquals(generic.message(), fast.message(), "budget " + budget);
            if (generic.commands() != null) {
                assertEquals(generic.commands().size(), fast.commands().size());
                for (int i = 0; i < generic.commands().size(); i++) {
                    List<byte[]> a = generic.commands().get(i);
                    List<byte[]> b = fast.commands().get(i);
                    assertEquals(a.size(), b.size(), "command " + i);
                    for (int j = 0; j < a.size(); j++) {
                        assertArrayEquals(a.get(j), b.get(j), "command " + i + " part " + j);
                    }
                }
            }
            last = fast;
        }
        return last;
    }

    private static List<Cmd> sample() {
        return List.of(
                cmd("SET", "k", "v"),
                cmd("get", "k"),
                cmd("INCRBY", "n", -42L),
                cmd("PING"),
                cmd("SET", "empty", ""),
                cmd("ECHO", "ünïcödé", Long.MIN_VALUE, Long.MAX_VALUE, new byte[] {0, (byte) 0xff, 10}),
                cmd("x".repeat(70), "long name"));
    }

    @Test
    void wellFormedListsLiftTheSameUnderEveryBudget() {
        List<Cmd> commands = sample();
        int list = g.putCommands(commands);
        Lifted ok = assertSame(list, commands.size());
        assertNotNull(ok.commands(), String.valueOf(ok.message()));
        assertEquals("ECHO", new String(ok.commands().get(5).get(0), StandardCharsets.UTF_8));
        assertEquals(String.valueOf(Long.MIN_VALUE), new String(ok.commands().get(5).get(2), StandardCharsets.US_ASCII));
        assertEquals("ünïcödé", new String(ok.commands().get(5).get(1), StandardCharsets.UTF_8));
        // what the whole lift costs: 16 bytes per command and per argument, plus the bytes copied
        long cost = 16L * commands.size() + 16L * commands.stream().mapToInt(c -> c.args().length).sum() + bytes(commands);
        Lifted fits = assertSame(list, commands.size(), cost);
        assertNotNull(fits.commands(), "exactly the budget fits: " + fits.message());
        Lifted over = assertSame(list, commands.size(), cost - 1);
        assertEquals(HostMemoryExceededException.class, over.thrown());
        assertTrue(over.message().startsWith("host memory for a pipeline's commands (" + cost + " bytes)"), over.message());
        assertSame(list, 0);
        assertSame(list, commands.size(), 1, 100, 200);
    }

    private static long bytes(List<Cmd> commands) {
        long n = 0;
        for (Cmd c : commands) {
            n += c.name().getBytes(StandardCharsets.UTF_8).length;
            for (Object a : c.args()) {
                n += a instanceof byte[] b ? b.length : a instanceof String s ? s.getBytes(StandardCharsets.UTF_8).length : 0;
            }
        }
        return n;
    }

    /** One broken field of command 1 (of 3); both lifts must trap alike. */
    private void assertBrokenTrapsAlike(String what, Consumer<int[]> breakIt) {
        assertBrokenFailsAlike(what, GuestTrapException.class, breakIt);
    }

    /** One broken field of command 1 (of 3); both lifts must fail alike, with {@code expected}. */
    private void assertBrokenFailsAlike(String what, Class<?> expected, Consumer<int[]> breakIt) {
        List<Cmd> commands = List.of(cmd("SET", "a", "1"), cmd("GET", "a", 7L), cmd("DEL", "a"));
        int list = g.putCommands(commands);
        int at = list + 16; // command 1: name ptr, name len, args ptr, args len
        int args = mem().readInt(at + 8);
        breakIt.accept(new int[] {at, args});
        Lifted r = assertSame(list, commands.size());
        assertEquals(expected, r.thrown(), what + ": " + r.message());
    }

    @Test
    void everyBrokenFieldTrapsAsTheGenericLiftTraps() {
        assertBrokenTrapsAlike("name outside memory", p -> mem().writeI32(p[0], 0x7FFF_FFF0));
        // prepaid from the lengths before any bounds check of the name: over the budget first
        assertBrokenFailsAlike("name longer than the ABI allows", HostMemoryExceededException.class, p -> mem().writeI32(p[0] + 4, 1 << 28));
        assertBrokenTrapsAlike("name longer than memory", p -> mem().writeI32(p[0] + 4, 1 << 20));
        assertBrokenTrapsAlike("name not UTF-8", p -> mem().writeByte(mem().readInt(p[0]), (byte) 0xC3));
        assertBrokenTrapsAlike("arguments outside memory", p -> mem().writeI32(p[0] + 8, 0x7FFF_FFF0));
        assertBrokenTrapsAlike("arguments misaligned", p -> mem().writeI32(p[0] + 8, p[1] + 4));
        assertBrokenTrapsAlike("too many arguments for the ABI", p -> mem().writeI32(p[0] + 12, 1 << 24));
        assertBrokenTrapsAlike("argument discriminant out of range", p -> mem().writeByte(p[1] + 16, (byte) 2));
        assertBrokenTrapsAlike("binary argument outside memory", p -> mem().writeI32(p[1] + 8, 0x7FFF_FFF0));
        assertBrokenFailsAlike("binary argument longer than the ABI allows", HostMemoryExceededException.class,
                p -> mem().writeI32(p[1] + 12, 1 << 28));
        assertBrokenTrapsAlike("binary argument longer than memory", p -> mem().writeI32(p[1] + 12, 1 << 20));
    }

    @Test
    void aliasedArgumentsArePrepaidEveryTimeLikeTheGenericLift() {
        // 50 commands whose arguments all point at one 8 KiB buffer: 400 KiB to lift from 8 KiB of guest memory
        int buffer = g.put(new byte[8192]);
        int args = g.alloc(16, 8);
        mem().writeByte(args, (byte) 1);
        mem().writeI32(args + 8, buffer);
        mem().writeI32(args + 12, 8192);
        int list = g.alloc(50 * 16, 4);
        int name = g.put("SET");
        for (int i = 0; i < 50; i++) {
            mem().writeI32(list + i * 16, name);
            mem().writeI32(list + i * 16 + 4, 3);
            mem().writeI32(list + i * 16 + 8, args);
            mem().writeI32(list + i * 16 + 12, 1);
        }
        long cost = 50 * (16 + 16 + 3 + 8192L);
        assertNotNull(assertSame(list, 50, 100_000, cost - 1, cost).commands(), "exactly the budget fits");
        Lifted refused = lift(FAST, list, 50, 100_000);
        assertEquals(HostMemoryExceededException.class, refused.thrown(), refused.message());
    }
}
