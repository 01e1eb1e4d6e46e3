package dev.spindle.redis;

import dev.spindle.host.MessageStreams;
import dev.spindle.manifest.hosts.RedisUrl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Supplier;
import java.util.Map;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

/**
 * One member of a Redis consumer group, on a connection of its own (a blocking
 * {@code XREADGROUP} must not hold a pooled connection a guest could use). Replies are read by
 * {@link RawConnection}, so payloads stay bytes and a reply is capped at {@link #MAX_REPLY_BYTES}.
 */
final class RedisStreamConsumer implements MessageStreams.StreamConsumer {
    /** Largest reply read at once (a batch of entries); larger ends the call with an error. */
    static final long MAX_REPLY_BYTES = 64L << 20;
    /** Connect timeout, and what the socket timeout adds to a blocking read's own wait. */
    static final int TIMEOUT_MS = 2000;

    private final RedisUrl url;
    private final byte[] stream;
    private final byte[] group;
    private final byte[] consumer;
    private final String streamName;
    private final String groupName;
    private final RedisClientSettings settings;
    private final Supplier<HostAndPort> server;
    private final Runnable onLoss;
    private RawConnection connection;
    private int connectionSocketTimeout = -1;

    /**
     * @param server where to dial, asked at every (re)connect: the address itself, or for a declared
     *     Cluster the node serving the stream's slot, for a Sentinel group its current master
     * @param onLoss called when the connection broke or the server said the stream is elsewhere
     *     ({@code MOVED}, {@code READONLY}), so the next connect asks the seeds or sentinels again
     */
    RedisStreamConsumer(RedisUrl url, String stream, String group, String consumer, RedisClientSettings settings,
            Supplier<HostAndPort> server, Runnable onLoss) {
        this.url = url;
        this.server = server;
        this.onLoss = onLoss;
        this.streamName = stream;
        this.groupName = group;
        this.stream = bytes(stream);
        this.group = bytes(group);
        this.consumer = bytes(consumer);
        this.settings = settings;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Reply r) {
        if (r instanceof Reply.Bulk b) {
            return new String(b.bytes(), StandardCharsets.UTF_8);
        }
        if (r instanceof Reply.Status s) {
            return s.text();
        }
        throw new IllegalStateException("unexpected reply " + r);
    }

    @Override
    public synchronized void ensureGroup() {
        Reply r = call(0, "XGROUP", bytes("CREATE"), stream, group, bytes("0"), bytes("MKSTREAM"));
        if (r instanceof Reply.Error e && !e.message().startsWith("BUSYGROUP")) {
            throw failure("XGROUP CREATE", e);
        }
    }

    @Override
    public synchronized List<MessageStreams.StreamEntry> readNew(int count, Duration block) {
        Reply r = call((int) block.toMillis(), "XREADGROUP", bytes("GROUP"), group, consumer,
                bytes("COUNT"), bytes(Integer.toString(count)), bytes("BLOCK"), bytes(Long.toString(block.toMillis())),
                bytes("STREAMS"), stream, bytes(">"));
        if (r instanceof Reply.Error e) {
            throw failure("XREADGROUP", e);
        }
        List<MessageStreams.StreamEntry> out = new ArrayList<>();
        if (r instanceof Reply.Array streams) {
            for (Reply s : streams.items()) {
                Reply entries = ((Reply.Array) s).items().get(1);
                for (Reply entry : ((Reply.Array) entries).items()) {
                    entry(entry, 1).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /** An entry of a reply ({@code [id, [field, value, ...]]}); empty for one deleted since (Redis 6.2 answers nil). */
    private static java.util.Optional<MessageStreams.StreamEntry> entry(Reply entry, long deliveries) {
        if (!(entry instanceof Reply.Array pair) || !(pair.items().get(1) instanceof Reply.Array fv)) {
            return java.util.Optional.empty();
        }
        Map<String, byte[]> fields = new LinkedHashMap<>();
        List<Reply> items = fv.items();
        for (int i = 0; i + 1 < items.size(); i += 2) {
            fields.put(text(items.get(i)), ((Reply.Bulk) items.get(i + 1)).bytes());
        }
        return java.util.Optional.of(new MessageStreams.StreamEntry(text(pair.items().get(0)), fields, deliveries));
    }

    @Override
    public synchronized List<MessageStreams.StreamEntry> claimIdle(Duration minIdle, int count) {
        Reply r = call(0, "XAUTOCLAIM", stream, group, consumer, bytes(Long.toString(minIdle.toMillis())), bytes("0-0"),
                bytes("COUNT"), bytes(Integer.toString(count)));
        if (r instanceof Reply.Error e) {
            throw failure("XAUTOCLAIM", e);
        }
        List<MessageStreams.StreamEntry> claimed = new ArrayList<>();
        for (Reply entry : ((Reply.Array) ((Reply.Array) r).items().get(1)).items()) {
            entry(entry, 0).ifPresent(claimed::add);
        }
        if (claimed.isEmpty()) {
            return claimed;
        }
        // XAUTOCLAIM does not say how often each was delivered; XPENDING over the claimed range does.
        Reply p = call(0, "XPENDING", stream, group, bytes(claimed.get(0).id()), bytes(claimed.get(claimed.size() - 1).id()),
                bytes(Integer.toString(claimed.size())), consumer);
        if (p instanceof Reply.Error e) {
            throw failure("XPENDING", e);
        }
        Map<String, Long> deliveries = new LinkedHashMap<>();
        for (Reply row : ((Reply.Array) p).items()) {
            List<Reply> cols = ((Reply.Array) row).items();
            deliveries.put(text(cols.get(0)), ((Reply.Int) cols.get(3)).value());
        }
        List<MessageStreams.StreamEntry> out = new ArrayList<>();
        for (MessageStreams.StreamEntry e : claimed) {
            Long n = deliveries.get(e.id());
            if (n != null) { // else another consumer claimed it in between: it is theirs now
                out.add(new MessageStreams.StreamEntry(e.id(), e.fields(), n));
            }
        }
        return out;
    }

    @Override
    public synchronized void touch(String id) {
        Reply r = call(0, "XCLAIM", stream, group, consumer, bytes("0"), bytes(id), bytes("JUSTID"));
        if (r instanceof Reply.Error e) {
            throw failure("XCLAIM", e);
        }
    }

    @Override
    public synchronized void ack(String id) {
        Reply r = call(0, "XACK", stream, group, bytes(id));
        if (r instanceof Reply.Error e) {
            throw failure("XACK", e);
        }
    }

    @Override
    public synchronized void deadLetter(MessageStreams.StreamEntry entry, String deadLetterStream, String reason) {
        List<byte[]> xadd = new ArrayList<>(List.of(bytes("XADD"), bytes(deadLetterStream), bytes("*")));
        entry.fields().forEach((f, v) -> {
            xadd.add(bytes(f));
            xadd.add(v);
        });
        xadd.addAll(List.of(bytes("dead-letter:stream"), stream, bytes("dead-letter:id"), bytes(entry.id()),
                bytes("dead-letter:group"), group, bytes("dead-letter:deliveries"), bytes(Long.toString(entry.deliveries())),
                bytes("dead-letter:reason"), bytes(reason)));
        List<Reply> replies = pipeline(List.of(List.of(bytes("MULTI")), xadd, List.of(bytes("XACK"), stream, group, bytes(entry.id())),
                List.of(bytes("EXEC"))));
        Reply exec = replies.get(replies.size() - 1);
        if (exec instanceof Reply.Error e) {
            throw failure("dead-letter transaction", e);
        }
        for (Reply r : ((Reply.Array) exec).items()) {
            if (r instanceof Reply.Error e) {
                throw failure("dead-letter transaction", e);
            }
        }
    }

    @Override
    public synchronized void release(List<String> ids, Duration idle) {
        if (ids.isEmpty()) {
            return;
        }
        List<byte[]> cmd = new ArrayList<>(List.of(bytes("XCLAIM"), stream, group, consumer, bytes("0")));
        ids.forEach(id -> cmd.add(bytes(id)));
        cmd.addAll(List.of(bytes("IDLE"), bytes(Long.toString(idle.toMillis())), bytes("JUSTID")));
        Reply r = call(0, cmd);
        if (r instanceof Reply.Error e) {
            throw failure("XCLAIM", e);
        }
    }

    private Reply call(int blockMs, String name, byte[]... args) {
        List<byte[]> cmd = new ArrayList<>(args.length + 1);
        cmd.add(bytes(name));
        cmd.addAll(List.of(args));
        return call(blockMs, cmd);
    }

    private Reply call(int blockMs, List<byte[]> cmd) {
        RawConnection c = connection(blockMs + TIMEOUT_MS);
        try {
            return elsewhere(c.call(cmd, MAX_REPLY_BYTES));
        } catch (RuntimeException e) {
            lost();
            throw new IllegalStateException(describe(e), e);
        }
    }

    private List<Reply> pipeline(List<List<byte[]>> cmds) {
        RawConnection c = connection(TIMEOUT_MS);
        try {
            List<Reply> replies = c.pipeline(cmds, MAX_REPLY_BYTES);
            replies.forEach(this::elsewhere);
            return replies;
        } catch (RuntimeException e) {
            lost();
            throw new IllegalStateException(describe(e), e);
        }
    }

    /**
     * A reply saying the stream lives on another server (a Cluster slot moved, a Sentinel
     * failover demoted ours) drops the connection and what routing learnt; the caller still sees
     * the error, and the next call dials where the seeds or sentinels now point.
     */
    private Reply elsewhere(Reply reply) {
        if (reply instanceof Reply.Error e && (e.message().startsWith("MOVED") || e.message().startsWith("ASK")
                || e.message().startsWith("READONLY"))) {
            lost();
        }
        return reply;
    }

    private void lost() {
        close();
        onLoss.run();
    }

    /** The connection, (re)opened with a socket timeout of at least {@code socketTimeoutMs}. */
    private RawConnection connection(int socketTimeoutMs) {
        if (connection != null && (connection.isBroken() || connectionSocketTimeout < socketTimeoutMs)) {
            close();
        }
        if (connection == null) {
            // Blocking reads set the longest timeout; the connection keeps it for the short calls too.
            int timeout = Math.max(socketTimeoutMs, connectionSocketTimeout);
            JedisClientConfig config = settings.hostSide(url, TIMEOUT_MS, timeout);
            try {
                connection = new RawConnection(server.get(), config);
                connectionSocketTimeout = timeout;
            } catch (RuntimeException e) {
                throw new IllegalStateException(describe(e), e);
            }
        }
        return connection;
    }

    private IllegalStateException failure(String what, Reply.Error e) {
        return new IllegalStateException(what + " on stream \"" + streamName + "\" group \"" + groupName + "\" at "
                + url.redacted() + ": " + e.message());
    }

    private String describe(Throwable e) {
        return url.redacted() + ": " + RedisClientSettings.describe(e, url);
    }

    @Override
    public synchronized void close() {
        RawConnection c = connection;
        connection = null;
        RawConnection.closeQuietly(c);
    }
}
