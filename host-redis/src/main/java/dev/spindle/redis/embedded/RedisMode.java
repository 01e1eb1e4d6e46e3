package dev.spindle.redis.embedded;

import java.util.Locale;

/** {@code --redis}: whether {@code spindle run} may start a Redis of its own for the app. */
public enum RedisMode {
    /** Start one for each loopback address the app names where nothing listens (the default). */
    AUTO,
    /** Start one for each loopback address the app names; an address already in use is an error. */
    EMBEDDED,
    /** Never start one: the app's Redis servers are the operator's. */
    EXTERNAL;

    /**
     * @throws IllegalArgumentException naming the accepted values
     */
    public static RedisMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--redis: \"" + text + "\" is not one of auto, embedded, external");
        }
    }
}
