package dev.spindle.manifest;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code [[trigger.redis]]} with {@code stream} and {@code group} instead of {@code channel}: the
 * component handles the stream's entries as one consumer of a Redis consumer group, so N replicas
 * of the app share the entries, each handled by one of them (Spindle's own extension; see
 * {@code docs/scale-out.md}).
 *
 * @param stream the stream key (template)
 * @param group the consumer group (template); created at the start of the stream if missing
 * @param consumer this replica's consumer name (template); empty: {@code <host name>-<pid>}
 * @param address falls back to {@link Application#redisAddress()}, as for a channel trigger
 * @param payloadField the entry field handed to the guest as the message; default {@value #DEFAULT_PAYLOAD_FIELD}
 * @param maxDeliveries deliveries after which a failing entry goes to the dead-letter stream
 * @param reclaimIdle how long an entry stays pending (unacknowledged) before another consumer reclaims it
 * @param deadLetterStream where entries that failed {@code maxDeliveries} times go (template); empty: {@code <stream>:dead-letter}
 */
public record RedisStreamTrigger(String id, Optional<String> componentId, Template stream, Template group,
                                 Optional<Template> consumer, Optional<Template> address, String payloadField,
                                 int maxDeliveries, Duration reclaimIdle, Optional<Template> deadLetterStream,
                                 Location location) implements TriggerConfig {
    public static final String DEFAULT_PAYLOAD_FIELD = "payload";
    public static final int DEFAULT_MAX_DELIVERIES = 5;
    /** How long an entry of a dead replica (or a failed one) waits to be taken over; live handlers keep theirs alive. */
    public static final Duration DEFAULT_RECLAIM_IDLE = Duration.ofSeconds(60);
    /** Appended to the stream key when no {@code dead_letter_stream} is given. */
    public static final String DEAD_LETTER_SUFFIX = ":dead-letter";

    public RedisStreamTrigger {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(componentId, "componentId");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(payloadField, "payloadField");
        Objects.requireNonNull(reclaimIdle, "reclaimIdle");
        Objects.requireNonNull(deadLetterStream, "deadLetterStream");
        Objects.requireNonNull(location, "location");
        if (maxDeliveries < 1) {
            throw new IllegalArgumentException("maxDeliveries must be at least 1, got " + maxDeliveries);
        }
    }

    @Override
    public String type() {
        return "redis";
    }
}
