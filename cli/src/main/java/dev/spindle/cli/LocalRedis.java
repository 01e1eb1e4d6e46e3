package dev.spindle.cli;

import dev.spindle.redis.KeyValueCapability;
import dev.spindle.redis.binary.RedisServerBinary;
import dev.spindle.redis.embedded.EmbeddedRedisServers;
import dev.spindle.redis.embedded.LocalRedisAddresses;
import dev.spindle.redis.embedded.RedisMode;
import dev.spindle.runtime.SpindleApp;
import java.util.Map;

/**
 * {@code spindle run}'s embedded Redis: after the app is loaded and before its triggers start,
 * one look at its resolved configuration decides which loopback servers to start
 * ({@link EmbeddedRedisServers}); docs/operations.md.
 */
final class LocalRedis {
    private LocalRedis() {}

    static EmbeddedRedisServers start(RedisMode mode, SpindleApp app, Map<String, String> environment) {
        var addresses = LocalRedisAddresses.of(app.manifest(), app.variables(),
                app.capability(KeyValueCapability.class).map(KeyValueCapability::config));
        var state = app.manifest().baseDir().resolve(EmbeddedRedisServers.STATE_DIRECTORY);
        var binaryCache = RedisServerBinary.defaultCacheDirectory(environment);
        // Through the app's log, so the line has its time and --log-format like every other.
        return EmbeddedRedisServers.start(mode, addresses, state, () -> EmbeddedRedisServers.binary(environment, binaryCache),
                line -> app.log().info("redis", line));
    }
}
