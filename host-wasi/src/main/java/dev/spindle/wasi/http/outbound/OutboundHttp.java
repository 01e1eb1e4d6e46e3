package dev.spindle.wasi.http.outbound;

import dev.spindle.host.ComponentContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Outbound HTTP for one app: the JDK's {@link HttpClient} (one per connect timeout in use, sharing
 * one daemon thread pool), the per-component bound on requests in flight, and the origin of the
 * app's own HTTP listener for requests to {@code self}.
 *
 * <p>Every request is checked against the component's allowed_outbound_hosts with the one
 * matcher ({@link dev.spindle.manifest.hosts.AllowedHosts}) before a connection is made, and is
 * sent to exactly the host that was checked.
 */
public final class OutboundHttp implements AutoCloseable {
    private static final int MAX_CLIENTS = 16;

    private final OutboundHttpOptions options;
    private final ExecutorService executor;
    private final ClientTls clientTls;
    /** A client per connect timeout and TLS trust in use (the JDK client takes both per client, not per request). */
    private record ClientKey(long connectMillis, Optional<SSLContext> tls) {}

    private final Map<ClientKey, HttpClient> clients = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ClientKey, HttpClient> eldest) {
            return size() > MAX_CLIENTS;
        }
    };
    private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();
    private volatile Supplier<Optional<String>> selfOrigin = Optional::empty;

    public OutboundHttp(OutboundHttpOptions options) {
        this(options, ClientTls.none());
    }

    /** @param clientTls the roots each component trusts for HTTPS to each host (Spin's {@code [[client_tls]]}) */
    public OutboundHttp(OutboundHttpOptions options, ClientTls clientTls) {
        this.options = Objects.requireNonNull(options, "options");
        this.clientTls = Objects.requireNonNull(clientTls, "clientTls");
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "spindle-outbound-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public OutboundHttpOptions options() {
        return options;
    }

    /**
     * Where requests to {@code self} go: the HTTP trigger sets its listener's origin
     * ({@code http://127.0.0.1:3000}) once it listens. Without one, such requests fail with
     * {@code HTTP-request-URI-invalid}.
     */
    public void selfOrigin(Supplier<Optional<String>> origin) {
        this.selfOrigin = Objects.requireNonNull(origin, "origin");
    }

    Optional<String> selfOrigin() {
        return selfOrigin.get();
    }

    /** The outbound handler of one component (its allowed hosts, its log, its share of the limits). */
    public ComponentOutbound forComponent(ComponentContext component) {
        Semaphore permits = inFlight.computeIfAbsent(component.componentId(), id -> new Semaphore(options.maxConcurrentPerComponent()));
        return new ComponentOutbound(this, component, permits);
    }

    /** The client for a request of {@code componentId} to {@code uri}: its connect timeout, and for https its TLS trust. */
    synchronized HttpClient client(Duration connectTimeout, String componentId, URI uri) {
        Optional<SSLContext> tls = "https".equals(uri.getScheme()) && uri.getHost() != null
                ? clientTls.context(componentId, uri.getHost()) : Optional.empty();
        return clients.computeIfAbsent(new ClientKey(connectTimeout.toMillis(), tls), key -> {
            HttpClient.Builder b = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofMillis(Math.max(1, key.connectMillis())))
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .executor(executor);
            key.tls().ifPresent(b::sslContext);
            return b.build();
        });
    }

    @Override
    public void close() {
        executor.shutdownNow();
        synchronized (this) {
            clients.clear();
        }
    }
}
