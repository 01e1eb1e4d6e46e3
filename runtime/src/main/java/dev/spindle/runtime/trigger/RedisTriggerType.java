package dev.spindle.runtime.trigger;

import dev.spindle.manifest.RedisTrigger;
import dev.spindle.runtime.SpindleApp;

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
        RedisTriggers.routes(app, RedisTriggers.transport(app));
        for (RedisTrigger trigger : RedisTriggers.triggers(app)) {
            TriggerExport.require(app, trigger.componentId().orElseThrow(), TriggerExport.REDIS_EXPORTS,
                    "redis trigger \"" + trigger.id() + "\"", trigger.location());
        }
    }

    @Override
    public RunningTrigger start(SpindleApp app, ServeOptions options) {
        return RedisTriggers.start(app, options.shutdownGrace());
    }
}
