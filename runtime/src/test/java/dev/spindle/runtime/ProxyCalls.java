package dev.spindle.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spindle.host.GuestMemory;

/** Drives the redis-proxy guest's trampolines from inside an invocation, through its own memory. */
final class ProxyCalls {
    private ProxyCalls() {}

    /** {@code proxy-open(address)}; asserts ok and returns the handle. */
    static int open(Guest g, String address) {
        GuestMemory m = g.memory();
        GuestMemory.Slice addr = m.allocateString(address);
        int ret = m.allocate(4, 16);
        g.call("proxy-open", addr.ptr(), addr.len(), ret);
        assertEquals(0, m.readU8(ret), "open ok");
        return m.readI32(ret + 4);
    }
}
