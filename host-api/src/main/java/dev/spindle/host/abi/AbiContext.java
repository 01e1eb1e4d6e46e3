package dev.spindle.host.abi;

import dev.spindle.host.GuestMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * What lifting and lowering need besides the type: the instance's memory and resource table
 * ({@link InstanceScope}) and the guest's memory conventions ({@link AbiOptions}).
 *
 * <p>One per instance and conventions, made when an interface is bound, and reused by every call
 * (instances are single-threaded). During an export call it also remembers the handles lent to
 * the guest and, under wit-bindgen 0.2's conventions, the buffers to free once they are read.
 */
public final class AbiContext {
    private final InstanceScope scope;
    private final AbiOptions options;
    private List<int[]> returnedBuffers; // non-null only while lifting an export's results under freeExport
    private List<Integer> lentHandles; // non-null only while lowering an export's arguments
    private int listDepth; // lists being lifted right now, nested

    public AbiContext(InstanceScope scope, AbiOptions options) {
        this.scope = scope;
        this.options = options;
    }

    public InstanceScope scope() {
        return scope;
    }

    public AbiOptions options() {
        return options;
    }

    public GuestMemory memory() {
        return scope.memory();
    }

    public ResourceTable resources() {
        return scope.resources();
    }

    /** Allocates in the guest through its realloc export ({@link AbiOptions#reallocExport()}). */
    public int allocate(int align, int size) {
        return scope.memory().allocate(options.reallocExport(), align, size);
    }

    /** Copies bytes into a fresh guest allocation; returns the pointer. */
    int allocateBytes(byte[] bytes) {
        int ptr = allocate(1, bytes.length);
        if (bytes.length > 0) {
            scope.memory().writeBytes(ptr, bytes);
        }
        return ptr;
    }

    /** Starts lifting a list; true when it is the outermost one (which pays for the whole lift). */
    boolean enterList() {
        return listDepth++ == 0;
    }

    void exitList() {
        listDepth--;
    }

    /** Lists being lifted right now (0: the next list lifted is the outermost one). */
    int listDepth() {
        return listDepth;
    }

    void returnedBuffer(int ptr, int bytes, int align) {
        if (returnedBuffers != null) {
            returnedBuffers.add(new int[] {ptr, bytes, align});
        }
    }

    void lent(int handle) {
        if (lentHandles == null) {
            throw new IllegalStateException("a borrow can be lent to the guest only as an export call's argument");
        }
        lentHandles.add(handle);
    }

    void startLending() {
        lentHandles = new ArrayList<>();
    }

    /** Ends the loans of an export call: the lent handles leave the table (their resources stay open). */
    void endLending() {
        List<Integer> lent = lentHandles;
        lentHandles = null;
        if (lent != null) {
            lent.forEach(resources()::forget);
        }
    }

    boolean collectingReturnedBuffers() {
        return returnedBuffers != null;
    }

    void startCollectingReturnedBuffers() {
        returnedBuffers = options.freeExport().isPresent() ? new ArrayList<>() : null;
    }

    List<int[]> stopCollectingReturnedBuffers() {
        List<int[]> out = returnedBuffers == null ? List.of() : returnedBuffers;
        returnedBuffers = null;
        return out;
    }
}
