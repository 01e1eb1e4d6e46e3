package dev.spindle.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.types.ExternalType;
import dev.spindle.component.InstantiationPlan.CoreInstantiation;
import dev.spindle.component.InstantiationPlan.HostLowering;
import dev.spindle.component.InstantiationPlan.HostResourceDrop;
import dev.spindle.component.InstantiationPlan.ImportBinding;
import dev.spindle.component.InstantiationPlan.InstanceExport;
import dev.spindle.component.InstantiationPlan.LiftedExport;
import dev.spindle.testing.Guests;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Plans guests/component/redis-counter.component.wasm, made by {@code jco new} (wasm-tools'
 * wit-component) from a C core module: the shape every wit-component output has — a shim module
 * whose table holds the lowered imports, the main module, and a fixup module that fills the table
 * once the main module's memory and realloc exist; the export lifted through a nested shim component.
 */
class InlinerTest {
    private static InstantiationPlan redisCounter() throws Exception {
        return Inliner.plan(Files.readAllBytes(Guests.path("component/redis-counter.component.wasm")));
    }

    private static ImportBinding binding(CoreInstantiation ci, String module, String name) {
        return ci.imports().stream()
                .filter(b -> b.module().equals(module) && b.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no import " + module + " " + name + " in " + ci));
    }

    @Test
    void flattensWitComponentOutputIntoShimMainFixup() throws Exception {
        InstantiationPlan plan = redisCounter();
        assertEquals(3, plan.modules().size());
        assertEquals(List.of(1, 0, 2), plan.instantiations().stream().map(CoreInstantiation::module).collect(Collectors.toList()),
                "shim module first, then main, then fixup");
        assertEquals(List.of("fermyon:spin/variables@2.0.0", "fermyon:spin/redis@2.0.0", "fermyon:spin/redis-types@2.0.0"),
                plan.imports());
    }

    @Test
    void mainModuleImportsResolveToShimTrampolinesAndHostDrops() throws Exception {
        CoreInstantiation main = redisCounter().instantiations().get(1);
        ImportBinding get = binding(main, "fermyon:spin/variables@2.0.0", "get");
        assertEquals(new InstanceExport(0, "0"), get.definition(), "through the shim's first trampoline");
        assertEquals(ExternalType.FUNCTION, get.kind());
        ImportBinding drop = binding(main, "fermyon:spin/redis@2.0.0", "[resource-drop]connection");
        HostResourceDrop hostDrop = assertInstanceOf(HostResourceDrop.class, drop.definition());
        assertEquals("fermyon:spin/redis@2.0.0", hostDrop.module());
        assertEquals("[resource-drop]connection", hostDrop.importName());
    }

    @Test
    void fixupFillsTheShimTableWithLoweringsOverMainsMemoryAndRealloc() throws Exception {
        CoreInstantiation fixup = redisCounter().instantiations().get(2);
        assertEquals(ExternalType.TABLE, binding(fixup, "", "$imports").kind());
        assertEquals(new InstanceExport(0, "$imports"), binding(fixup, "", "$imports").definition());
        HostLowering open = assertInstanceOf(HostLowering.class, binding(fixup, "", "1").definition());
        assertEquals("fermyon:spin/redis@2.0.0", open.module());
        assertEquals("[static]connection.open", open.name());
        assertEquals(Optional.of(new InstanceExport(1, "memory")), open.memory());
        assertEquals(Optional.of(new InstanceExport(1, "cabi_realloc")), open.realloc());
    }

    @Test
    void theExportIsLiftedFromTheMainModuleUnderItsCoreName() throws Exception {
        InstantiationPlan plan = redisCounter();
        assertEquals(1, plan.exports().size());
        LiftedExport e = plan.exports().get(0);
        assertEquals("fermyon:spin/inbound-redis@2.0.0", e.instance());
        assertEquals("handle-message", e.name());
        assertEquals("fermyon:spin/inbound-redis@2.0.0#handle-message", e.coreName());
        assertEquals(new InstanceExport(1, "fermyon:spin/inbound-redis@2.0.0#handle-message"), e.core());
        assertEquals(Optional.of(new InstanceExport(1, "memory")), e.memory());
        assertEquals(1, e.type().params().size());
        assertEquals("message", e.type().params().get(0).name());
        assertTrue(plan.export("fermyon:spin/inbound-redis@2.0.0#handle-message").isPresent());
    }

    @Test
    void hostsFindTheExportUnversionedOrBySemverCompatibleVersion() throws Exception {
        InstantiationPlan plan = redisCounter();
        String full = "fermyon:spin/inbound-redis@2.0.0#handle-message";
        assertEquals(full, plan.findExport("fermyon:spin/inbound-redis#handle-message").orElseThrow().coreName());
        assertEquals(full, plan.findExport("fermyon:spin/inbound-redis@2.1.0#handle-message").orElseThrow().coreName());
        assertTrue(plan.findExport("fermyon:spin/inbound-redis@3.0.0#handle-message").isEmpty());
        assertTrue(plan.findExport("fermyon:spin/inbound-redis#other").isEmpty());
    }
}
