package dev.spindle.wasi.cli;

import dev.spindle.wasi.io.ChunkSink;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A server guest's stdout or stderr: split into lines, each written to the host's standard error
 * as {@code [component] line}, the way preview 1 guests' output is logged. A line longer than
 * {@link #MAX_LINE} bytes is written in pieces, so a guest cannot make the host buffer without
 * bound.
 */
public final class LinePrefixSink implements ChunkSink {
    static final int MAX_LINE = 16 * 1024;

    private final PrintStream target;
    private final String prefix;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    public LinePrefixSink(PrintStream target, String componentId) {
        this.target = target;
        this.prefix = "[" + componentId + "] ";
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
        target.println(prefix + line.toString(StandardCharsets.UTF_8));
        line.reset();
    }
}
