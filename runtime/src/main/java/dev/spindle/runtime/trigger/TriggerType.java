package dev.spindle.runtime.trigger;

import dev.spindle.manifest.TriggerConfig;
import dev.spindle.runtime.SpindleApp;
import java.util.List;

/**
 * One kind of trigger ({@code [[trigger.<type>]]}): everything Spindle knows about serving it sits
 * behind this interface. {@link SpindleApp#serve} validates every trigger type before it starts
 * any, and {@code spindle check} runs the same validation.
 *
 * <p>The built-in types are {@link #http()}, {@link #redis()}, {@link #cron()} and
 * {@link #command()}; an embedder adds its own through {@code SpindleOptions.Builder.trigger}.
 */
public interface TriggerType {

    /** The manifest's name for the type: the {@code <type>} of {@code [[trigger.<type>]]}. */
    String type();

    /**
     * True for a trigger that runs once and finishes (command): those run, in manifest order,
     * before any serving trigger starts, and their exit codes make the app's.
     */
    default boolean runsToCompletion() {
        return false;
    }

    /**
     * Checks this type's triggers of the app without starting anything or connecting anywhere.
     *
     * @throws dev.spindle.manifest.ManifestException naming the trigger's file:line
     */
    void validate(SpindleApp app);

    /**
     * What {@code run} will do for this type's triggers, one line each, for {@code spindle check}:
     * the component, what kind of binary it is and the export run calls. Validates as
     * {@link #validate} does. The default says only which component each trigger runs.
     */
    default List<String> plan(SpindleApp app) {
        validate(app);
        return triggersOf(app).stream().map(t -> type() + " trigger \"" + t.id() + "\": component \""
                + t.componentId().orElse("(none)") + "\"").toList();
    }

    /**
     * Starts serving this type's triggers of the app (already validated). A trigger that
     * {@link #runsToCompletion() runs to completion} returns once it has finished.
     *
     * @throws RuntimeException if it cannot start (e.g. the listen address is taken); nothing it
     *     started is left running
     */
    RunningTrigger start(SpindleApp app, ServeOptions options);

    /** The manifest's triggers of this type, in manifest order. */
    default List<TriggerConfig> triggersOf(SpindleApp app) {
        return app.manifest().triggers().stream().filter(t -> t.type().equals(type())).toList();
    }

    /** {@code [[trigger.http]]}: routes served by one HTTP server ({@link HttpServerOptions}). */
    static TriggerType http() {
        return new HttpTriggerType();
    }

    /** {@code [[trigger.redis]]}: a component per message on a Redis channel. */
    static TriggerType redis() {
        return new RedisTriggerType();
    }

    /** {@code [[trigger.cron]]}: a WASI command on a schedule. */
    static TriggerType cron() {
        return new CronTriggerType();
    }

    /** {@code [[trigger.command]]}: a WASI command run once ({@link CommandStreams}). */
    static TriggerType command() {
        return new CommandTriggerType();
    }

    /** The built-in types, in the order {@code spindle run} names them. */
    static List<TriggerType> builtIn() {
        return List.of(http(), redis(), cron(), command());
    }
}
