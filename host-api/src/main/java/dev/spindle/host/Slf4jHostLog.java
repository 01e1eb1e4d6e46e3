package dev.spindle.host;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * {@link HostLog#slf4j()}: the host's lines, guest output and access entries as SLF4J 2 events
 * with key-value pairs, so a structured binding (the CLI's {@code --log-format json}) gets the
 * fields and a plain one still reads well.
 */
final class Slf4jHostLog implements HostLog {
    /** Logger of the runtime's own lines. */
    static final String HOST = "spindle";
    /** Logger of what server guests write to stdout and stderr. */
    static final String GUEST = "spindle.guest";
    /** Logger of the access log, one event per HTTP request. */
    static final String ACCESS = "spindle.access";

    static final Slf4jHostLog INSTANCE = new Slf4jHostLog();

    private final Logger host = LoggerFactory.getLogger(HOST);
    private final Logger guest = LoggerFactory.getLogger(GUEST);
    private final Logger access = LoggerFactory.getLogger(ACCESS);

    private Slf4jHostLog() {}

    @Override
    public void log(Level level, String componentId, String message) {
        LoggingEventBuilder e = switch (level) {
            case INFO -> host.atInfo();
            case WARN -> host.atWarn();
            case ERROR -> host.atError();
        };
        e.addKeyValue("component", componentId).log(message);
    }

    @Override
    public void guestOutput(String componentId, String stream, String line) {
        guest.atInfo().addKeyValue("component", componentId).addKeyValue("stream", stream).log(line);
    }

    @Override
    public void access(Access a) {
        long micros = (a.duration().toNanos() + 500) / 1000;
        access.atInfo()
                .addKeyValue("component", a.componentId())
                .addKeyValue("method", a.method())
                .addKeyValue("path", a.path())
                .addKeyValue("status", a.status())
                .addKeyValue("duration_ms", micros / 1000.0)
                .addKeyValue("start", a.start()) // an Instant: a binding that prints it gets its ISO-8601 text
                .log(a.method() + " " + a.path() + " " + (a.status() == 0 ? "aborted" : Integer.toString(a.status()))
                        + " " + millis(micros) + " ms");
    }

    /**
     * Microseconds as milliseconds with three decimals ("12.345"), as {@code %.3f} would print them
     * but without a Formatter: this runs for every request.
     */
    static String millis(long micros) {
        long fraction = micros % 1000;
        return (micros / 1000) + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
    }
}
