package dev.spindle.runtime.trigger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of the HTTP trigger. Each default is next to its constant.
 *
 * @param host            listen address; default {@value #DEFAULT_HOST}
 * @param port            listen port, 0 for any free port; default {@value #DEFAULT_PORT}
 * @param maxBodyBytes    larger request bodies get 413; default 10 MiB
 * @param workers         requests handled at once (each may block on Redis); default 64
 * @param queue           requests waiting for a worker; beyond it 503; default 256
 * @param shutdownGrace   how long in-flight requests may finish at shutdown; default 10 s
 * @param requestReadTimeout a client must deliver headers and body (and later take the response) within this,
 *                        enforced by Spindle per request; else the connection is closed; default 30 s
 * @param tlsCert         PEM certificate chain; with {@code tlsKey}, the server speaks HTTPS only; default none
 * @param tlsKey          PEM private key (PKCS#8 or PKCS#1, unencrypted) for {@code tlsCert}; default none
 * @param http2           also serve HTTP/2: h2 through ALPN with TLS, h2c (prior knowledge or
 *                        {@code Upgrade: h2c}) without; default off (HTTP/1.1 only)
 */
public record HttpServerOptions(String host, int port, long maxBodyBytes, int workers, int queue, Duration shutdownGrace,
                                Duration requestReadTimeout, Optional<Path> tlsCert, Optional<Path> tlsKey, boolean http2) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Spin's default. */
    public static final int DEFAULT_PORT = 3000;
    /** 10 MiB: ample for API requests; the body is held in memory and copied into the guest. */
    public static final long DEFAULT_MAX_BODY_BYTES = 10L << 20;
    /** Equal to the default invocation limit: each worker mostly waits on a guest blocked on Redis. */
    public static final int DEFAULT_WORKERS = 64;
    /** A short burst above the worker count queues; a sustained overload gets fast 503s instead of growing latency. */
    public static final int DEFAULT_QUEUE = 256;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    /** A client that has not delivered headers and body within this loses its connection, so slow clients cannot hold workers. */
    public static final Duration DEFAULT_REQUEST_READ_TIMEOUT = Duration.ofSeconds(30);

    public HttpServerOptions {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (maxBodyBytes < 0 || workers < 1 || queue < 0) {
            throw new IllegalArgumentException("maxBodyBytes >= 0, workers >= 1 and queue >= 0 required");
        }
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(requestReadTimeout, "requestReadTimeout");
        if (requestReadTimeout.toMillis() < 1 || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("requestReadTimeout must be at least 1 ms and shutdownGrace not negative");
        }
        Objects.requireNonNull(tlsCert, "tlsCert");
        Objects.requireNonNull(tlsKey, "tlsKey");
        if (tlsCert.isPresent() != tlsKey.isPresent()) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both or neither");
        }
    }

    /** Whether the server speaks HTTPS. */
    public boolean tls() {
        return tlsCert.isPresent();
    }

    public static HttpServerOptions defaults() {
        return new HttpServerOptions(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_BODY_BYTES, DEFAULT_WORKERS, DEFAULT_QUEUE,
                DEFAULT_SHUTDOWN_GRACE, DEFAULT_REQUEST_READ_TIMEOUT,
                Optional.empty(), Optional.empty(), false);
    }

    /** Parses {@code host:port} (or {@code :port}, or {@code [v6]:port}) as given to {@code --listen}. */
    public HttpServerOptions withListen(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--listen wants host:port, got \"" + hostPort + "\"");
        }
        String h = hostPort.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        int p;
        try {
            p = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen wants host:port, got \"" + hostPort + "\"");
        }
        return new HttpServerOptions(h.isEmpty() ? DEFAULT_HOST : h, p, maxBodyBytes, workers, queue, shutdownGrace, requestReadTimeout,
                tlsCert, tlsKey, http2);
    }

    public HttpServerOptions withPort(int value) {
        return new HttpServerOptions(host, value, maxBodyBytes, workers, queue, shutdownGrace, requestReadTimeout, tlsCert, tlsKey, http2);
    }

    public HttpServerOptions withMaxBodyBytes(long value) {
        return new HttpServerOptions(host, port, value, workers, queue, shutdownGrace, requestReadTimeout, tlsCert, tlsKey, http2);
    }

    public HttpServerOptions withWorkers(int value) {
        return new HttpServerOptions(host, port, maxBodyBytes, value, queue, shutdownGrace, requestReadTimeout, tlsCert, tlsKey, http2);
    }

    public HttpServerOptions withQueue(int value) {
        return new HttpServerOptions(host, port, maxBodyBytes, workers, value, shutdownGrace, requestReadTimeout, tlsCert, tlsKey, http2);
    }

    public HttpServerOptions withShutdownGrace(Duration value) {
        return new HttpServerOptions(host, port, maxBodyBytes, workers, queue, value, requestReadTimeout, tlsCert, tlsKey, http2);
    }

    public HttpServerOptions withRequestReadTimeout(Duration value) {
        return new HttpServerOptions(host, port, maxBodyBytes, workers, queue, shutdownGrace, value, tlsCert, tlsKey, http2);
    }

    /** Serve HTTPS with this PEM certificate chain and private key. */
    public HttpServerOptions withTls(Path certPem, Path keyPem) {
        return new HttpServerOptions(host, port, maxBodyBytes, workers, queue, shutdownGrace, requestReadTimeout,
                Optional.of(certPem), Optional.of(keyPem), http2);
    }

    public HttpServerOptions withHttp2(boolean value) {
        return new HttpServerOptions(host, port, maxBodyBytes, workers, queue, shutdownGrace, requestReadTimeout, tlsCert, tlsKey, value);
    }
}
