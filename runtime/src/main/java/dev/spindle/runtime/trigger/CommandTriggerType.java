package dev.spindle.runtime.trigger;

import dev.spindle.manifest.TriggerConfig;
import dev.spindle.runtime.InvocationException;
import dev.spindle.runtime.SpindleApp;
import java.util.List;
import java.io.ByteArrayInputStream;

/**
 * {@code [[trigger.command]]}: each component's {@code _start} once, in manifest order, with the
 * output passed through ({@link CommandStreams}). The exit code is the first non-zero one: a
 * guest's {@code proc_exit(n)}, or {@value #EXIT_FAILED} for a run that trapped or timed out.
 */
final class CommandTriggerType implements TriggerType {
    /** A run that failed (trap, timeout, no {@code _start}), as {@code spindle run} exits for any failed run. */
    static final int EXIT_FAILED = 1;

    @Override
    public String type() {
        return "command";
    }

    @Override
    public boolean runsToCompletion() {
        return true;
    }

    /** Every component is a WASI command (exports {@code _start}, or {@code wasi:cli/run} for a component), so a run cannot fail for want of one. */
    @Override
    public void validate(SpindleApp app) {
        plan(app);
    }

    /** Validates as {@link #validate}, and says per trigger which export run calls. */
    @Override
    public List<String> plan(SpindleApp app) {
        List<String> plan = new java.util.ArrayList<>();
        for (TriggerConfig trigger : triggersOf(app)) {
            // A core module's _start; a Component Model binary's wasi:cli/run (the preview 1 command adapter's)
            String id = trigger.componentId().orElseThrow();
            String what = "command trigger \"" + trigger.id() + "\"";
            plan.add(TriggerExport.plan(app, id, what, TriggerExport.require(app, id,
                    List.of(app.isComponentModel(id) ? "wasi:cli/run#run" : "_start"), what, trigger.location())));
        }
        return plan;
    }

    @Override
    public RunningTrigger start(SpindleApp app, ServeOptions options) {
        CommandStreams streams = options.option(CommandStreams.class).orElseGet(CommandStreams::system);
        int exit = 0;
        for (TriggerConfig trigger : triggersOf(app)) {
            String componentId = trigger.componentId().orElseThrow();
            int code;
            try (io.opentelemetry.context.Scope traced = dev.spindle.host.Tracing.get().trigger("command")) {
                code = app.runCommand(componentId, new ByteArrayInputStream(new byte[0]), streams.stdout(), streams.stderr());
            } catch (InvocationException e) {
                streams.stderr().println("error: " + e.getMessage());
                code = EXIT_FAILED;
            }
            if (code != 0 && exit == 0) {
                exit = code;
            }
        }
        return new Finished(exit);
    }

    /** The commands have run; nothing is left to stop. */
    private record Finished(int exitCode) implements RunningTrigger {
        @Override
        public void close() {}
    }
}
