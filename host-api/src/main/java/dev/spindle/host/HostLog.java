package dev.spindle.host;

import java.time.Duration;
import java.time.Instant;

/**
 * The runtime's log, one line per event, always naming the component: the host's own lines, what
 * server guests write to stdout and stderr, and one access-log entry per HTTP request.
 *
 * <p>An interface rather than a logging framework so an embedding service can route lines
 * to its own logger and tests can capture them; {@link #slf4j()} (the default of
 * {@code SpindleOptions}) hands everything to SLF4J, whose binding the application picks.
 * Messages must never contain credentials.
 */
@FunctionalInterface
public interface HostLog {
    enum Level { INFO, WARN, ERROR }

    /**
     * One finished HTTP request.
     *
     * @param start when its head arrived
     * @param method the request method
     * @param path the request path, without the query (which may carry tokens)
     * @param status the status sent, or 0 when the exchange was aborted before a response
     * @param duration from the head's arrival to the last response byte (or the abort)
     * @param componentId the component of the matched route, or {@code -} for none
     */
    record Access(Instant start, String method, String path, int status, Duration duration, String componentId) {}

    void log(Level level, String componentId, String message);

    default void info(String componentId, String message) {
        log(Level.INFO, componentId, message);
    }

    default void warn(String componentId, String message) {
        log(Level.WARN, componentId, message);
    }

    default void error(String componentId, String message) {
        log(Level.ERROR, componentId, message);
    }

    /**
     * A line a server guest wrote to {@code stream} ({@code stdout} or {@code stderr}). By default
     * written to standard error as {@code [component] line}.
     */
    default void guestOutput(String componentId, String stream, String line) {
        System.err.println("[" + componentId + "] " + line);
    }

    /** One access-log entry. By default dropped: an embedder's log gets them only if it asks. */
    default void access(Access entry) {
    }

    /** Writes {@code [level] component: message} lines to standard error. */
    static HostLog stderr() {
        return (level, componentId, message) ->
                System.err.println(level.name() + " [" + componentId + "] " + message);
    }

    /**
     * Everything to SLF4J 2, with the component (and for access entries method, path, status and
     * duration) as key-value pairs: host lines to logger {@value Slf4jHostLog#HOST}, guest output
     * to {@value Slf4jHostLog#GUEST}, access entries to {@value Slf4jHostLog#ACCESS}.
     */
    static HostLog slf4j() {
        return Slf4jHostLog.INSTANCE;
    }
}
