package dev.spindle.host;

/**
 * The runtime's log, one line per event, always naming the component.
 *
 * <p>An interface rather than a logging framework so an embedding service can route lines
 * to its own logger and tests can capture them. Messages must never contain credentials.
 */
@FunctionalInterface
public interface HostLog {
    enum Level { INFO, WARN, ERROR }

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

    /** Writes {@code [level] component: message} lines to standard error. */
    static HostLog stderr() {
        return (level, componentId, message) ->
                System.err.println(level.name() + " [" + componentId + "] " + message);
    }
}
