package dev.spindle.host;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Consumer-group access to the streams of a message server: the transport of the engine's
 * streams trigger ({@code [[trigger.redis]]} with {@code stream} and {@code group}), implemented
 * by the Redis capability so the trigger connects as the guests do (same address parse, TLS
 * trust), and the engine names no Redis client. What the operations mean is Redis's
 * ({@code XREADGROUP}, {@code XAUTOCLAIM}, {@code XACK}); see {@code docs/scale-out.md}.
 */
public interface MessageStreams {

    /**
     * Checks an address as {@link #consumer} reads it, without connecting.
     *
     * @throws IllegalArgumentException one line saying what is wrong, credentials hidden
     */
    void checkAddress(String address);

    /**
     * Consumer {@code consumer} of group {@code group} on {@code stream} at {@code address}; it
     * connects on first use and again after a failure.
     *
     * @throws IllegalArgumentException as {@link #checkAddress}
     */
    StreamConsumer consumer(String address, String stream, String group, String consumer);

    /**
     * One stream entry as delivered to this consumer.
     *
     * @param id the entry id ({@code 1700000000000-0})
     * @param fields the entry's fields in order (a field written twice keeps its last value)
     * @param deliveries how many times the group has delivered it, this delivery included
     */
    record StreamEntry(String id, Map<String, byte[]> fields, long deliveries) {
        public StreamEntry {
            Objects.requireNonNull(id, "id");
            fields = Map.copyOf(fields);
        }
    }

    /**
     * One consumer's connection; its calls are serialized (the consumer's thread, and a timer that
     * {@link #touch}es the entry in flight). Every operation throws a
     * {@link RuntimeException} with a one-line message (credentials hidden) when the server is
     * unreachable or refuses it; the connection is then dropped and the next call reconnects.
     */
    interface StreamConsumer extends AutoCloseable {
        /** Creates the group, reading from the stream's first entry (and the stream, if missing), unless it exists. */
        void ensureGroup();

        /** Up to {@code count} entries never delivered to the group, waiting up to {@code block} for one; empty if none came. */
        List<StreamEntry> readNew(int count, Duration block);

        /**
         * Up to {@code count} entries pending (delivered, not acknowledged) for at least
         * {@code minIdle} with any consumer of the group, now this consumer's; their delivery
         * counts include this claim.
         */
        List<StreamEntry> claimIdle(Duration minIdle, int count);

        /**
         * Marks an entry this consumer is handling as just delivered again (its idle time back to
         * zero, its delivery count unchanged), so no other consumer's {@link #claimIdle} takes it
         * while the handler still runs.
         */
        void touch(String id);

        /** Acknowledges an entry: the group is done with it. */
        void ack(String id);

        /**
         * Adds the entry, its fields followed by where it came from and why, to
         * {@code deadLetterStream} and acknowledges it, in one transaction.
         */
        void deadLetter(StreamEntry entry, String deadLetterStream, String reason);

        /**
         * Gives entries this consumer holds but will not handle (it is stopping) back to the
         * group at once: they are marked idle for {@code idle}, so another consumer's next
         * {@link #claimIdle} takes them without waiting.
         */
        void release(List<String> ids, Duration idle);

        /** Disconnects. Idempotent; never throws. */
        @Override
        void close();
    }
}
