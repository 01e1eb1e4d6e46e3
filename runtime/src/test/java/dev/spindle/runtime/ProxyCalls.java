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

    /** What {@code proxy-get} returned: the value's length, or the error's discriminant and message. */
    record Got(int length, int errKind, String errMessage) {
        boolean ok() {
            return errKind < 0;
        }
    }

    /** {@code proxy-get(handle, key)}. */
    static Got get(Guest g, int handle, String key) {
        GuestMemory m = g.memory();
        GuestMemory.Slice k = m.allocateString(key);
        int ret = m.allocate(4, 16);
        g.call("proxy-get", handle, k.ptr(), k.len(), ret);
        if (m.readU8(ret) == 0) {
            return new Got(m.readU8(ret + 4) == 0 ? -1 : m.readSlice(ret + 8).len(), -1, null);
        }
        int kind = m.readU8(ret + 4);
        String message = null;
        if (kind == 3) {
            GuestMemory.Slice s = m.readSlice(ret + 8);
            message = new String(m.readBytes(s.ptr(), s.len()), java.nio.charset.StandardCharsets.UTF_8);
        }
        return new Got(-1, kind, message);
    }
}
