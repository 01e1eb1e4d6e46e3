package dev.spindle.runtime.trigger;

import dev.spindle.host.abi.Result;
import dev.spindle.host.HostLog;
import dev.spindle.host.MessageSubscriber;
import dev.spindle.manifest.ManifestException;
import dev.spindle.manifest.RedisTrigger;
import dev.spindle.manifest.Template;
import dev.spindle.manifest.TriggerConfig;
import dev.spindle.runtime.InvocationException;
import dev.spindle.runtime.SpindleApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Runs an app's {@code [[trigger.redis]]} entries: one subscriber connection per Redis server;
 * every message on a channel goes to every component subscribed to it, each in a fresh
 * instance. As in Spin, one component gets one channel's messages one at a time and in order
 * (a {@link MessageLane} per component and channel); different components and channels run
 * concurrently. A failing handler is logged and the next message is still delivered.
 */
public final class RedisTriggers implements RunningTrigger {
    private static final String LOG_ID = "redis-trigger";

    /** How long {@link #close()} lets queued messages finish unless the triggers were started with a grace period. */
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    private final List<MessageSubscriber.Subscription> subscribers;
    private final List<MessageLane> lanes;
    private final HostLog log;
    private final Duration grace;

    private RedisTriggers(List<MessageSubscriber.Subscription> subscribers, List<MessageLane> lanes, HostLog log, Duration grace) {
        this.subscribers = List.copyOf(subscribers);
        this.lanes = List.copyOf(lanes);
        this.log = log;
        this.grace = grace;
    }

    /** One Redis server's subscriptions: its address as resolved and, per channel, the components subscribed in manifest order. */
    record Server(String address, Map<String, List<String>> routes) {}

    /** The Redis triggers of the app's manifest. */
    public static List<RedisTrigger> triggers(SpindleApp app) {
        List<RedisTrigger> out = new ArrayList<>();
        for (TriggerConfig t : app.manifest().triggers()) {
            if (t instanceof RedisTrigger r) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Resolves every trigger's address and channel and starts one subscriber per server;
     * {@link #close()} gives queued messages {@code 10 s}.
     *
     * @throws ManifestException (with the trigger's file:line) for a missing or invalid address or empty channel
     */
    public static RedisTriggers start(SpindleApp app) {
        return start(app, DEFAULT_GRACE);
    }

    /** {@link #start(SpindleApp)}; {@link #close()} gives queued messages {@code grace} to finish. */
    public static RedisTriggers start(SpindleApp app, Duration grace) {
        HostLog log = app.log();
        MessageSubscriber transport = transport(app);
        Map<String, Server> byServer = routes(app, transport);
        List<MessageSubscriber.Subscription> subscribers = new ArrayList<>();
        List<MessageLane> allLanes = new ArrayList<>();
        for (Server server : byServer.values()) {
            // channel -> one lane per subscribed component; a component named by two trigger
            // entries on one channel gets each message twice, as in Spin, but still one at a time
            Map<String, List<MessageLane>> lanes = new LinkedHashMap<>();
            server.routes().forEach((channel, componentIds) -> {
                for (String componentId : new LinkedHashSet<>(componentIds)) {
                    long entries = componentIds.stream().filter(componentId::equals).count();
                    MessageLane lane = new MessageLane("spindle-redis-" + componentId + "-" + channel, payload -> {
                        for (long i = 0; i < entries; i++) {
                            deliver(app, componentId, "channel \"" + channel + "\"", payload);
                        }
                    });
                    lanes.computeIfAbsent(channel, c -> new ArrayList<>()).add(lane);
                    allLanes.add(lane);
                }
            });
            MessageSubscriber.Subscription subscriber = transport.subscribe(server.address(), new ArrayList<>(lanes.keySet()),
                    (channel, payload) -> {
                        try {
                            for (MessageLane lane : lanes.getOrDefault(channel, List.of())) {
                                lane.offer(payload);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt(); // shutting down: the subscriber loop ends
                        }
                    }, log);
            subscribers.add(subscriber);
        }
        allLanes.forEach(MessageLane::start);
        subscribers.forEach(MessageSubscriber.Subscription::start);
        return new RedisTriggers(subscribers, allLanes, log, grace);
    }

    /**
     * Resolves every trigger's address and channel, grouped by server (address as resolved).
     *
     * @throws ManifestException (with the trigger's file:line) for a missing or invalid address or empty channel
     */
    static Map<String, Server> routes(SpindleApp app, MessageSubscriber transport) {
        // address string -> (channel -> component ids)
        Map<String, Map<String, List<String>>> byServer = new LinkedHashMap<>();
        for (RedisTrigger trigger : triggers(app)) {
            String address = address(app, trigger, trigger.address(), transport::checkAddress);
            String channel = resolve(app, trigger, trigger.channel(), "channel");
            if (channel.isEmpty()) {
                throw new ManifestException(trigger.location(), "redis trigger \"" + trigger.id() + "\": channel is empty");
            }
            byServer.computeIfAbsent(address, a -> new LinkedHashMap<>())
                    .computeIfAbsent(channel, c -> new ArrayList<>())
                    .add(trigger.componentId().orElseThrow());
        }
        Map<String, Server> servers = new LinkedHashMap<>();
        byServer.forEach((address, routes) -> servers.put(address, new Server(address, routes)));
        return servers;
    }

    /**
     * The Redis connection of the app's Redis capability, so subscribers reach Redis as the guests
     * do (same address parse, TLS trust and timeouts).
     *
     * @throws ManifestException naming the first Redis trigger if the app has no such capability
     */
    static MessageSubscriber transport(SpindleApp app) {
        return app.capability(MessageSubscriber.class).orElseThrow(() -> new ManifestException(triggers(app).get(0).location(),
                "redis triggers need the Redis capability (spindle-host-redis on the class path), which this app was loaded without"));
    }

    /**
     * A redis trigger's address: its own, else the application's, resolved and checked by {@code check}.
     *
     * @throws ManifestException (with the trigger's file:line) when there is none or it is invalid
     */
    static String address(SpindleApp app, TriggerConfig trigger, java.util.Optional<Template> own,
                          java.util.function.Consumer<String> check) {
        Template addressTemplate = own.or(() -> app.manifest().application().redisAddress())
                .orElseThrow(() -> new ManifestException(trigger.location(), "redis trigger \"" + trigger.id()
                        + "\" has no address; set address = \"redis://...\" or [application.trigger.redis] address"));
        String address = resolve(app, trigger, addressTemplate, "address");
        try {
            check.accept(address);
        } catch (RuntimeException e) {
            throw new ManifestException(trigger.location(), "redis trigger \"" + trigger.id() + "\": address: " + e.getMessage());
        }
        return address;
    }

    /** A template of a redis trigger, resolved with the app's variables; failures name the trigger's file:line. */
    static String resolve(SpindleApp app, TriggerConfig trigger, Template template, String what) {
        try {
            return app.variables().resolve(template);
        } catch (ManifestException e) {
            throw e; // already names the file:line of the template
        } catch (RuntimeException e) {
            throw new ManifestException(trigger.location(), "redis trigger \"" + trigger.id() + "\": " + what + ": " + e.getMessage());
        }
    }

    /**
     * Runs one component's handler on one message; failures are logged, never propagated.
     *
     * @param source where the message came from, for the log ({@code channel "events"})
     * @return true when the handler accepted it
     */
    static boolean deliver(SpindleApp app, String componentId, String source, byte[] payload) {
        try {
            if (handleMessage(app, componentId, payload)) {
                return true;
            }
            app.log().warn(componentId, "handle-message on " + source + " returned an error");
        } catch (InvocationException e) {
            app.log().error(componentId, "handle-message on " + source + " failed: " + e.getMessage());
        } catch (RuntimeException e) {
            app.log().error(componentId, "handle-message on " + source + " failed: " + e);
        }
        return false;
    }

    /**
     * Calls the export ({@code fermyon:spin/inbound-redis#handle-message}, or wit-bindgen 0.2's
     * {@code handle-redis-message}) in a fresh instance; true for {@code ok}, and for the legacy
     * {@code err(success)}.
     */
    static boolean handleMessage(SpindleApp app, String componentId, byte[] payload) {
        TriggerExport export = TriggerExport.redis(app, componentId);
        try (io.opentelemetry.context.Scope traced = dev.spindle.host.Tracing.get().trigger("redis")) {
            return app.invoke(componentId, guest -> {
                Result<Void, Integer> result = guest.call(export.redis(), export.options(), payload);
                // err(success): old Spin-era guests report success this way
                return result.isOk() || result.error() == TriggerAbi.REDIS_SUCCESS;
            });
        }
    }

    /** True when every subscriber holds a live subscription (tests wait for this before publishing). */
    public boolean allSubscribed() {
        return subscribers.stream().allMatch(MessageSubscriber.Subscription::subscribed);
    }

    /** Closes the subscribers, then lets queued messages finish within {@code grace}. */
    public void close(Duration grace) {
        lanes.forEach(MessageLane::stopAccepting); // a subscriber blocked on a full lane lets go
        subscribers.forEach(MessageSubscriber.Subscription::close);
        long deadline = System.nanoTime() + grace.toNanos();
        int dropped = 0;
        for (MessageLane lane : lanes) {
            dropped += lane.awaitDrained(deadline);
        }
        if (dropped > 0) {
            log.warn(LOG_ID, "shutdown grace of " + grace.toSeconds() + " s ended with " + dropped
                    + " received message(s) not yet handled; they were dropped");
        }
    }

    /** {@link #close(Duration)} with the grace period the triggers were started with. */
    @Override
    public void close() {
        close(grace);
    }
}
