package dev.spindle.runtime.trigger;

import dev.spindle.manifest.HttpExecutor;
import dev.spindle.manifest.HttpTrigger;
import dev.spindle.runtime.SpindleApp;
import java.util.List;

/** {@code [[trigger.http]]}: every route on one {@link HttpTriggerServer}. */
final class HttpTriggerType implements TriggerType {
    @Override
    public String type() {
        return "http";
    }

    /**
     * Every trigger has a route (or is private), none is served twice, all sit under the base, and
     * each component exports what its executor calls: Spin's HTTP handler (either generation's
     * name, {@link TriggerExport#HTTP_EXPORTS}) or, for WAGI, its entrypoint.
     */
    @Override
    public void validate(SpindleApp app) {
        Router.build(HttpTriggerServer.triggers(app), app.manifest().application().httpBase());
        for (HttpTrigger trigger : HttpTriggerServer.triggers(app)) {
            if (trigger.componentId().isEmpty()) {
                continue; // a static response
            }
            String what = "http trigger \"" + trigger.id() + "\"";
            if (!(trigger.executor() instanceof HttpExecutor.Wagi)
                    && WasiHttpExecutor.forComponent(app, trigger.componentId().get()).isPresent()) {
                continue; // a wasi:http handler
            }
            List<String> wanted = trigger.executor() instanceof HttpExecutor.Wagi wagi
                    ? List.of(wagi.entrypoint()) : WasiHttpExecutor.ACCEPTED_EXPORTS;
            TriggerExport.require(app, trigger.componentId().get(), wanted, what, trigger.location());
        }
    }

    @Override
    public RunningTrigger start(SpindleApp app, ServeOptions options) {
        HttpServerOptions http = options.option(HttpServerOptions.class).orElseGet(HttpServerOptions::defaults)
                .withShutdownGrace(options.shutdownGrace());
        return HttpTriggerServer.start(app, http);
    }
}
