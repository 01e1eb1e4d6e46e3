package dev.spindle.redis.embedded;

import dev.spindle.manifest.hosts.RedisUrl;
import java.util.Optional;

/**
 * A plain {@code redis://} server on this machine's loopback interface that the app's resolved
 * configuration names: the only kind Spindle ever starts itself.
 *
 * @param host the host as written: {@code localhost}, an address in {@code 127.0.0.0/8}, or {@code ::1}
 * @param port its port
 * @param password the password the app's URL sends, if any (the server is started requiring it)
 * @param source where the configuration names it, for the startup line ("variable redis_address")
 */
public record LocalRedisAddress(String host, int port, Optional<String> password, String source) {
    /** {@code host:port}, IPv6 in brackets. */
    public String hostAndPort() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The address if {@code url} is a plain {@code redis://} URL of a loopback host; else empty. */
    static Optional<LocalRedisAddress> of(RedisUrl url, String source) {
        if (url.tls() || !isLoopback(url.host())) {
            return Optional.empty();
        }
        return Optional.of(new LocalRedisAddress(url.host(), url.port(), url.password(), source));
    }

    /**
     * {@code localhost}, {@code 127.x.y.z} or {@code ::1}, decided from the text alone: a name that
     * merely resolves to loopback today (through /etc/hosts or DNS) is not trusted to stay there.
     */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(java.util.Locale.ROOT);
        if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
