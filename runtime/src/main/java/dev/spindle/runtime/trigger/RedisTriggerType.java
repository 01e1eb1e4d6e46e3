package dev.spindle.runtime.trigger;

import dev.spindle.runtime.SpindleApp;

/** {@code [[trigger.redis]]}: one subscriber per Redis server, a fresh instance per message ({@link RedisTriggers}). */
final class RedisTriggerType implements TriggerType {
    @Override
    public String type() {
        return "redis";
    }

    /** Every trigger has an address (its own or the application's) that parses, and a non-empty channel. */
    @Override
    public void validate(SpindleApp app) {
        RedisTriggers.routes(app, RedisTriggers.transport(app));
    }

    @Override
    public RunningTrigger start(SpindleApp app, ServeOptions options) {
        return RedisTriggers.start(app, options.shutdownGrace());
    }
}
