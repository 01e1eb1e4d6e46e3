package dev.spindle.runtime.internal;

import dev.spindle.host.HostLog;
import dev.spindle.host.SafeLog;
import dev.spindle.manifest.text.SafeText;
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
    private final String componentId;
    private final SafeLog log;
    private ByteArrayOutputStream line; // made on the first byte: most invocations print nothing

    private GuestOutput(PrintStream target, String componentId, SafeLog log) {
        this.target = target;
        this.prefix = componentId == null ? null : "[" + componentId + "] ";
        this.componentId = componentId;
        this.log = log;
    }

    static GuestOutput passThrough(PrintStream target) {
        return new GuestOutput(target, null, null);
    }

    /**
     * Lines for the server's log. With a {@link SafeLog} (always, for an app loaded by Spindle) each
     * line is redacted, has its control characters escaped (a guest cannot forge a line that seems
     * to come from another component, or send ANSI escapes) and is rate-limited with the host's
     * lines of that component; without one, control characters are still escaped.
     */
    static GuestOutput prefixed(PrintStream target, String componentId, HostLog log) {
        return new GuestOutput(target, componentId, log instanceof SafeLog safe ? safe : null);
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
            if (line == null) {
                line = new ByteArrayOutputStream();
            }
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
        String text = line == null ? "" : line.toString(StandardCharsets.UTF_8);
        if (line != null) {
            line.reset();
        }
        if (log != null) {
            log.guestLine(componentId, text, target);
        } else {
            target.println(prefix + SafeText.escape(text));
        }
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
        if (prefix != null && line != null && line.size() > 0) {
            emitLine();
        }
        target.flush();
    }
}
