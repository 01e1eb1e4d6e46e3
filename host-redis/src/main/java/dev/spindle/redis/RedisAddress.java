package dev.spindle.redis;

import dev.spindle.manifest.hosts.OutboundUrl;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A Redis address taken apart exactly once, from the same {@link OutboundUrl} the permission
 * check saw. The connection is made from these fields only; the guest's string never reaches a
 * second parser (if two parsers disagreed on the host, the check and the connection could see
 * different servers).
 *
 * <p>Accepted: {@code redis://} (plain) and {@code rediss://} (TLS), optional user and password,
 * optional path {@code /N} selecting database N. No query parameters.
 */
record RedisAddress(
        OutboundUrl url,
        boolean tls,
        String host,
        int port,
        Optional<String> user,
        Optional<String> password,
        int database) {

    /**
     * Validates the parts of an already-permitted URL that the permission check does not look at.
     *
     * @throws RedisError invalid-address, with a message that never contains credentials
     */
    static RedisAddress of(OutboundUrl url) {
        boolean tls;
        switch (url.scheme()) {
            case "redis":
                tls = false;
                break;
            case "rediss":
                tls = true;
                break;
            default:
                throw RedisError.invalidAddress("scheme \"" + url.scheme() + "\" is not redis or rediss");
        }
        if (url.query().isPresent()) {
            throw RedisError.invalidAddress("query parameters are not supported in a redis address");
        }
        String path = url.path();
        int database = 0;
        if (!path.isEmpty() && !path.equals("/")) {
            String digits = path.substring(1);
            if (!path.startsWith("/") || digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw RedisError.invalidAddress("the path of a redis address must be /N (a database number)");
            }
            database = Integer.parseInt(digits);
        }
        String host = url.host();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // IPv6 literal; Jedis wants it bare
        }
        if (host.isEmpty()) {
            throw RedisError.invalidAddress("the redis address has no host");
        }
        int port = url.portOrDefault();
        if (port < 1 || port > 65535) {
            throw RedisError.invalidAddress("port " + port + " is out of range");
        }
        return new RedisAddress(url, tls, host, port, url.user().filter(u -> !u.isEmpty()), url.password(), database);
    }

    /** The pool this address borrows from; holds a hash of the password, not the password. */
    PoolKey poolKey() {
        return new PoolKey(host, port, user.orElse(""), database, tls, password.map(RedisAddress::sha256).orElse(""));
    }

    /** For logs and error messages: never shows user or password. */
    String redacted() {
        return url.redacted();
    }

    @Override
    public String toString() {
        return redacted();
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    record PoolKey(String host, int port, String user, int database, boolean tls, String passwordHash) {}
}
