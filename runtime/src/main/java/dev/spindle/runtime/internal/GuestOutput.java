package dev.spindle.runtime.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A guest's stdout or stderr. Either passed through untouched (a command's output is its
 * product) or split into lines prefixed with the component id (a server's log names who spoke).
 */
final class GuestOutput extends OutputStream {
    /** A guest that never writes a newline must not grow host memory without bound. */
    private static final int MAX_LINE_BYTES = 16 * 1024;

    private final PrintStream target;
    private final String prefix;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private GuestOutput(PrintStream target, String prefix) {
        this.target = target;
        this.prefix = prefix;
    }

    static GuestOutput passThrough(PrintStream target) {
        return new GuestOutput(target, null);
    }

    static GuestOutput prefixed(PrintStream target, String componentId) {
        return new GuestOutput(target, "[" + componentId + "] ");
    }

    @Override
    public synchronized void write(int b) {
        if (prefix == null) {
            target.write(b);
            return;
        }
        if (b == '\n') {
            emitLine();
        } else {
            line.write(b);
            if (line.size() >= MAX_LINE_BYTES) {
                emitLine();
            }
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        if (prefix == null) {
            target.write(b, off, len);
            return;
        }
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    private void emitLine() {
        target.println(prefix + line.toString(StandardCharsets.UTF_8));
        line.reset();
    }

    @Override
    public synchronized void flush() {
        if (prefix == null) {
            target.flush();
        }
    }

    /** Emits a final unterminated line, so nothing the guest wrote is lost. */
    @Override
    public synchronized void close() {
        if (prefix != null && line.size() > 0) {
            emitLine();
        }
        target.flush();
    }
}
