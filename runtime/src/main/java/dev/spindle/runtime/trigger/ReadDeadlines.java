package dev.spindle.runtime.trigger;

import dev.spindle.host.HostLog;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;

/**
 * Spindle's request read deadline: a client must deliver a request's headers and body, and later
 * take its response, within {@link HttpServerOptions#requestReadTimeout()}; else its connection
 * is closed. The clock is paused while the guest runs (the invocation timeout governs that).
 *
 * <p>Why not Jetty's idle timeout alone: it restarts on every byte, so a client sending one header
 * line every few seconds would never be cut off. Why not one timer per request: cancelled timers
 * linger in the scheduler's queue until they would have fired, and with a long timeout they pile up
 * (issue 9 item 10). Instead one sweeper task, scheduled once, looks at every {@link Clock}
 * a few times per timeout; a clock lives as long as its HTTP/1.1 connection (or, for HTTP/2,
 * its request) and holds a phase and the time that phase began.
 *
 * <p>Before its handler runs, a request is invisible to the server, so for HTTP/1.1 the header
 * phase is recognised by bytes arriving on a connection that is between requests. HTTP/2 frames
 * headers itself (Jetty bounds them); its requests get a clock from the handler on.
 */
final class ReadDeadlines implements AutoCloseable {
    enum Phase { IDLE, READING, INVOKING, WRITING }

    /** The deadline state of one HTTP/1.1 connection or one HTTP/2 request. */
    static final class Clock {
        private final Connection connection;
        /** For a per-request clock: what ends the request (an HTTP/2 stream is reset, not its connection). */
        private final Runnable onExpired;
        private Phase phase = Phase.IDLE;
        /** System.nanoTime() when the phase began; 0 while idle and no byte has arrived. */
        private long since;
        private long idleBytesIn;
        private boolean fired;

        Clock(Connection connection, Runnable onExpired) {
            this.connection = connection;
            this.onExpired = onExpired;
        }

        /** The handler has a request: its headers arrived; the body is read next. */
        synchronized void reading(long beginNanos) {
            if (phase == Phase.IDLE && since != 0) {
                beginNanos = Math.min(beginNanos, since); // the header phase already counted
            }
            phase = Phase.READING;
            since = beginNanos;
        }

        /** The guest runs: the clock stops. False when the deadline already closed the connection. */
        synchronized boolean invoking() {
            phase = Phase.INVOKING;
            return !fired;
        }

        synchronized void writing() {
            phase = Phase.WRITING;
            since = System.nanoTime();
        }

        /** A streaming executor waits for body bytes: each such wait gets the read timeout. */
        synchronized void blockedRead() {
            phase = Phase.READING;
            since = System.nanoTime();
        }

        /** The response is done; the connection waits for its next request. */
        synchronized void idle() {
            phase = Phase.IDLE;
            since = 0;
            idleBytesIn = connection == null ? 0 : connection.getBytesIn();
        }

        synchronized boolean fired() {
            return fired;
        }

        /** Returns the phase that expired, or null. */
        private synchronized Phase expire(long now, long timeoutNanos) {
            if (fired) {
                return null;
            }
            switch (phase) {
                case INVOKING:
                    return null;
                case IDLE:
                    if (connection == null || connection.getBytesIn() <= idleBytesIn) {
                        since = 0;
                        return null;
                    }
                    if (since == 0) {
                        since = now; // the first bytes of a request arrived since the last sweep
                        return null;
                    }
                    break;
                default:
                    break;
            }
            if (now - since < timeoutNanos) {
                return null;
            }
            fired = true;
            return phase;
        }
    }

    private final long timeoutNanos;
    private final HostLog log;
    private final Map<Object, Clock> clocks = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor sweeper;

    ReadDeadlines(Duration timeout, HostLog log) {
        this.timeoutNanos = timeout.toNanos();
        this.log = log;
        this.sweeper = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "spindle-http-deadlines");
            t.setDaemon(true);
            return t;
        });
        long tick = sweepInterval(timeout).toNanos();
        sweeper.scheduleAtFixedRate(this::sweep, tick, tick, TimeUnit.NANOSECONDS);
    }

    /**
     * How often the sweeper looks: an eighth of the timeout (so a deadline is enforced within
     * 12.5% of its value), at least every 500 ms and at most every 10 ms.
     */
    static Duration sweepInterval(Duration timeout) {
        long ms = Math.max(10, Math.min(500, timeout.toMillis() / 8));
        return Duration.ofMillis(ms);
    }

    /** Starts watching an HTTP/1.1 connection; the clock goes when the connection closes. */
    Clock track(Connection connection) {
        Clock clock = new Clock(connection, null);
        clocks.put(connection, clock);
        connection.addEventListener(new Connection.Listener() {
            @Override
            public void onClosed(Connection c) {
                clocks.remove(c);
            }
        });
        return clock;
    }

    /** The clock of this HTTP/1.1 connection, or null if it is not one. */
    Clock of(Connection connection) {
        return clocks.get(connection);
    }

    /** A clock for one request on a multiplexed (HTTP/2) connection; {@link #release} it when done. */
    Clock perRequest(Object request, Runnable onExpired) {
        Clock clock = new Clock(null, onExpired);
        clocks.put(request, clock);
        return clock;
    }

    void release(Object request) {
        clocks.remove(request);
    }

    /** Timers in the scheduler's queue: always the one sweep task (tests check it stays so). */
    int scheduledTimers() {
        return sweeper.getQueue().size();
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Map.Entry<Object, Clock> e : clocks.entrySet()) {
            Clock clock = e.getValue();
            Phase expired = clock.expire(now, timeoutNanos);
            if (expired == null) {
                continue;
            }
            if (expired == Phase.IDLE && clock.connection != null) {
                log.warn("http", "client " + clock.connection.getEndPoint().getRemoteSocketAddress()
                        + " did not send its request headers within " + timeoutNanos / 1_000_000 + " ms; connection closed");
            }
            // The request's own handler logs the other phases when its read or write fails.
            if (clock.connection != null) {
                clock.connection.getEndPoint().close();
            } else {
                clock.onExpired.run();
            }
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
