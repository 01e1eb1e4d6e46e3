package dev.spindle.wasi.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Where a {@link BufferedOutput} sends its flushed chunks (an HTTP response or request body). */
@FunctionalInterface
public interface ChunkSink {
    /**
     * Takes one chunk; blocks until the transport has taken it, which is the back-pressure a slow
     * reader puts on the guest. The buffer is not reused by the caller afterwards.
     */
    void write(ByteBuffer chunk) throws IOException;
}
