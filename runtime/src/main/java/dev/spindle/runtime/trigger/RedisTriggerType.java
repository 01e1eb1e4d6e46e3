package dev.spindle.runtime.trigger;

import dev.spindle.manifest.RedisTrigger;
import dev.spindle.runtime.SpindleApp;
import java.util.ArrayList;
import java.util.List;

/** {@code [[trigger.redis]]}: one subscriber per Redis server, a fresh instance per message ({@link RedisTriggers}). */
final class RedisTriggerType implements TriggerType {
    @Override
    public String type() {
        return "redis";
    }

    /**
     * Every trigger has an address (its own or the application's) that parses, a non-empty
     * channel, and a component that exports Spin's Redis handler ({@link TriggerExport#REDIS_EXPORTS}).
     */
    @Override
    public void validate(SpindleApp app) {
        plan(app);
    }

    /** Validates as {@link #validate}, and says per trigger which export run calls. */
    @Override
    public List<String> plan(SpindleApp app) {
        RedisTriggers.routes(app, RedisTriggers.transport(app));
        List<String> plan = new ArrayList<>();
        for (RedisTrigger trigger : RedisTriggers.triggers(app)) {
            String id = trigger.componentId().orElseThrow();
            String what = "redis trigger \"" + trigger.id() + "\"";
            plan.add(TriggerExport.plan(app, id, what + " (channel " + trigger.channel().raw() + ")",
                    TriggerExport.require(app, id, TriggerExport.REDIS_EXPORTS, what, trigger.location())));
        }
        return plan;
    }

    @Override
    public RunningTrigger start(SpindleApp app, ServeOptions options) {
        return RedisTriggers.start(app, options.shutdownGrace());
    }
}
