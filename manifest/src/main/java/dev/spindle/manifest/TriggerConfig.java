package dev.spindle.manifest;

import java.util.Optional;

/**
 * One {@code [[trigger.<type>]]} entry (v2) or the trigger of one v1 component.
 *
 * <p>{@link #componentId()} is present for every redis, command and cron trigger (checked at load);
 * it is empty only for an HTTP trigger with {@code static_response} and for plugin triggers that
 * name no component. Inline components have already been given ids (see {@code docs/manifest.md}).
 */
public sealed interface TriggerConfig permits HttpTrigger, RedisTrigger, RedisStreamTrigger, CommandTrigger, CronTrigger, OtherTrigger {
    /** The trigger id: as written, or assigned the way Spin normalizes ids. */
    String id();

    /** The trigger type as written ({@code http}, {@code redis}, ...). */
    String type();

    Optional<String> componentId();

    Location location();
}
