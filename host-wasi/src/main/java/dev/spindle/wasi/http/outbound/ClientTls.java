package dev.spindle.wasi.http.outbound;

import dev.spindle.manifest.RuntimeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * Spin's {@code [[client_tls]]} runtime config: the roots a component trusts for HTTPS requests
 * to a host, so that outbound HTTP can reach a server with a private CA.
 *
 * <pre>
 * [[client_tls]]
 * component_ids = ["api-client"]
 * hosts = ["internal.example.com"]      # host names or IPs, without ports (as in Spin)
 * ca_roots_file = "certs/internal-ca.pem" # relative to the runtime config file
 * ca_use_platform_roots = false           # default: true unless ca_roots_file is given
 * </pre>
 *
 * <p>As in Spin, the first entry naming a (component, host) pair wins, and any other pair uses the
 * JVM's default trust. {@code ca_use_webpki_roots} adds the JVM's roots too (Spindle has no
 * separate webpki bundle). Client certificates ({@code client_cert_file},
 * {@code client_private_key_file}) are refused with a clear error: Spindle does not send them.
 */
public final class ClientTls {
    public static final String TABLE = "client_tls";
    private static final Set<String> KEYS = Set.of("component_ids", "hosts", "ca_use_platform_roots", "ca_use_webpki_roots",
            "ca_roots_file", "client_cert_file", "client_private_key_file");
    private static final ClientTls NONE = new ClientTls(Map.of());

    /** component id → host (lower case) → the context trusting that entry's roots. */
    private final Map<String, Map<String, SSLContext>> contexts;

    private ClientTls(Map<String, Map<String, SSLContext>> contexts) {
        this.contexts = contexts;
    }

    /** No {@code [[client_tls]]}: every HTTPS request uses the JVM's default trust. */
    public static ClientTls none() {
        return NONE;
    }

    /** The TLS context for an HTTPS request of {@code componentId} to {@code host}; empty for the JVM's default. */
    public Optional<SSLContext> context(String componentId, String host) {
        Map<String, SSLContext> hosts = contexts.get(componentId);
        return hosts == null ? Optional.empty() : Optional.ofNullable(hosts.get(host.toLowerCase(Locale.ROOT)));
    }

    /**
     * Reads every {@code [[client_tls]]} entry of {@code config}.
     *
     * @throws dev.spindle.manifest.ManifestException one line naming the file and line of the first problem
     */
    public static ClientTls fromRuntimeConfig(RuntimeConfig config) {
        List<TomlTable> entries = config.tables(TABLE);
        if (entries.isEmpty()) {
            return NONE;
        }
        Path base = config.file().map(Path::toAbsolutePath).map(Path::getParent).orElse(Path.of("."));
        Map<String, Map<String, SSLContext>> contexts = new HashMap<>();
        for (TomlTable entry : entries) {
            for (String key : entry.keySet()) {
                if (!KEYS.contains(key)) {
                    throw config.error(entry, key, "unknown key `" + key + "` in [[" + TABLE + "]] (known: " + String.join(", ",
                            new java.util.TreeSet<>(KEYS)) + ")");
                }
            }
            for (String key : List.of("client_cert_file", "client_private_key_file")) {
                if (entry.contains(List.of(key))) {
                    throw config.error(entry, key, "[[" + TABLE + "]] " + key
                            + " is not supported by Spindle (outbound HTTP sends no client certificate)");
                }
            }
            List<String> components = strings(config, entry, "component_ids");
            List<String> hosts = strings(config, entry, "hosts");
            for (String host : hosts) {
                boolean hasPort = host.startsWith("[") ? host.matches("\\[.*]:.*") : host.contains(":");
                if (host.isEmpty() || host.contains("/") || host.contains("@") || hasPort) {
                    throw config.error(entry, "hosts", "invalid TLS host \"" + host + "\" in [[" + TABLE
                            + "]]: a host name or IP address without a port (ports are not supported, as in Spin)");
                }
            }
            Optional<Boolean> platform = bool(config, entry, "ca_use_platform_roots");
            Optional<Boolean> webpki = bool(config, entry, "ca_use_webpki_roots");
            Optional<Path> rootsFile = Optional.ofNullable(string(config, entry, "ca_roots_file")).map(base::resolve);
            boolean defaultRoots = platform.orElse(false) || webpki.orElse(false)
                    || platform.isEmpty() && webpki.isEmpty() && rootsFile.isEmpty();
            List<X509Certificate> roots = rootsFile.isEmpty() ? List.of() : certificates(config, entry, rootsFile.get());
            if (!defaultRoots && roots.isEmpty()) {
                throw config.error(entry, "ca_use_platform_roots", "[[" + TABLE
                        + "]] trusts nothing: set ca_roots_file, or leave ca_use_platform_roots true");
            }
            SSLContext context = context(defaultRoots, roots);
            for (String component : components) {
                Map<String, SSLContext> byHost = contexts.computeIfAbsent(component, c -> new HashMap<>());
                for (String host : hosts) {
                    byHost.putIfAbsent(host.toLowerCase(Locale.ROOT), context); // the first entry wins, as in Spin
                }
            }
        }
        return new ClientTls(Map.copyOf(contexts));
    }

    private static List<String> strings(RuntimeConfig config, TomlTable entry, String key) {
        Object value = entry.get(List.of(key));
        List<String> out = new ArrayList<>();
        if (value instanceof TomlArray a) {
            for (int i = 0; i < a.size(); i++) {
                if (!(a.get(i) instanceof String s)) {
                    out = null;
                    break;
                }
                out.add(s);
            }
        } else {
            out = null;
        }
        if (out == null || out.isEmpty()) {
            throw config.error(entry, key, "[[" + TABLE + "]] " + key + " must be a non-empty list of strings");
        }
        return out;
    }

    private static String string(RuntimeConfig config, TomlTable entry, String key) {
        Object value = entry.get(List.of(key));
        if (value != null && !(value instanceof String)) {
            throw config.error(entry, key, "[[" + TABLE + "]] " + key + " must be a string (a file path)");
        }
        return (String) value;
    }

    private static Optional<Boolean> bool(RuntimeConfig config, TomlTable entry, String key) {
        Object value = entry.get(List.of(key));
        if (value != null && !(value instanceof Boolean)) {
            throw config.error(entry, key, "[[" + TABLE + "]] " + key + " must be true or false");
        }
        return Optional.ofNullable((Boolean) value);
    }

    private static List<X509Certificate> certificates(RuntimeConfig config, TomlTable entry, Path file) {
        Collection<? extends Certificate> read;
        try (InputStream in = Files.newInputStream(file)) {
            read = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw config.error(entry, "ca_roots_file", "[[" + TABLE + "]] ca_roots_file " + file + " cannot be read: "
                    + e.getClass().getSimpleName());
        } catch (GeneralSecurityException e) {
            throw config.error(entry, "ca_roots_file", "[[" + TABLE + "]] ca_roots_file " + file + " is not PEM certificates");
        }
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : read) {
            out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
            throw config.error(entry, "ca_roots_file", "[[" + TABLE + "]] ca_roots_file " + file + " holds no certificate");
        }
        return out;
    }

    /** A context trusting {@code roots}, plus the JVM's default roots when {@code withDefaults}. */
    private static SSLContext context(boolean withDefaults, List<X509Certificate> roots) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            if (withDefaults) {
                TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                defaults.init((KeyStore) null);
                for (TrustManager tm : defaults.getTrustManagers()) {
                    if (tm instanceof X509TrustManager x) {
                        for (X509Certificate c : x.getAcceptedIssuers()) {
                            trust.setCertificateEntry("default-" + i++, c);
                        }
                    }
                }
            }
            for (X509Certificate c : roots) {
                trust.setCertificateEntry("root-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }
}
