package dev.spindle.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * App-wide limits, timeouts and operator settings of the Redis capability. {@link #defaults()}
 * gives the values documented on each component; the {@code with...} methods return a changed
 * copy. These are the operator's settings: nothing in a manifest changes them.
 *
 * @param maxConnectionsPerServer connections the app may hold open to one server ({@code host:port},
 *     as the address spells the host), idle plus borrowed, whatever user name, database or password
 *     they use. Default {@value #DEFAULT_MAX_CONNECTIONS_PER_SERVER}: two components at full
 *     concurrency (see below), and far below Redis's default {@code maxclients} of 10,000, so one
 *     Spindle process cannot exhaust a server however its guests vary their addresses.
 * @param maxConnectionsPerComponent connections one component's instances may hold at once, across
 *     every server. Default {@value #DEFAULT_MAX_CONNECTIONS_PER_COMPONENT}: a handle keeps its
 *     connection for the whole invocation, and 64 is the default number of concurrent invocations,
 *     so a component gets one connection per invocation at full load, and no single invocation (up
 *     to 1024 handles) can take more.
 * @param poolWait how long {@code open} waits for a connection of an exhausted pool before
 *     failing with {@code too-many-connections}. Default 250 ms: short, so a saturated pool turns
 *     into a fast, retryable error instead of invocations queueing up behind it.
 * @param connectTimeout TCP (and TLS) connect timeout. Default 2 s: an unreachable server fails
 *     {@code open} quickly; a refused port fails at once.
 * @param socketTimeout read timeout of every command. Default 10 s: a dead or stalled server
 *     cannot hang an invocation; blocking commands are refused, so no legitimate command waits.
 * @param maxHandlesPerInstance connection handles one instance may hold at once. Default
 *     {@value #DEFAULT_MAX_HANDLES_PER_INSTANCE}, the size of Spin's resource tables.
 * @param idleTimeout how long an idle pooled connection is kept before it is closed; a pool or
 *     server left without connections is then forgotten. Default 60 s: long enough to reuse
 *     connections between requests, short enough that connections opened for one-off user names or
 *     databases, or dropped by a middlebox, do not linger. Eviction runs every half of it.
 * @param maxResultBytes largest reply the host buffers for a guest (16 bytes per result element
 *     plus payload bytes). Default {@value #DEFAULT_MAX_RESULT_BYTES} (128 MiB), Spin's
 *     {@code MAX_HOST_BUFFERED_BYTES}.
 * @param tlsCaFile PEM file of the certificate authorities trusted for {@code rediss://}
 *     connections (outbound and Redis-trigger subscribers), instead of the JVM's default trust
 *     store. Default empty: the JVM's trust store, so a server with a publicly trusted
 *     certificate works as is. Either way the certificate must name the host of the address
 *     (hostname verification is always on).
 * @param scriptingComponents ids of the components allowed to run Redis scripts through
 *     {@code execute} and {@code pipeline} ({@code EVAL*}, {@code EVALSHA*}, {@code FCALL*},
 *     {@code FUNCTION}, {@code SCRIPT LOAD/EXISTS}). Default none: a script can run any command
 *     inside the server, where the host cannot check it. An operator who allows it must protect the
 *     server with a Redis ACL for that component's user; a script that outlives its call's timeout
 *     is ended with {@code SCRIPT KILL} (or {@code FUNCTION KILL}).
 * @param allowedCommands extra command names, unknown to Spindle's command table (module commands
 *     such as {@code JSON.GET}), that {@code execute} and {@code pipeline} may send. Default none:
 *     a command Spindle does not know is refused. Names are upper-cased; a name the table knows is
 *     decided by the table whatever this says (a refused group cannot be re-enabled here).
 */
public record RedisOptions(
        int maxConnectionsPerServer,
        int maxConnectionsPerComponent,
        Duration poolWait,
        Duration connectTimeout,
        Duration socketTimeout,
        Duration idleTimeout,
        int maxHandlesPerInstance,
        long maxResultBytes,
        Optional<Path> tlsCaFile,
        Set<String> scriptingComponents,
        Set<String> allowedCommands) {

    public static final int DEFAULT_MAX_CONNECTIONS_PER_SERVER = 128;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_COMPONENT = 64;
    public static final Duration DEFAULT_POOL_WAIT = Duration.ofMillis(250);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_HANDLES_PER_INSTANCE = 1024;
    public static final long DEFAULT_MAX_RESULT_BYTES = 128L * 1024 * 1024;

    public RedisOptions {
        Objects.requireNonNull(poolWait, "poolWait");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(socketTimeout, "socketTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(tlsCaFile, "tlsCaFile");
        scriptingComponents = Set.copyOf(scriptingComponents);
        allowedCommands = allowedCommands.stream().map(c -> c.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        if (maxConnectionsPerServer < 1) {
            throw new IllegalArgumentException("maxConnectionsPerServer must be at least 1");
        }
        if (maxConnectionsPerComponent < 1) {
            throw new IllegalArgumentException("maxConnectionsPerComponent must be at least 1");
        }
        if (maxHandlesPerInstance < 1) {
            throw new IllegalArgumentException("maxHandlesPerInstance must be at least 1");
        }
        if (maxResultBytes < 16) {
            throw new IllegalArgumentException("maxResultBytes must be at least 16");
        }
        requireMillis("poolWait", poolWait, 0);
        requireMillis("connectTimeout", connectTimeout, 1);
        requireMillis("socketTimeout", socketTimeout, 1);
        requireMillis("idleTimeout", idleTimeout, 1);
    }

    private static void requireMillis(String name, Duration d, long min) {
        if (d.toMillis() < min || d.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be between " + min + " ms and " + Integer.MAX_VALUE + " ms");
        }
    }

    public static RedisOptions defaults() {
        return new RedisOptions(
                DEFAULT_MAX_CONNECTIONS_PER_SERVER,
                DEFAULT_MAX_CONNECTIONS_PER_COMPONENT,
                DEFAULT_POOL_WAIT,
                DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_SOCKET_TIMEOUT,
                DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MAX_HANDLES_PER_INSTANCE,
                DEFAULT_MAX_RESULT_BYTES,
                Optional.empty(),
                Set.of(),
                Set.of());
    }

    public RedisOptions withMaxConnectionsPerServer(int value) {
        return with(o -> o.maxConnectionsPerServer = value);
    }

    public RedisOptions withMaxConnectionsPerComponent(int value) {
        return with(o -> o.maxConnectionsPerComponent = value);
    }

    public RedisOptions withIdleTimeout(Duration value) {
        return with(o -> o.idleTimeout = value);
    }

    public RedisOptions withPoolWait(Duration value) {
        return with(o -> o.poolWait = value);
    }

    public RedisOptions withConnectTimeout(Duration value) {
        return with(o -> o.connectTimeout = value);
    }

    public RedisOptions withSocketTimeout(Duration value) {
        return with(o -> o.socketTimeout = value);
    }

    public RedisOptions withMaxHandlesPerInstance(int value) {
        return with(o -> o.maxHandlesPerInstance = value);
    }

    public RedisOptions withMaxResultBytes(long value) {
        return with(o -> o.maxResultBytes = value);
    }

    /** Trust the CA certificates in this PEM file for {@code rediss://} instead of the JVM's trust store. */
    public RedisOptions withTlsCaFile(Path value) {
        return with(o -> o.tlsCaFile = Optional.of(value));
    }

    /** Lets these components run Redis scripts (operator's decision; protect the server with an ACL). */
    public RedisOptions withScriptingComponents(Set<String> componentIds) {
        return with(o -> o.scriptingComponents = componentIds);
    }

    /** Lets guests send these commands that Spindle's command table does not know (module commands). */
    public RedisOptions withAllowedCommands(Set<String> names) {
        return with(o -> o.allowedCommands = names);
    }

    private RedisOptions with(Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return new RedisOptions(c.maxConnectionsPerServer, c.maxConnectionsPerComponent, c.poolWait, c.connectTimeout,
                c.socketTimeout, c.idleTimeout, c.maxHandlesPerInstance, c.maxResultBytes, c.tlsCaFile, c.scriptingComponents, c.allowedCommands);
    }

    /** A mutable copy, so each {@code with...} names only the field it changes. */
    private static final class Copy {
        int maxConnectionsPerServer;
        int maxConnectionsPerComponent;
        Duration poolWait;
        Duration connectTimeout;
        Duration socketTimeout;
        Duration idleTimeout;
        int maxHandlesPerInstance;
        long maxResultBytes;
        Optional<Path> tlsCaFile;
        Set<String> scriptingComponents;
        Set<String> allowedCommands;

        Copy(RedisOptions o) {
            maxConnectionsPerServer = o.maxConnectionsPerServer;
            maxConnectionsPerComponent = o.maxConnectionsPerComponent;
            poolWait = o.poolWait;
            connectTimeout = o.connectTimeout;
            socketTimeout = o.socketTimeout;
            idleTimeout = o.idleTimeout;
            maxHandlesPerInstance = o.maxHandlesPerInstance;
            maxResultBytes = o.maxResultBytes;
            tlsCaFile = o.tlsCaFile;
            scriptingComponents = o.scriptingComponents;
            allowedCommands = o.allowedCommands;
        }
    }
}
