package dev.spindle.host.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spindle.host.GuestTrapException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceTableTest {

    /** A resource that records when it is closed. */
    static final class Res {
        final String name;
        final Res parent;
        final List<String> closed;

        Res(String name, Res parent, List<String> closed) {
            this.name = name;
            this.parent = parent;
            this.closed = closed;
        }
    }

    final List<String> closed = new ArrayList<>();
    final ResourceType<Res> body = ResourceType.of("body", Res.class, r -> r.closed.add(r.name));
    final ResourceType<Res> stream = ResourceType.of("stream", Res.class, r -> r.closed.add(r.name)).childOf(body, r -> r.parent);
    final ResourceType<Res> other = ResourceType.of("other", Res.class, r -> r.closed.add(r.name));
    final ResourceTable table = new ResourceTable();

    Res res(String name) {
        return new Res(name, null, closed);
    }

    @Test
    void handlesCountUpFromOneAndAreNeverReused() {
        int a = table.insert(body, res("a"));
        int b = table.insert(body, res("b"));
        assertEquals(1, a);
        assertEquals(2, b);
        table.drop(body, a);
        int c = table.insert(body, res("c"));
        assertEquals(3, c, "a dropped id is not handed out again");
        GuestTrapException e = assertThrows(GuestTrapException.class, () -> table.get(body, a));
        assertTrue(e.getMessage().contains("unknown or already dropped body handle 1"), e.getMessage());
        assertThrows(GuestTrapException.class, () -> table.get(body, 0), "0 is never a handle");
    }

    @Test
    void handlesAreTyped() {
        int h = table.insert(body, res("a"));
        GuestTrapException e = assertThrows(GuestTrapException.class, () -> table.get(other, h));
        assertTrue(e.getMessage().contains("it is a body"), e.getMessage());
        assertThrows(GuestTrapException.class, () -> table.drop(other, h));
        assertEquals("a", table.get(body, h).name);
    }

    @Test
    void dropClosesAndDroppingTwiceTraps() {
        int h = table.insert(body, res("a"));
        table.drop(body, h);
        assertEquals(List.of("a"), closed);
        assertThrows(GuestTrapException.class, () -> table.drop(body, h));
        assertEquals(List.of("a"), closed, "closed once");
    }

    @Test
    void takePassesOwnershipWithoutClosing() {
        Res r = res("a");
        int h = table.insert(body, r);
        assertSame(r, table.take(body, h));
        assertEquals(List.of(), closed);
        assertEquals(0, table.size());
        assertThrows(GuestTrapException.class, () -> table.get(body, h));
    }

    @Test
    void theBoundIsEnforcedAndTheRefusedResourceIsClosed() {
        ResourceTable small = new ResourceTable(2);
        small.insert(body, res("a"));
        small.insert(body, res("b"));
        GuestTrapException e = assertThrows(GuestTrapException.class, () -> small.insert(body, res("c")));
        assertTrue(e.getMessage().contains("2 resource handles, the limit"), e.getMessage());
        assertEquals(List.of("c"), closed, "never leaked");
        assertEquals(2, small.size());
        assertEquals(ResourceTable.DEFAULT_MAX_HANDLES, new ResourceTable().maxHandles());
    }

    @Test
    void findAndCloseIfLiveAnswerABadHandleWithoutTrapping() {
        Res a = res("a");
        int h = table.insert(body, a);
        assertSame(a, table.find(body, h).orElseThrow());
        assertTrue(table.find(other, h).isEmpty(), "another type");
        assertTrue(table.find(body, h + 1).isEmpty(), "unknown");
        assertFalse(table.closeIfLive(other, h));
        assertTrue(table.closeIfLive(body, h));
        assertEquals(List.of("a"), closed);
        assertFalse(table.closeIfLive(body, h), "already closed");
        assertTrue(table.find(body, h).isEmpty(), "dropped");
    }

    @Test
    void countIsPerType() {
        table.insert(body, res("a"));
        table.insert(other, res("b"));
        int h = table.insert(other, res("c"));
        assertEquals(1, table.count(body));
        assertEquals(2, table.count(other));
        table.drop(other, h);
        assertEquals(1, table.count(other));
    }

    @Test
    void aParentWithALiveChildCannotBeDroppedOrTaken() {
        Res parent = res("body");
        int p = table.insert(body, parent);
        int s = table.insert(stream, new Res("stream", parent, closed));
        GuestTrapException e = assertThrows(GuestTrapException.class, () -> table.drop(body, p));
        assertTrue(e.getMessage().contains("1 child resource is still alive"), e.getMessage());
        assertThrows(GuestTrapException.class, () -> table.take(body, p));
        assertEquals(List.of(), closed);
        table.drop(stream, s);
        table.drop(body, p);
        assertEquals(List.of("stream", "body"), closed);
    }

    @Test
    void aChildNeedsItsParentInTheTable() {
        Res orphanParent = res("gone");
        assertThrows(IllegalStateException.class, () -> table.insert(stream, new Res("s", orphanParent, closed)));
    }

    @Test
    void closeAllClosesNewestFirstSoChildrenBeforeParents() {
        Res parent = res("body");
        table.insert(body, parent);
        table.insert(other, res("other"));
        table.insert(stream, new Res("stream", parent, closed));
        assertEquals(List.of(), table.closeAll());
        assertEquals(List.of("stream", "other", "body"), closed);
        assertTrue(table.isClosed());
        assertEquals(List.of(), table.closeAll(), "a second close does nothing");
        assertEquals(3, closed.size());
    }

    @Test
    void closeAllCollectsFailuresAndClosesTheRest() {
        ResourceType<Res> failing = ResourceType.of("failing", Res.class, r -> {
            throw new IllegalStateException("close failed: " + r.name);
        });
        table.insert(body, res("a"));
        table.insert(failing, res("x"));
        table.insert(body, res("b"));
        List<RuntimeException> failures = table.closeAll();
        assertEquals(1, failures.size());
        assertEquals("close failed: x", failures.get(0).getMessage());
        assertEquals(List.of("b", "a"), closed);
    }

    @Test
    void afterCloseAllEveryUseTrapsAndLateResourcesAreClosedAtOnce() {
        int h = table.insert(body, res("a"));
        table.closeAll();
        assertThrows(GuestTrapException.class, () -> table.get(body, h));
        GuestTrapException e = assertThrows(GuestTrapException.class, () -> table.insert(body, res("late")));
        assertTrue(e.getMessage().contains("already closed"), e.getMessage());
        assertEquals(List.of("a", "late"), closed);
    }

    @Test
    void theSameResourceCannotHaveTwoHandles() {
        Res r = res("a");
        int h = table.insert(body, r);
        assertEquals(h, table.handleOf(r));
        assertThrows(IllegalStateException.class, () -> table.insert(body, r));
    }
}
