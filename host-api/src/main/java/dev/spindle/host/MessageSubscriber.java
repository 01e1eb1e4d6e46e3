package dev.spindle.host;

import java.util.List;
import java.util.function.BiConsumer;

/**
 * Delivers what is published on channels of a message server: the transport of the engine's
 * Redis trigger ({@code fermyon:spin/inbound-redis}), implemented by the Redis capability so the
 * trigger connects with the same address parse, TLS trust and timeouts as the guests' {@code open},
 * and the engine itself names no Redis client.
 */
public interface MessageSubscriber {

    /**
     * Checks an address as {@link #subscribe} reads it, without connecting.
     *
     * @throws IllegalArgumentException one line saying what is wrong, credentials hidden
     */
    void checkAddress(String address);

    /**
     * A subscription to {@code channels} of the server at {@code address}, not yet started. Once
     * started it runs on a thread of its own, reconnects with backoff while the server is away
     * (each outage logged once to {@code log}), and passes every message to {@code onMessage}
     * (channel, payload) on that thread; a slow {@code onMessage} holds up reading.
     *
     * @throws IllegalArgumentException as {@link #checkAddress}
     */
    Subscription subscribe(String address, List<String> channels, BiConsumer<String, byte[]> onMessage, HostLog log);

    /** One subscriber connection. */
    interface Subscription extends AutoCloseable {
        void start();

        /** True while every channel is subscribed (tests wait for it). */
        boolean subscribed();

        /** Unsubscribes, disconnects and stops the thread. Idempotent; never throws. */
        @Override
        void close();
    }
}
