package dev.spindle.runtime.trigger;

import dev.spindle.manifest.HttpExecutor;
import dev.spindle.manifest.HttpTrigger;
import dev.spindle.runtime.SpindleApp;
import java.util.ArrayList;
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
        plan(app);
    }

    /** Validates as {@link #validate}, and says per trigger which export run calls. */
    @Override
    public List<String> plan(SpindleApp app) {
        Router.build(HttpTriggerServer.triggers(app), app.manifest().application().httpBase());
        List<String> plan = new ArrayList<>();
        for (HttpTrigger trigger : HttpTriggerServer.triggers(app)) {
            String what = "http trigger \"" + trigger.id() + "\"";
            String shown = what + trigger.route().map(r -> " (route " + r.display() + ")").orElse("");
            if (trigger.componentId().isEmpty()) {
                plan.add(shown + ": a static response");
                continue;
            }
            String id = trigger.componentId().get();
            String export;
            if (trigger.executor() instanceof HttpExecutor.Wagi wagi) {
                export = TriggerExport.require(app, id, List.of(wagi.entrypoint()), what, trigger.location());
                shown += ", WAGI";
            } else if (WasiHttpExecutor.forComponent(app, id).isPresent()) {
                export = WasiHttpExecutor.exportOf(app, id); // a wasi:http handler
            } else {
                export = TriggerExport.require(app, id, WasiHttpExecutor.ACCEPTED_EXPORTS, what, trigger.location());
            }
            plan.add(TriggerExport.plan(app, id, shown, export));
        }
        return plan;
    }

    @Override
    public RunningTrigger start(SpindleApp app, ServeOptions options) {
        HttpServerOptions http = options.option(HttpServerOptions.class).orElseGet(HttpServerOptions::defaults)
                .withShutdownGrace(options.shutdownGrace());
        return HttpTriggerServer.start(app, http);
    }
}
