package dev.spindle.runtime.trigger;

import dev.spindle.manifest.RedisTrigger;
import dev.spindle.manifest.hosts.RedisUrl;
import dev.spindle.runtime.SpindleApp;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code [[trigger.redis]]}: channels ({@link RedisTriggers}: one subscriber per Redis server, every
 * message to every subscribed component) and streams ({@link StreamTriggers}: a consumer group,
 * each entry to one replica); a fresh instance per message either way.
 */
final class RedisTriggerType implements TriggerType {
    @Override
    public String type() {
        return "redis";
    }

    /**
     * Every trigger has an address (its own or the application's) that parses, a non-empty
     * channel or stream and group, and a component that exports Spin's Redis handler
     * ({@link TriggerExport#REDIS_EXPORTS}).
     */
    @Override
    public void validate(SpindleApp app) {
        plan(app);
    }

    /**
     * Validates as {@link #validate}, and says per trigger which export run calls; for a stream,
     * also the group, this process's consumer name and the retry settings, resolved.
     */
    @Override
    public List<String> plan(SpindleApp app) {
        List<String> plan = new ArrayList<>();
        if (!RedisTriggers.triggers(app).isEmpty()) {
            RedisTriggers.routes(app, RedisTriggers.transport(app));
        }
        for (RedisTrigger trigger : RedisTriggers.triggers(app)) {
            String id = trigger.componentId().orElseThrow();
            String what = "redis trigger \"" + trigger.id() + "\"";
            plan.add(TriggerExport.plan(app, id, what + " (channel " + trigger.channel().raw() + ")",
                    TriggerExport.require(app, id, TriggerExport.REDIS_EXPORTS, what, trigger.location())));
        }
        if (!StreamTriggers.triggers(app).isEmpty()) {
            for (StreamTriggers.Resolved r : StreamTriggers.resolve(app, StreamTriggers.transport(app))) {
                String what = "redis trigger \"" + r.trigger().id() + "\"";
                String export = TriggerExport.require(app, r.componentId(), TriggerExport.REDIS_EXPORTS, what, r.trigger().location());
                plan.add(TriggerExport.plan(app, r.componentId(), what + " (stream \"" + r.stream() + "\" at "
                        + RedisUrl.parse(r.address()).redacted() + ", group \"" + r.group() + "\", consumer \"" + r.consumer()
                        + "\", field \"" + r.trigger().payloadField() + "\", retried after " + r.trigger().reclaimIdle().toMillis()
                        + " ms idle, dead letters after " + r.trigger().maxDeliveries() + " deliveries to \"" + r.deadLetterStream()
                        + "\")", export));
            }
        }
        return plan;
    }

    @Override
    public RunningTrigger start(SpindleApp app, ServeOptions options) {
        List<RunningTrigger> parts = new ArrayList<>();
        try {
            if (!RedisTriggers.triggers(app).isEmpty()) {
                parts.add(RedisTriggers.start(app, options.shutdownGrace()));
            }
            if (!StreamTriggers.triggers(app).isEmpty()) {
                parts.add(StreamTriggers.start(app, options.shutdownGrace()));
            }
        } catch (RuntimeException e) {
            parts.forEach(RunningTrigger::close);
            throw e;
        }
        return new TriggerGroup(parts);
    }
}
