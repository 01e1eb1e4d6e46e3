package dev.spindle.host.abi;

import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;
import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.U32;
import static dev.spindle.host.abi.Wit.U8;
import static dev.spindle.host.abi.Wit.borrow;
import static dev.spindle.host.abi.Wit.own;
import static dev.spindle.host.abi.Wit.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import dev.spindle.host.GuestTrapException;
import dev.spindle.host.HostImport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Interfaces declared once, bound per instance, called the way a guest calls them. */
class WitInterfaceTest {

    static final class Counter {
        final String name;
        long value;

        Counter(String name) {
            this.name = name;
        }
    }

    /** Per-instance state of the test interface. */
    static final class State {
        final List<String> calls = new ArrayList<>();
    }

    static final ResourceType<Counter> COUNTER = ResourceType.of("counter", Counter.class, c -> c.value = -1);

    static final WitInterface<State> COUNTERS = WitInterface.<State>builder("test:abi/counters@1.0.0")
            .resource(COUNTER)
            .func("[static]counter.open", param("name", STRING), result(own(COUNTER), STRING), (s, name) -> {
                s.calls.add("open " + name);
                return name.isEmpty() ? Result.err("empty name") : Result.ok(new Counter(name));
            })
            .func("[method]counter.add", param("self", borrow(COUNTER)), param("delta", Wit.S64), Wit.S64, (s, c, d) -> {
                s.calls.add("add " + d);
                return c.value += d;
            })
            .func("[method]counter.name", param("self", borrow(COUNTER)), STRING, (s, c) -> c.name)
            .action("log", param("message", STRING), (s, m) -> s.calls.add("log " + m))
            .build();

    final AbiGuest g = new AbiGuest();
    final Memory mem = g.memory();
    final State state = new State();
    final Map<String, HostImport> imports = COUNTERS.bind(state, g.scope).stream()
            .collect(Collectors.toMap(HostImport::name, i -> i));

    long[] call(String name, long... core) {
        return imports.get(name).call().apply(g.scope.memory(), core);
    }

    int put(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        mem.write(2000, b);
        return 2000;
    }

    static final WitInterface<State> LOGS = WitInterface.<State>builder("test:abi/logs@1.0.0")
            .action("write", param("line", STRING), (s, line) -> s.calls.add("write " + line))
            .build();

    /** Several interfaces bound as one list: chosen by module, in order, each function made when read and working alike. */
    @Test
    void bindAllListsTheChosenInterfacesFunctionsInDeclarationOrder() {
        List<HostImport> all = WitInterface.bindAll(List.of(COUNTERS, LOGS), null, state, g.scope);
        List<String> names = all.stream().map(i -> i.module() + "#" + i.name()).toList();
        List<String> expected = new ArrayList<>();
        COUNTERS.functions().forEach(f -> expected.add(COUNTERS.module() + "#" + f.name()));
        LOGS.functions().forEach(f -> expected.add(LOGS.module() + "#" + f.name()));
        assertEquals(expected, names);
        assertThrows(IndexOutOfBoundsException.class, () -> all.get(all.size()));
        assertThrows(UnsupportedOperationException.class, () -> all.add(all.get(0)));

        List<HostImport> logsOnly = WitInterface.bindAll(List.of(COUNTERS, LOGS), java.util.Set.of(LOGS.module()), state, g.scope);
        assertEquals(List.of("write"), logsOnly.stream().map(HostImport::name).toList());
        assertEquals(imports.get("log").type(), all.get(names.indexOf(COUNTERS.module() + "#log")).type());
        logsOnly.get(0).call().apply(g.scope.memory(), new long[] {put("hi"), 2});
        assertEquals(List.of("write hi"), state.calls);
        // The engine keeps the bound list as it is (InstanceBinding.of copies others, which would make every function).
        assertTrue(dev.spindle.host.InstanceBinding.of(all).imports() == all);
    }

    @Test
    void coreSignaturesAreDerivedFromTheDeclaration() {
        assertEquals(FunctionType.of(List.of(I32, I32, I32), List.of()), imports.get("[static]counter.open").type(),
                "result<own<counter>, string> needs a return area: retptr last");
        assertEquals(FunctionType.of(List.of(I32, I64), List.of(I64)), imports.get("[method]counter.add").type(),
                "an s64 result is flat");
        assertEquals(FunctionType.of(List.of(I32, I32), List.of()), imports.get("[method]counter.name").type());
        assertEquals(FunctionType.of(List.of(I32, I32), List.of()), imports.get("log").type());
        assertEquals(FunctionType.of(List.of(I32), List.of()), imports.get("[resource-drop]counter").type());
        assertTrue(imports.get("[static]counter.open").allocates(), "its error string is allocated in the guest");
        assertFalse(imports.get("[method]counter.add").allocates());
        assertEquals("cabi_realloc", imports.get("[method]counter.name").allocator());
        assertEquals(List.of("[resource-drop]counter", "[static]counter.open", "[method]counter.add", "[method]counter.name", "log"),
                COUNTERS.functions().stream().map(WitFunction::name).collect(Collectors.toList()));
        assertEquals("[static]counter.open: func(name: string) -> result<own<counter>, string>", COUNTERS.functions().get(1).wit());
        assertEquals(List.of("name_ptr", "name_len", "retptr"), COUNTERS.functions().get(1).importParamNames());
    }

    @Test
    void ownResultsEnterTheSharedTableAndBorrowsFindThem() {
        int ret = 1024;
        call("[static]counter.open", put("hits"), 4, ret);
        assertEquals(0, mem.read(ret), "ok");
        int handle = mem.readInt(ret + 4);
        assertEquals(1, handle);
        assertEquals(5L, call("[method]counter.add", handle, 5)[0]);
        assertEquals(3L, call("[method]counter.add", handle, -2)[0]);
        assertEquals(1, g.scope.resources().count(COUNTER));

        call("[method]counter.name", handle, ret);
        assertEquals("hits", mem.readString(mem.readInt(ret), mem.readInt(ret + 4)));

        Counter c = g.scope.resources().get(COUNTER, handle);
        call("[resource-drop]counter", handle);
        assertEquals(-1, c.value, "[resource-drop] closed it");
        assertThrows(GuestTrapException.class, () -> call("[method]counter.add", handle, 1));
        assertThrows(GuestTrapException.class, () -> call("[resource-drop]counter", handle));
    }

    @Test
    void domainErrorsAreValues() {
        int ret = 1024;
        call("[static]counter.open", put(""), 0, ret);
        assertEquals(1, mem.read(ret), "err");
        assertEquals("empty name", mem.readString(mem.readInt(ret + 4), mem.readInt(ret + 8)));
        assertEquals(0, g.scope.resources().size());
    }

    @Test
    void aBadReturnAreaTrapsBeforeTheImplementationRuns() {
        int size = mem.pages() * 65536;
        assertThrows(GuestTrapException.class, () -> call("[static]counter.open", put("x"), 1, size - 4));
        assertThrows(GuestTrapException.class, () -> call("[static]counter.open", put("x"), 1, 1026), "misaligned");
        assertEquals(List.of(), state.calls, "nothing ran");
        assertEquals(0, g.scope.resources().size());
    }

    @Test
    void argumentsAreLiftedInOrderAndABadOneTraps() {
        assertThrows(GuestTrapException.class, () -> call("[method]counter.add", 99, 1), "unknown handle");
        mem.write(2000, new byte[] {(byte) 0xFF});
        assertThrows(GuestTrapException.class, () -> call("log", 2000, 1), "invalid UTF-8");
        assertEquals(List.of(), state.calls);
        call("log", put("hi"), 2);
        assertEquals(List.of("log hi"), state.calls);
    }

    @Test
    void anInterceptorWrapsEveryCallIncludingArgumentLifting() {
        List<String> seen = new ArrayList<>();
        WitInterface<State> wrapped = WitInterface.<State>builder("test:abi/wrapped")
                .intercept((s, fn, call) -> {
                    seen.add(fn.name());
                    try {
                        return call.get();
                    } catch (IllegalArgumentException e) {
                        return Result.err("refused: " + e.getMessage());
                    }
                })
                .func("check", param("n", U32), result(U8, STRING), (s, n) -> {
                    if (n > 255) {
                        throw new IllegalArgumentException("too big");
                    }
                    return Result.ok((int) (long) n);
                })
                .build();
        HostImport check = wrapped.bind(state, g.scope).get(0);
        int ret = 1024;
        check.call().apply(g.scope.memory(), new long[] {7, ret});
        assertEquals(0, mem.read(ret));
        assertEquals(7, mem.read(ret + 4));
        check.call().apply(g.scope.memory(), new long[] {300, ret});
        assertEquals(1, mem.read(ret));
        assertEquals("refused: too big", mem.readString(mem.readInt(ret + 4), mem.readInt(ret + 8)));
        assertEquals(List.of("check", "check"), seen);
    }

    @Test
    void moreThanSixteenFlatParametersAreReadFromTheGuestsMemory() {
        List<Param<?>> params = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            params.add(i == 3 ? param("p" + i, STRING) : param("p" + i, U8));
        }
        List<Object> received = new ArrayList<>();
        WitInterface<State> spilled = WitInterface.<State>builder("test:abi/host")
                .func("spilled", params, result(U32, STRING), (s, args) -> {
                    Collections.addAll(received, args);
                    return Result.ok((long) args.length);
                })
                .build();
        WitFunction sig = spilled.functions().get(0);
        assertTrue(sig.paramsInMemory(), "18 flat values > 16");
        assertEquals(FunctionType.of(List.of(I32, I32), List.of()), sig.importType(), "params pointer and retptr");
        assertEquals(List.of("params_ptr", "retptr"), sig.importParamNames());

        // Through Chicory: the guest's call-spilled export calls the import with (params_ptr, retptr).
        AbiGuest guest = new AbiGuest(spilled.bind(state, new InstanceScope()).get(0), AbiOptions.CANONICAL);
        Memory m = guest.memory();
        int tuple = 1024; // p0 p1 p2 @0..2, p3 string @4 (ptr, len), p4.. @12..
        m.write(2000, "str".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 3; i++) {
            m.writeByte(tuple + i, (byte) (10 + i));
        }
        m.writeI32(tuple + 4, 2000);
        m.writeI32(tuple + 8, 3);
        for (int i = 4; i < 17; i++) {
            m.writeByte(tuple + 12 + (i - 4), (byte) (10 + i));
        }
        int ret = 1536;
        guest.instance.export("call-spilled").apply(tuple, ret);
        assertEquals(17, received.size());
        assertEquals(List.of(10, 11, 12, "str", 14), received.subList(0, 5));
        assertEquals(26, received.get(16));
        assertEquals(0, m.read(ret));
        assertEquals(17, m.readInt(ret + 4));
    }

    @Test
    void declaringAFunctionTwiceIsRefused() {
        WitInterface.Builder<State> b = WitInterface.<State>builder("test:abi/dup").func("f", U8, s -> 1);
        assertThrows(IllegalArgumentException.class, () -> b.func("f", U8, s -> 2));
    }

    @Test
    void witBindgen02InterfacesNameTheirOwnAllocator() {
        WitInterface<State> legacy = WitInterface.<State>builder("test:abi/legacy", AbiOptions.WIT_BINDGEN_0_2)
                .func("name", STRING, s -> "old")
                .build();
        HostImport imp = legacy.bind(state, g.scope).get(0);
        assertEquals("canonical_abi_realloc", imp.allocator());
        int before = g.heapTop();
        int ret = 1024;
        imp.call().apply(g.scope.memory(), new long[] {ret});
        assertEquals("old", mem.readString(mem.readInt(ret), mem.readInt(ret + 4)));
        assertTrue(g.heapTop() > before);
    }
}
