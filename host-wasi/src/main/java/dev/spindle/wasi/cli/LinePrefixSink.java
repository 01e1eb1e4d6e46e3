package dev.spindle.wasi.cli;

import dev.spindle.host.HostLog;
import dev.spindle.wasi.io.ChunkSink;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A server guest's stdout or stderr: split into lines, each handed to the app's log
 * ({@link HostLog#guestOutput}, which cleans and rate-limits it), the way preview 1 guests' output
 * is logged. A line longer than
 * {@link #MAX_LINE} bytes is written in pieces, so a guest cannot make the host buffer without
 * bound.
 */
public final class LinePrefixSink implements ChunkSink {
    static final int MAX_LINE = 16 * 1024;

    private final HostLog log;
    private final String componentId;
    private final String stream;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    /** @param stream {@code stdout} or {@code stderr} */
    public LinePrefixSink(HostLog log, String componentId, String stream) {
        this.log = log;
        this.componentId = componentId;
        this.stream = stream;
    }

    @Override
    public synchronized void write(ByteBuffer chunk) {
        while (chunk.hasRemaining()) {
            byte b = chunk.get();
            if (b == '\n') {
                emit();
            } else {
                line.write(b);
                if (line.size() >= MAX_LINE) {
                    emit();
                }
            }
        }
    }

    /** Writes a last unterminated line. */
    public synchronized void flushPartial() {
        if (line.size() > 0) {
            emit();
        }
    }

    private void emit() {
        log.guestOutput(componentId, stream, line.toString(StandardCharsets.UTF_8));
        line.reset();
    }
}
