package dev.spindle.runtime.trigger;

import dev.spindle.runtime.SpindleApp;

/** {@code [[trigger.http]]}: every route on one {@link HttpTriggerServer}. */
final class HttpTriggerType implements TriggerType {
    @Override
    public String type() {
        return "http";
    }

    /** Every trigger has a route (or is private), none is served twice, all sit under the base. */
    @Override
    public void validate(SpindleApp app) {
        Router.build(HttpTriggerServer.triggers(app), app.manifest().application().httpBase());
    }

    @Override
    public RunningTrigger start(SpindleApp app, ServeOptions options) {
        HttpServerOptions http = options.option(HttpServerOptions.class).orElseGet(HttpServerOptions::defaults)
                .withShutdownGrace(options.shutdownGrace());
        return HttpTriggerServer.start(app, http);
    }
}
