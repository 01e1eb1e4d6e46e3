package dev.spindle.runtime.trigger;

import dev.spindle.manifest.RedisTrigger;
import dev.spindle.runtime.SpindleApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The app's Redis triggers without Redis ({@link SpindleApp#redis()}): a message handed straight
 * to the components subscribed to its channel, as if it had been published there. Channels are
 * the triggers' as resolved with the app's variables; the address is not used. Thread-safe.
 *
 * <pre>{@code
 * List<RedisEntry.Delivery> handled = app.redis().deliver("orders", payload);
 * }</pre>
 */
public final class RedisEntry {
    /** What one subscribed component made of the message: {@code ok} unless its handler returned {@code error}. */
    public record Delivery(String componentId, boolean ok) {}

    private final SpindleApp app;

    public RedisEntry(SpindleApp app) {
        this.app = app;
    }

    /**
     * Runs {@code fermyon:spin/inbound-redis#handle-message} of every component subscribed to
     * {@code channel}, one after the other in manifest order (a component named by two triggers on
     * the channel gets the message twice, as in Spin), each in a fresh instance.
     *
     * @throws IllegalArgumentException if no Redis trigger of the app listens on {@code channel}
     * @throws dev.spindle.runtime.InvocationException if a handler traps or times out (later ones do not run)
     */
    public List<Delivery> deliver(String channel, byte[] payload) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(payload, "payload");
        List<Delivery> out = new ArrayList<>();
        TreeSet<String> channels = new TreeSet<>();
        for (RedisTrigger trigger : RedisTriggers.triggers(app)) {
            String resolved = app.variables().resolve(trigger.channel());
            channels.add(resolved);
            if (resolved.equals(channel)) {
                String componentId = trigger.componentId().orElseThrow();
                out.add(new Delivery(componentId, RedisTriggers.handleMessage(app, componentId, payload)));
            }
        }
        if (channels.isEmpty() || !channels.contains(channel)) {
            throw new IllegalArgumentException("no redis trigger of " + app.manifest().file() + " listens on channel \"" + channel
                    + "\" (" + (channels.isEmpty() ? "the app has no redis triggers" : "channels: " + String.join(", ", channels)) + ")");
        }
        return List.copyOf(out);
    }
}
