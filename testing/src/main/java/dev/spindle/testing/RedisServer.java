package dev.spindle.testing;

import dev.spindle.redis.binary.RedisServerBinary;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A real {@code redis-server} process on a free loopback port, owned by one test (class).
 *
 * <p>Configuration is passed on the command line (no config file): {@code --port N --bind
 * 127.0.0.1 --save "" --appendonly no --dir <temp dir> --logfile <temp dir>/redis.log
 * [--requirepass pw]}. Nothing is persisted, so a restart comes back empty, unless the server is
 * {@link #launchPersistent() persistent}. The port stays the same across {@link #stop()}/{@link
 * #start()} so that clients holding the URI can reconnect.
 *
 * <p>Every server is registered with a JVM shutdown hook that kills it and deletes its directory,
 * so an aborted test run leaves no stray {@code redis-server} behind. The machine's own Redis on
 * 6379 is never used.
 *
 * <p>Usually obtained through {@link RedisServerExtension}; {@link #launch()} and {@link
 * #launch(String)} create one directly (close it yourself).
 */
public final class RedisServer implements AutoCloseable {

  /** The only address a test server listens on. */
  public static final String HOST = "127.0.0.1";

  /**
   * System property naming the redis-server binary explicitly (default: the first on PATH, else
   * the bundled one; {@link #findBinary()}).
   */
  public static final String BINARY_PROPERTY = "spindle.redis-server";

  /** How long {@link #start()} waits for the server to answer; generous for a loaded CI box. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(10);

  /** How long {@link #stopGracefully()} waits after SIGTERM before falling back to SIGKILL. */
  static final Duration GRACEFUL_STOP_TIMEOUT = Duration.ofSeconds(5);

  /** How long we wait for the process to disappear after SIGKILL. */
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

  /** Socket timeouts of helper connections: a healthy local server answers in microseconds. */
  private static final int CLIENT_TIMEOUT_MS = 2_000;

  /** Fresh ports tried when another process grabs ours between probing and binding. */
  private static final int PORT_ATTEMPTS = 5;

  /** How much of redis-server's own output goes into a failure message. */
  private static final int OUTPUT_TAIL_CHARS = 4_000;

  private static final Set<RedisServer> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(RedisServer::reap), "spindle-redis-server-reaper"));
  }

  private final Path binary;
  private final Optional<String> password;
  private final Path directory;
  private final Optional<TestCertificates> tls;
  private final boolean persistent;
  /** More redis-server arguments (cluster mode, replicaof), or a sentinel's config file text. */
  private final List<String> extraArguments;
  private final Optional<String> sentinelConfig;
  private int port;
  private boolean everStarted;
  private boolean closed;
  private volatile Process process;

  private RedisServer(Path binary, Optional<String> password, Path directory, boolean tls, boolean persistent,
      List<String> extraArguments, Optional<String> sentinelConfig) {
    this.binary = binary;
    this.persistent = persistent;
    this.extraArguments = List.copyOf(extraArguments);
    this.sentinelConfig = sentinelConfig;
    this.password = password;
    this.directory = directory;
    this.tls = tls ? Optional.of(TestCertificates.generate(directory.resolve("tls"))) : Optional.empty();
  }

  /** Starts a new server without a password on a free port and waits until it answers. */
  public static RedisServer launch() {
    return create(Optional.empty());
  }

  /** Starts a new server that requires {@code password} ({@code requirepass}). */
  public static RedisServer launch(String password) {
    Objects.requireNonNull(password, "password");
    if (password.isEmpty()) {
      throw new IllegalArgumentException("password must not be empty");
    }
    return create(Optional.of(password), false);
  }

  /**
   * Starts a new TLS-only server ({@code --port 0 --tls-port N}, no client certificates) with a
   * throwaway CA and server certificate made for it ({@link TestCertificates}; SAN
   * {@code 127.0.0.1} and {@code localhost}). {@link #uri()} is then {@code rediss://...} and
   * {@link #tlsCaCertificate()} the CA to trust.
   */
  public static RedisServer launchTls() {
    return create(Optional.empty(), true);
  }

  /**
   * Starts a new server that keeps its data across {@link #stop()} (even SIGKILL) and {@link
   * #start()}: an append-only file fsynced on every write ({@code --appendonly yes --appendfsync
   * always}) in its directory, as a production Redis with AOF would.
   */
  public static RedisServer launchPersistent() {
    return create(Optional.empty(), false, true);
  }

  static RedisServer create(Optional<String> password) {
    return create(password, false);
  }

  static RedisServer create(Optional<String> password, boolean tls) {
    return create(password, tls, false);
  }

  /**
   * Starts a new server with more command-line arguments after the usual ones (e.g.
   * {@code --cluster-enabled yes}, {@code --replicaof 127.0.0.1 N}); used by {@link RedisCluster}
   * and {@link RedisSentinelGroup}.
   */
  public static RedisServer launchWith(List<String> arguments) {
    return create(Optional.empty(), false, false, arguments, Optional.empty());
  }

  /**
   * Starts a Redis Sentinel ({@code redis-server sentinel.conf --sentinel}) on a free port, its
   * config file written from {@code config} into its directory (the sentinel rewrites it).
   */
  public static RedisServer launchSentinel(String config) {
    return create(Optional.empty(), false, false, List.of(), Optional.of(config));
  }

  static RedisServer create(Optional<String> password, boolean tls, boolean persistent) {
    return create(password, tls, persistent, List.of(), Optional.empty());
  }

  static RedisServer create(Optional<String> password, boolean tls, boolean persistent, List<String> extra,
      Optional<String> sentinelConfig) {
    Path binary = findBinary();
    Path dir;
    try {
      dir = Files.createTempDirectory("spindle-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp dir for redis-server", e);
    }
    RedisServer server;
    try {
      server = new RedisServer(binary, password, dir, tls, persistent, extra, sentinelConfig);
      if (sentinelConfig.isPresent()) {
        Files.writeString(dir.resolve("sentinel.conf"), sentinelConfig.get());
      }
    } catch (IOException e) {
      deleteDirectory(dir);
      throw new UncheckedIOException("cannot write the sentinel's config file", e);
    } catch (RuntimeException | Error e) {
      deleteDirectory(dir);
      throw e;
    }
    LIVE.add(server);
    try {
      server.startProcess();
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Always {@value #HOST}. */
  public String host() {
    return HOST;
  }

  /** The port, fixed for the life of this object (also across stop/start). */
  public synchronized int port() {
    return port;
  }

  /** The password set with {@code requirepass}, if any. */
  public Optional<String> password() {
    return password;
  }

  /**
   * {@code redis://127.0.0.1:PORT}, or {@code redis://:PASSWORD@127.0.0.1:PORT} (password
   * percent-encoded) when a password is set; {@code rediss://...} for a TLS server.
   */
  public String uri() {
    String auth = password.map(p -> ":" + percentEncode(p) + "@").orElse("");
    return (tls.isPresent() ? "rediss://" : "redis://") + auth + HOST + ":" + port();
  }

  /** Whether this server speaks only TLS ({@link #launchTls()}). */
  public boolean tls() {
    return tls.isPresent();
  }

  /** The PEM file of the CA that signed a TLS server's certificate; empty for a plain server. */
  public Optional<Path> tlsCaCertificate() {
    return tls.map(TestCertificates::caCertificate);
  }

  /** The server's private working directory (holds {@code redis.log}); deleted on close. */
  public Path directory() {
    return directory;
  }

  /**
   * A new, authenticated connection for assertions; the caller closes it. Fails (Jedis
   * exception) when the server is down.
   */
  public Jedis client() {
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(CLIENT_TIMEOUT_MS)
            .socketTimeoutMillis(CLIENT_TIMEOUT_MS);
    password.ifPresent(config::password);
    tls.ifPresent(t -> config.ssl(true).sslSocketFactory(t.socketFactory()));
    return new Jedis(new HostAndPort(HOST, port()), config.build());
  }

  /** Same as {@link #client()}. */
  public Jedis jedis() {
    return client();
  }

  /** Runs {@code fn} on a fresh connection and closes it afterwards. */
  public <T> T withJedis(Function<Jedis, T> fn) {
    try (Jedis jedis = client()) {
      return fn.apply(jedis);
    }
  }

  /**
   * {@code connected_clients} from {@code INFO clients} minus one: the connection used to ask is
   * not counted, so the result is the number of <em>other</em> clients connected right now.
   */
  public int connectedClients() {
    String info = withJedis(j -> j.info("clients"));
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("connected_clients:")) {
        return Integer.parseInt(line.substring("connected_clients:".length()).trim()) - 1;
      }
    }
    throw new IllegalStateException("no connected_clients in INFO clients: " + info);
  }

  /** {@code FLUSHALL}: empties every database. */
  public void flushAll() {
    withJedis(Jedis::flushAll);
  }

  /** Whether the process is alive. */
  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /**
   * Kills the server with SIGKILL, like a crash: connections drop without a reply, nothing is
   * saved. The port and directory are kept for {@link #start()}. No-op when not running.
   */
  public synchronized void stop() {
    Process p = process;
    if (p == null) {
      return;
    }
    kill(p);
    process = null;
  }

  /**
   * Stops the server with SIGTERM (Redis shuts down cleanly and closes connections), falling back
   * to SIGKILL after {@link #GRACEFUL_STOP_TIMEOUT}. No-op when not running.
   */
  public synchronized void stopGracefully() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(GRACEFUL_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(p);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(p);
    }
    process = null;
  }

  /**
   * Freezes the server with SIGSTOP, like a stalled host: its sockets stay open and the kernel
   * still completes new TCP handshakes, but nothing is read or answered until {@link #resume()}.
   * {@link #stop()} and {@link #close()} work on a paused server too.
   */
  public synchronized void pause() {
    signal("STOP");
  }

  /** Lets a {@link #pause() paused} server run again (SIGCONT). */
  public synchronized void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(this + " is not running");
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).redirectErrorStream(true).start();
      if (!kill.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + p.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + name, e);
    }
  }

  /**
   * {@link #stop()} (SIGKILL) then {@link #start()}: same port, empty database (unless {@link
   * #launchPersistent() persistent}), waits until it answers. Works on a stopped server too.
   */
  public synchronized void restart() {
    stop();
    start();
  }

  /**
   * Starts a stopped server again on the same port (it comes back empty unless persistent) and waits until it
   * answers; no-op when running. Fails if another process took the port meanwhile.
   */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
    if (!isRunning()) {
      startProcess();
    }
  }

  /** Kills the server (SIGKILL) and deletes its directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop();
    } finally {
      deleteDirectory(directory);
      LIVE.remove(this);
    }
  }

  @Override
  public String toString() {
    return "RedisServer[" + HOST + ":" + port + (password.isPresent() ? ", password" : "")
        + (tls.isPresent() ? ", tls" : "") + "]";
  }

  // ---------------------------------------------------------------------------------------------

  private void startProcess() {
    List<String> failures = new ArrayList<>();
    int attempts = everStarted ? 1 : PORT_ATTEMPTS;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      if (!everStarted) {
        port = freePort();
      }
      String failure = launchOnce();
      if (failure == null) {
        everStarted = true;
        return;
      }
      failures.add(failure);
      if (!failure.contains("Address already in use")) {
        break;
      }
    }
    throw new IllegalStateException(
        "redis-server did not start on " + HOST + ":" + port + "\n" + String.join("\n---\n", failures));
  }

  /** Launches the process and waits for it; returns null when ready, else a failure description. */
  private String launchOnce() {
    Path log = directory.resolve("redis.log");
    Path out = directory.resolve("redis-server.out");
    List<String> command = new ArrayList<>(List.of(
        binary.toString()));
    if (sentinelConfig.isPresent()) {
      command.addAll(List.of(directory.resolve("sentinel.conf").toString(), "--sentinel"));
    }
    if (tls.isPresent()) {
      TestCertificates t = tls.get();
      command.addAll(List.of(
          "--port", "0",
          "--tls-port", Integer.toString(port),
          "--tls-cert-file", t.serverCertificate().toString(),
          "--tls-key-file", t.serverKey().toString(),
          "--tls-ca-cert-file", t.caCertificate().toString(),
          "--tls-auth-clients", "no"));
    } else {
      command.addAll(List.of("--port", Integer.toString(port)));
    }
    command.addAll(List.of(
        "--bind", HOST,
        "--save", "",
        "--appendonly", persistent ? "yes" : "no",
        "--appendfsync", "always",
        "--daemonize", "no",
        "--dir", directory.toString(),
        "--logfile", log.toString()));
    password.ifPresent(p -> command.addAll(List.of("--requirepass", p)));
    command.addAll(extraArguments);
    try {
      // The log is appended to across restarts; reset it per launch so failures show this one.
      Files.deleteIfExists(log);
      Files.deleteIfExists(out);
      process = new ProcessBuilder(command)
          .directory(directory.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + binary, e);
    }
    Process p = process;
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!p.isAlive()) {
        process = null;
        return "redis-server exited with status " + p.exitValue() + " (" + commandLine(command)
            + ")\n" + outputTail();
      }
      if (answersAsItself(p)) {
        return null;
      }
      if (System.nanoTime() > deadline) {
        kill(p);
        process = null;
        return "redis-server did not answer PING within " + START_TIMEOUT.toSeconds() + " s ("
            + commandLine(command) + ")\n" + outputTail();
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill(p);
        process = null;
        throw new IllegalStateException("interrupted while starting redis-server", e);
      }
    }
  }

  /**
   * PINGs and checks {@code INFO server}'s process_id, so that a different server that won the
   * race for our port is never mistaken for ours.
   */
  private boolean answersAsItself(Process p) {
    try (Jedis jedis = client()) {
      if (!"PONG".equals(jedis.ping())) {
        return false;
      }
      String info = jedis.info("server");
      return info.contains("process_id:" + p.pid() + "\r") || info.contains("process_id:" + p.pid() + "\n");
    } catch (JedisException e) {
      return false;
    }
  }

  private String outputTail() {
    StringBuilder sb = new StringBuilder();
    for (String name : List.of("redis-server.out", "redis.log")) {
      Path file = directory.resolve(name);
      try {
        if (Files.exists(file)) {
          String text = Files.readString(file, StandardCharsets.UTF_8);
          if (text.length() > OUTPUT_TAIL_CHARS) {
            text = "..." + text.substring(text.length() - OUTPUT_TAIL_CHARS);
          }
          if (!text.isBlank()) {
            sb.append("[").append(name).append("]\n").append(text.strip()).append('\n');
          }
        }
      } catch (IOException e) {
        sb.append("[").append(name).append(": unreadable: ").append(e).append("]\n");
      }
    }
    return sb.length() == 0 ? "(redis-server printed nothing)" : sb.toString();
  }

  private static String commandLine(List<String> command) {
    StringBuilder sb = new StringBuilder();
    for (String arg : command) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(arg.isEmpty() ? "\"\"" : arg);
    }
    // Never print the password.
    int i = command.indexOf("--requirepass");
    return i < 0 ? sb.toString() : sb.toString().replace("--requirepass " + command.get(i + 1), "--requirepass ***");
  }

  private static void kill(Process p) {
    p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      if (!p.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("redis-server pid " + p.pid() + " survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Shutdown hook: no locks (a test thread may hold this object's monitor), best effort. */
  private static void reap(RedisServer server) {
    Process p = server.process;
    if (p != null) {
      p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    deleteDirectory(server.directory);
  }

  private static void deleteDirectory(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a leftover temp dir is harmless
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + HOST, e);
    }
  }

  /**
   * The binary the servers run: {@value #BINARY_PROPERTY} when set; else the rule {@code spindle
   * run} follows ({@link RedisServerBinary#find}): the first {@code redis-server} on PATH, else the
   * Redis 6.2 one bundled in embedded-redis, copied to {@link
   * RedisServerBinary#defaultCacheDirectory}. Found once per JVM (per value of the property), and
   * said on standard error in one line: path, how it was found, version.
   */
  static Path findBinary() {
    return chosenBinary().binary().path();
  }

  /**
   * The version the servers' binary reports ({@code 7.0.15}, {@code 6.2.11}), or {@code
   * "unknown"} when it prints none.
   */
  public static String binaryVersion() {
    return chosenBinary().version();
  }

  /**
   * Skips the calling test (a JUnit assumption) when the servers' redis-server is older than
   * {@code major.minor}, naming what needs it and the version found, in one line on standard
   * error too. Under CI (environment variable {@code CI} set, as {@link BuiltGuests} does for
   * toolchains) it fails instead: {@code .ci/run} installs a Redis 7 and nothing may skip there.
   *
   * @param feature what the test needs the newer version for, e.g. "functions (FUNCTION LOAD)"
   */
  public static void assumeVersionAtLeast(int major, int minor, String feature) {
    Chosen chosen = chosenBinary();
    if (atLeast(chosen.version(), major, minor)) {
      return;
    }
    String reason = "needs Redis " + major + "." + minor + "+ for " + feature + "; this redis-server is "
        + chosen.version() + " (" + chosen.binary().path() + ", " + chosen.binary().origin() + ")";
    Assertions.assertNull(System.getenv("CI"), () -> "CI must run a newer redis-server: " + reason);
    System.err.println("spindle-testing: skipped: " + reason);
    Assumptions.abort(reason);
  }

  /** Whether a version string ({@code 6.2.11}; unknown counts as new) is at least major.minor. */
  static boolean atLeast(String version, int major, int minor) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(version);
    if (!m.find()) {
      return true;
    }
    int ma = Integer.parseInt(m.group(1));
    int mi = Integer.parseInt(m.group(2));
    return ma > major || (ma == major && mi >= minor);
  }

  /** A binary found, with the version it reported. */
  record Chosen(RedisServerBinary binary, String version) {}

  /** By the value of {@value #BINARY_PROPERTY} ("" when unset), so a test may point it elsewhere. */
  private static final Map<String, Chosen> CHOSEN = new ConcurrentHashMap<>();

  static Chosen chosenBinary() {
    String explicit = System.getProperty(BINARY_PROPERTY, "").strip();
    Chosen known = CHOSEN.get(explicit);
    if (known != null) {
      return known;
    }
    synchronized (CHOSEN) {
      known = CHOSEN.get(explicit);
      if (known != null) {
        return known;
      }
      RedisServerBinary binary = explicit.isEmpty() ? searched() : named(explicit);
      String version;
      String shown;
      try {
        version = binary.version();
        shown = "Redis " + version;
      } catch (RuntimeException e) {
        version = "unknown";
        shown = "version unknown: " + e.getMessage();
      }
      System.err.println("spindle-testing: redis-server " + binary.path() + " (" + binary.origin() + "), " + shown);
      Chosen chosen = new Chosen(binary, version);
      CHOSEN.put(explicit, chosen);
      return chosen;
    }
  }

  private static RedisServerBinary named(String explicit) {
    Path path = Path.of(explicit);
    if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
      throw new IllegalStateException(
          "redis-server not found at " + explicit + " (system property " + BINARY_PROPERTY + ")");
    }
    return new RedisServerBinary(path, "system property " + BINARY_PROPERTY);
  }

  private static RedisServerBinary searched() {
    Map<String, String> environment = System.getenv();
    try {
      return RedisServerBinary.find(environment, RedisServerBinary.defaultCacheDirectory(environment))
          .orElseThrow(() -> new IllegalStateException("redis-server not found: none on PATH and none bundled for "
              + RedisServerBinary.platform() + "; install it (apt-get install -y redis-server) or set -D"
              + BINARY_PROPERTY + "=<path>"));
    } catch (UncheckedIOException e) {
      throw new IllegalStateException("redis-server not found: " + e.getMessage(), e);
    }
  }

  private static String percentEncode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        sb.append(c);
      } else {
        sb.append('%').append(String.format("%02X", (int) c));
      }
    }
    return sb.toString();
  }
}
