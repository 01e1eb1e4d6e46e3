package dev.spindle.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisProtocol;

/**
 * The one place a Jedis client configuration is made, for the outbound pools and for the Redis
 * trigger's subscribers alike: timeouts, RESP2, no {@code CLIENT SETINFO}, and for
 * {@code rediss://} TLS with hostname verification and the trust configured in
 * {@link RedisOptions#tlsCaFile()}.
 *
 * <p>The CA file is read once, when the settings are created, so a missing or malformed file is
 * a startup error rather than a failure of the first guest that connects.
 */
public final class RedisClientSettings {

    private final RedisOptions options;
    private final Optional<SSLSocketFactory> socketFactory;
    private final RedisTopology topology;

    private RedisClientSettings(RedisOptions options, Optional<SSLSocketFactory> socketFactory, RedisTopology topology) {
        this.options = options;
        this.socketFactory = socketFactory;
        this.topology = topology;
    }

    /**
     * @throws IllegalArgumentException when {@link RedisOptions#tlsCaFile()} cannot be read or holds
     *     no PEM certificate (the message names the file)
     */
    public static RedisClientSettings create(RedisOptions options) {
        Objects.requireNonNull(options, "options");
        return new RedisClientSettings(options, options.tlsCaFile().map(RedisClientSettings::trusting), RedisTopology.none());
    }

    /** These settings, with the Cluster and Sentinel deployments the runtime config declares. */
    RedisClientSettings withTopology(RedisTopology topology) {
        return new RedisClientSettings(options, socketFactory, Objects.requireNonNull(topology, "topology"));
    }

    public RedisOptions options() {
        return options;
    }

    /** The declared Cluster and Sentinel deployments ({@link RedisTopology#none()} unless configured). */
    RedisTopology topology() {
        return topology;
    }

    /**
     * A builder with this app's timeouts (connect and socket from {@link RedisOptions}), RESP2, no
     * {@code CLIENT SETINFO} and, when {@code tls}, TLS with hostname verification ({@code HTTPS}
     * endpoint identification: the certificate must name the address's host or IP) trusting the
     * configured CA file or else the JVM's default trust store. Callers add user, password and
     * database, and may override the timeouts.
     */
    public DefaultJedisClientConfig.Builder builder(boolean tls) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) options.connectTimeout().toMillis())
                .socketTimeoutMillis((int) options.socketTimeout().toMillis())
                .protocol(RedisProtocol.RESP2)
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .ssl(tls);
        if (tls) {
            SSLParameters parameters = new SSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            b.sslParameters(parameters);
            socketFactory.ifPresent(b::sslSocketFactory);
        }
        return b;
    }

    /** True when {@code e} or one of its causes is a TLS failure (handshake, untrusted certificate, wrong name). */
    public static boolean isTlsFailure(Throwable e) {
        for (int depth = 0; e != null && depth < 10; depth++, e = e.getCause()) {
            if (e instanceof SSLException || e instanceof java.security.cert.CertificateException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The innermost message of a TLS failure ({@code unable to find valid certification path to
     * requested target}, {@code No subject alternative names matching IP address ...}), without the
     * wrapper exceptions that repeat it.
     */
    public static String tlsReason(Throwable e) {
        String reason = null;
        for (int depth = 0; e != null && depth < 10; depth++, e = e.getCause()) {
            if (e.getMessage() != null) {
                reason = e.getMessage();
            }
        }
        return reason == null ? "handshake failed" : reason;
    }

    /**
     * The client config of a host-side connection to {@code url} (the trigger's subscriber or
     * stream consumer): TLS and trust exactly as for guests' connections, the address's user,
     * password and database, and the caller's own timeouts.
     */
    JedisClientConfig hostSide(dev.spindle.manifest.hosts.RedisUrl url, int connectTimeoutMs, int socketTimeoutMs) {
        DefaultJedisClientConfig.Builder b = builder(url.tls())
                .connectionTimeoutMillis(connectTimeoutMs)
                .socketTimeoutMillis(socketTimeoutMs)
                .database(url.database());
        url.user().ifPresent(b::user);
        url.password().ifPresent(b::password);
        return b.build();
    }

    /**
     * One line for a failure of a host-side connection to {@code url} (the trigger's subscriber or
     * stream consumer): the exception's message, the TLS reason for a handshake failure, and the
     * address's password masked should a library ever echo it.
     */
    static String describe(Throwable e, dev.spindle.manifest.hosts.RedisUrl url) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ");
        if (isTlsFailure(e)) {
            m = "TLS handshake failed: " + tlsReason(e);
        }
        if (url.password().isPresent() && !url.password().get().isEmpty()) {
            m = m.replace(url.password().get(), "***");
        }
        return m;
    }

    /** An SSL socket factory trusting exactly the certificates in the PEM file {@code pem}. */
    static SSLSocketFactory trusting(Path pem) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pem)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("redis TLS CA file " + pem + ": cannot read it ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("redis TLS CA file " + pem + ": not PEM X.509 certificates (" + e.getMessage() + ")", e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("redis TLS CA file " + pem + ": holds no certificate");
        }
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certificates) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("redis TLS CA file " + pem + ": cannot be used as a trust store (" + e.getMessage() + ")", e);
        }
    }
}
