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
 * product) or split into lines for the log, naming the component and stream (a server's log
 * names who spoke).
 */
final class GuestOutput extends OutputStream {
    /** A guest that never writes a newline must not grow host memory without bound. */
    private static final int MAX_LINE_BYTES = 16 * 1024;

    private final PrintStream target;
    private final String componentId;
    private final String stream;
    private final HostLog log;
    private ByteArrayOutputStream line; // made on the first byte: most invocations print nothing

    private GuestOutput(PrintStream target, String componentId, String stream, HostLog log) {
        this.target = target;
        this.componentId = componentId;
        this.stream = stream;
        this.log = log;
    }

    static GuestOutput passThrough(PrintStream target) {
        return new GuestOutput(target, null, null, null);
    }

    /**
     * Lines for the server's log ({@link HostLog#guestOutput}). With a {@link SafeLog} (always, for
     * an app loaded by Spindle) each line is redacted, has its control characters escaped (a guest
     * cannot forge a line that seems to come from another component, or send ANSI escapes) and is
     * rate-limited with the host's lines of that component; with another log, control characters
     * are still escaped.
     */
    static GuestOutput logged(String componentId, String stream, HostLog log) {
        return new GuestOutput(null, componentId, stream, log);
    }

    @Override
    public synchronized void write(int b) {
        if (log == null) {
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
        if (log == null) {
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
        log.guestOutput(componentId, stream, log instanceof SafeLog ? text : SafeText.escape(text));
    }

    @Override
    public synchronized void flush() {
        if (log == null) {
            target.flush();
        }
    }

    /** Emits a final unterminated line, so nothing the guest wrote is lost. */
    @Override
    public synchronized void close() {
        if (log == null) {
            target.flush();
        } else if (line != null && line.size() > 0) {
            emitLine();
        }
    }
}
