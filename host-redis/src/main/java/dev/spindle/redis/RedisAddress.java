package dev.spindle.redis;

import dev.spindle.manifest.hosts.OutboundUrl;
import dev.spindle.manifest.hosts.RedisUrl;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A permitted Redis address as the pools use it: the fields of the one parse,
 * {@link RedisUrl#parse}, which {@code spindle check} and the Redis trigger use too. The
 * connection is made from these fields only; the guest's string never reaches a second parser.
 */
record RedisAddress(
        OutboundUrl url,
        boolean tls,
        String host,
        int port,
        Optional<String> user,
        Optional<String> password,
        int database) {

    static RedisAddress of(RedisUrl parsed) {
        return new RedisAddress(parsed.url(), parsed.tls(), parsed.host(), parsed.port(), parsed.user(),
                parsed.password(), parsed.database());
    }

    /** The server this address connects to, as the per-server connection cap counts it. */
    RedisPools.ServerKey serverKey() {
        return new RedisPools.ServerKey(host, port);
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
