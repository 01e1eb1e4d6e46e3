package dev.spindle.redis.embedded;

import dev.spindle.redis.binary.RedisServerBinary;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The Redis servers {@code spindle run} starts for an app, decided once before its triggers
 * start ({@link LocalRedisAddresses}): one per loopback address where nothing listens (or, with
 * {@link RedisMode#EMBEDDED}, every loopback address), each with its data under
 * {@code .spindle/} next to the manifest. Closing stops them all.
 */
public final class EmbeddedRedisServers implements AutoCloseable {
    /** The directory next to the manifest that holds Spindle's own state (as Spin's {@code .spin/}). */
    public static final String STATE_DIRECTORY = ".spindle";

    private final List<EmbeddedRedis> servers;
    /** Stops the servers when the JVM exits before {@link #close()} (a signal during startup, System.exit). */
    private final Thread onExit;

    private EmbeddedRedisServers(List<EmbeddedRedis> servers) {
        this.servers = List.copyOf(servers);
        this.onExit = new Thread(this::stopAll, "spindle-embedded-redis-stop");
        if (!this.servers.isEmpty()) {
            Runtime.getRuntime().addShutdownHook(onExit);
        }
    }

    /** None started. */
    public static EmbeddedRedisServers none() {
        return new EmbeddedRedisServers(List.of());
    }

    /**
     * @param stateDirectory the app's {@code .spindle/} directory; server data goes in {@code redis-<port>} below it
     * @param binary found only if a server is to start (so an app with its own Redis needs no binary)
     * @param say gets one line per server started: address, data directory, how to turn it off
     * @throws EmbeddedRedisException with {@link RedisMode#EMBEDDED} when an address is in use, or when a server cannot start
     *     (the ones already started are stopped first)
     */
    public static EmbeddedRedisServers start(RedisMode mode, List<LocalRedisAddress> addresses, Path stateDirectory,
                                             Supplier<RedisServerBinary> binary, Consumer<String> say) {
        Objects.requireNonNull(mode, "mode");
        List<EmbeddedRedis> started = new ArrayList<>();
        if (mode == RedisMode.EXTERNAL) {
            return none();
        }
        try {
            RedisServerBinary found = null;
            for (LocalRedisAddress a : addresses) {
                if (EmbeddedRedis.listening(a.host(), a.port())) {
                    if (mode == RedisMode.EMBEDDED) {
                        throw new EmbeddedRedisException("--redis embedded: " + a.hostAndPort() + " (" + a.source()
                                + ") is already in use; stop what listens there, or drop --redis embedded to use it");
                    }
                    continue; // the operator's own Redis
                }
                if (found == null) {
                    found = binary.get();
                }
                EmbeddedRedis server = EmbeddedRedis.start(a, stateDirectory.resolve(directoryName(a)), found);
                started.add(server);
                say.accept("started redis-server (" + found.origin() + ") on " + a.hostAndPort() + " for " + a.source()
                        + ", data in " + server.dataDirectory() + "; --redis external turns this off");
            }
        } catch (RuntimeException e) {
            new EmbeddedRedisServers(started).close();
            throw e;
        }
        return new EmbeddedRedisServers(started);
    }

    /**
     * The {@code redis-server} to start ({@link RedisServerBinary#find}: the system's on the
     * environment's {@code PATH}, else the bundled one copied into {@code cacheDirectory}).
     *
     * @throws EmbeddedRedisException when there is neither, or the bundled one cannot be copied (one line saying what to do)
     */
    public static RedisServerBinary binary(Map<String, String> environment, Path cacheDirectory) {
        try {
            return RedisServerBinary.find(environment, cacheDirectory).orElseThrow(() -> new EmbeddedRedisException(
                    "no redis-server on PATH and none bundled for " + RedisServerBinary.platform()
                            + "; install redis-server, or pass --redis external and point the app at a Redis"));
        } catch (UncheckedIOException e) {
            throw new EmbeddedRedisException(e.getMessage());
        }
    }

    /** {@code redis-6379} for the usual loopback names, else {@code redis-<host>-<port>}. */
    static String directoryName(LocalRedisAddress a) {
        String h = a.host().toLowerCase(java.util.Locale.ROOT);
        if (h.equals("localhost") || h.equals("127.0.0.1")) {
            return "redis-" + a.port();
        }
        return "redis-" + h.replace(':', '_') + "-" + a.port();
    }

    /** The servers started, in the order of the addresses. */
    public List<EmbeddedRedis> servers() {
        return servers;
    }

    /** Stops every server, last started first. Idempotent. */
    @Override
    public void close() {
        stopAll();
        if (!servers.isEmpty()) {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException e) {
                // the JVM is exiting already: the hook runs (and finds the servers stopped)
            }
        }
    }

    private void stopAll() {
        for (int i = servers.size() - 1; i >= 0; i--) {
            servers.get(i).close();
        }
    }
}
