package dev.spindle.redis.embedded;

import dev.spindle.redis.binary.RedisServerBinary;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code redis-server} process that Spindle started for an app, on the loopback address the
 * app names, with its data in a directory of its own (append-only file and RDB snapshots, so
 * what the app stored is there at the next start). Closing it stops the server with SIGTERM,
 * on which Redis writes its data and exits.
 *
 * <p>The configuration goes to the server on its standard input ({@code redis-server -}), so a
 * password from the app's URL is in no file and no process listing.
 */
public final class EmbeddedRedis implements AutoCloseable {
    /** How long a server may take to answer its first PING. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    /** How long a server may take to save and exit after SIGTERM before it is killed. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final LocalRedisAddress address;
    private final Path dataDirectory;
    private final RedisServerBinary binary;
    private final Process process;

    private EmbeddedRedis(LocalRedisAddress address, Path dataDirectory, RedisServerBinary binary, Process process) {
        this.address = address;
        this.dataDirectory = dataDirectory;
        this.binary = binary;
        this.process = process;
    }

    /**
     * Starts a server listening on {@code address} with its data in {@code dataDirectory}
     * (created if needed) and waits until it answers.
     *
     * @throws EmbeddedRedisException when it exits or does not answer in time (with its log's last lines)
     */
    public static EmbeddedRedis start(LocalRedisAddress address, Path dataDirectory, RedisServerBinary binary) {
        Path dir = dataDirectory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new EmbeddedRedisException("cannot create the Redis data directory " + dir + ": " + e.getMessage());
        }
        Path log = dir.resolve("redis-server.log");
        Process p;
        try {
            p = new ProcessBuilder(binary.path().toString(), "-")
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new EmbeddedRedisException("cannot start " + binary.path() + ": " + e.getMessage());
        }
        try (OutputStream config = p.getOutputStream()) {
            config.write(config(address, dir).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // It exited before reading its configuration: awaitAnswer reports how, with its log.
        }
        EmbeddedRedis server = new EmbeddedRedis(address, dir, binary, p);
        server.awaitAnswer(log);
        return server;
    }

    /** redis.conf lines: this address only, data in {@code dir}, written every second and at exit. */
    static String config(LocalRedisAddress address, Path dir) {
        StringBuilder c = new StringBuilder();
        // "localhost" may resolve to either loopback address; "-" makes ::1 optional where IPv6 is off.
        String bind = address.host().equalsIgnoreCase("localhost") ? "127.0.0.1 -::1" : address.host();
        c.append("bind ").append(bind).append('\n');
        c.append("port ").append(address.port()).append('\n');
        c.append("protected-mode yes\n");
        c.append("daemonize no\n");
        c.append("dir ").append(quoted(dir.toString())).append('\n');
        c.append("appendonly yes\n");
        c.append("appendfsync everysec\n");
        c.append("save 3600 1 300 100 60 10000\n");
        address.password().ifPresent(pw -> c.append("requirepass ").append(quoted(pw)).append('\n'));
        return c.toString();
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private void awaitAnswer(Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new EmbeddedRedisException("redis-server for " + address.hostAndPort() + " exited with status "
                        + process.exitValue() + ": " + lastLines(log));
            }
            if (answersPing(address.host(), address.port())) {
                return;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        throw new EmbeddedRedisException("redis-server for " + address.hostAndPort() + " did not answer within "
                + START_TIMEOUT.toSeconds() + " s: " + lastLines(log));
    }

    /** True when something on host:port answers a RESP PING (with PONG, or an auth error: it is a Redis). */
    static boolean answersPing(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 250);
            s.setSoTimeout(500);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            int first = in.read();
            return first == '+' || first == '-';
        } catch (IOException e) {
            return false;
        }
    }

    /** True when a TCP connection to host:port is accepted: someone listens there. */
    static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 250);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String lastLines(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - 3), lines.size());
            return tail.isEmpty() ? "(it printed nothing)" : String.join(" | ", tail).strip();
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    public LocalRedisAddress address() {
        return address;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public RedisServerBinary binary() {
        return binary;
    }

    /** The server's process id (for tests and the operator). */
    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Stops the server (SIGTERM: Redis saves and exits), killing it if it takes longer than {@link #STOP_TIMEOUT}. Idempotent. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
