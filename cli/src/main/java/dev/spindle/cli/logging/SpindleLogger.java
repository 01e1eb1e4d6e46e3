package dev.spindle.cli.logging;

import java.time.Instant;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/** One named logger of the CLI's binding; every event goes to {@link SpindleLogs}. */
final class SpindleLogger extends AbstractLogger implements LoggingEventAware {
    /** True for a library's logger: its events below WARN are never written, whatever the settings. */
    private final boolean library;

    SpindleLogger(String name) {
        this.name = name;
        this.library = !SpindleLogs.isHost(name);
    }

    /** The fluent API's events, with their key-value pairs (the structured fields of the JSON format). */
    @Override
    public void log(LoggingEvent event) {
        if (!SpindleLogs.enabled(name, event.getLevel())) {
            return;
        }
        String message = MessageFormatter.basicArrayFormat(event.getMessage(), event.getArgumentArray());
        Instant time = event.getTimeStamp() > 0 ? Instant.ofEpochMilli(event.getTimeStamp()) : Instant.now();
        SpindleLogs.write(name, event.getLevel(), time, message, event.getKeyValuePairs(), event.getThrowable());
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
        SpindleLogs.write(name, level, Instant.now(), MessageFormatter.basicArrayFormat(pattern, arguments), null, throwable);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    private boolean on(Level level) {
        // Jetty asks isDebugEnabled several times per request: answer a library's without lookups.
        return library ? SpindleLogs.libraryEnabled(level) : SpindleLogs.enabled(name, level);
    }

    @Override
    public boolean isTraceEnabled() {
        return on(Level.TRACE);
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
        return on(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return on(Level.DEBUG);
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
        return on(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return on(Level.INFO);
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
        return on(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return on(Level.WARN);
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
        return on(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return on(Level.ERROR);
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
        return on(Level.ERROR);
    }
}
