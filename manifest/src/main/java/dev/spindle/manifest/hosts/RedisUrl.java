package dev.spindle.manifest.hosts;

import java.util.Objects;
import java.util.Optional;

/**
 * A Redis address, {@code redis[s]://[user[:password]@]host[:port][/N]}, taken apart exactly once. A guest's
 * {@code open}, the Redis trigger and {@code spindle check} all call {@link #parse}, so what {@code check} accepts is
 * exactly what the runtime accepts, and the connection is made from these fields only: the address text never
 * reaches a second parser (if two parsers disagreed on the host, the check and the connection could see different
 * servers).
 *
 * <p>The URL rules are {@link OutboundUrl#parse(String)}'s (Spin's). On top of them: the scheme is {@code redis}
 * (plain) or {@code rediss} (TLS); the port defaults to 6379 for both, as in the Redis client Spin uses (the allow
 * list still gives {@code rediss} no default port, so {@code rediss://cache} needs an entry with port {@code *});
 * the path is empty, {@code /} or {@code /N} selecting database N (at most {@value #MAX_DATABASE_DIGITS} digits);
 * a query is refused (Spin's client reads {@code ?protocol=}, which Spindle does not support, and a query may hide
 * a password); a fragment is ignored (TLS certificates are always verified, {@code #insecure} included).
 *
 * @param url      the parsed URL the permission check matches
 * @param tls      true for {@code rediss://}
 * @param host     the host to connect to: a canonical name or IPv4 address, or an IPv6 address without brackets
 * @param port     the port to connect to
 * @param user     the percent-decoded user name, if not empty
 * @param password the percent-decoded password, if not empty
 * @param database the database number, 0 by default
 */
public record RedisUrl(OutboundUrl url, boolean tls, String host, int port, Optional<String> user,
                       Optional<String> password, int database) {
    /** The Redis client's default port, for {@code redis://} and {@code rediss://} alike. */
    public static final int DEFAULT_PORT = 6379;
    /** A database number longer than this is refused before it is parsed (Redis' own limit is far lower). */
    public static final int MAX_DATABASE_DIGITS = 9;

    public RedisUrl {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    /**
     * Parses a Redis address.
     *
     * @throws InvalidOutboundUrlException with a one-line message that never shows the userinfo
     */
    public static RedisUrl parse(String address) {
        return of(OutboundUrl.parse(address));
    }

    /**
     * Checks the Redis-specific parts of an already parsed URL.
     *
     * @throws InvalidOutboundUrlException with a one-line message that never shows the userinfo
     */
    public static RedisUrl of(OutboundUrl url) {
        boolean tls;
        switch (url.scheme()) {
            case "redis" -> tls = false;
            case "rediss" -> tls = true;
            default -> throw bad(url, "is not a redis:// or rediss:// address");
        }
        if (url.query().isPresent()) {
            throw bad(url, "has a query, which a redis address may not have; select a database with a path like /2");
        }
        String path = url.path();
        int database = 0;
        if (!path.isEmpty() && !path.equals("/")) {
            String digits = path.substring(1);
            if (!HostSyntax.allDigits(digits) || digits.length() > MAX_DATABASE_DIGITS) {
                throw bad(url, "has path `" + shortened(path) + "`; the path of a redis address must be /N"
                        + " (a database number of at most " + MAX_DATABASE_DIGITS + " digits)");
            }
            database = Integer.parseInt(digits);
        }
        String host = url.host();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // IPv6 literal; clients want it bare
        }
        int port = url.port().orElse(DEFAULT_PORT);
        if (port == 0) {
            throw bad(url, "has port 0, which cannot be connected to");
        }
        return new RedisUrl(url, tls, host, port, url.user(), url.password(), database);
    }

    /** The address for logs and error messages: the password hidden, delimiters in the user name encoded. */
    public String redacted() {
        return url.redacted();
    }

    /** {@code host:port} as connected to, IPv6 in brackets. */
    public String hostAndPort() {
        return url.host() + ":" + port;
    }

    @Override
    public String toString() {
        return redacted();
    }

    private static String shortened(String path) {
        return path.length() > 40 ? path.substring(0, 40) + "...(" + (path.length() - 40) + " more characters)" : path;
    }

    private static InvalidOutboundUrlException bad(OutboundUrl url, String why) {
        String shown = url.redacted();
        if (shown.length() > 200) {
            shown = shown.substring(0, 200) + "...";
        }
        return new InvalidOutboundUrlException(shown, why);
    }
}
