package dev.spindle.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import dev.spindle.host.HostMemoryBudget;
import dev.spindle.host.HostMemoryExceededException;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.PushConsumerChain;
import redis.clients.jedis.args.Rawable;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.util.RedisInputStream;

/**
 * A Jedis connection that can also run a raw command and read its reply as a {@link Reply}
 * tree, with a byte budget enforced while reading.
 *
 * <p>Jedis does the socket work: connect and TLS with the configured timeouts, AUTH and SELECT
 * from the {@link JedisClientConfig}, the broken-connection bookkeeping. Only the reply parsing of
 * {@link #call} is ours, switched on for that one call; Jedis' own handshake uses its reader.
 */
final class RawConnection extends Connection {

    /** Bytes charged per reply element, the size of a canonical-ABI {@code redis-result}. */
    static final int ELEMENT_COST = 16;

    private ReplyReader reader;
    private final Outgoing outgoing = new Outgoing();

    RawConnection(HostAndPort hostAndPort, JedisClientConfig config) {
        super(hostAndPort, config);
    }

    /**
     * Sends one command and reads its reply. Error replies come back as {@link Reply.Error};
     * I/O failures throw {@link JedisConnectionException} and leave the connection broken.
     *
     * @throws ResultTooLargeException when the reply exceeds {@code maxBytes}; the rest of the
     *     reply is not read, so the connection is marked broken and must be discarded
     */
    Reply call(List<byte[]> command, long maxBytes) {
        sendCommand(outgoing.of(command));
        return read(maxBytes);
    }

    /**
     * Sends several commands in one write, then reads their replies in order (pipelining); the
     * replies share one budget of {@code maxBytes}.
     */
    List<Reply> pipeline(List<List<byte[]>> commands, long maxBytes) {
        for (List<byte[]> command : commands) {
            sendCommand(outgoing.of(command)); // buffered: written when the first reply is read
        }
        List<Reply> replies = new ArrayList<>(commands.size());
        ReplyReader r = new ReplyReader(maxBytes);
        for (int i = 0; i < commands.size(); i++) {
            replies.add(readWith(r));
        }
        return replies;
    }

    /**
     * The command being sent, as Jedis' writer ({@code Protocol.sendCommand}) reads it: its size,
     * then each part's bytes once, in order, written to the connection's buffer before
     * {@code sendCommand} returns (nothing keeps it). One reused object per connection (a
     * connection serves one thread at a time) in place of Jedis' argument lists and a wrapper per
     * part, which cost more than writing the bytes; the same bytes reach the wire.
     */
    private static final class Outgoing extends CommandArguments implements Iterator<Rawable>, Rawable {
        private static final ProtocolCommand UNUSED = () -> new byte[0]; // Jedis' own list, never read
        private List<byte[]> command = List.of();
        private int next;
        private byte[] current;

        Outgoing() {
            super(UNUSED);
        }

        Outgoing of(List<byte[]> command) {
            this.command = command;
            this.next = 0;
            return this;
        }

        @Override
        public int size() {
            return command.size();
        }

        @Override
        public Iterator<Rawable> iterator() {
            next = 0;
            return this;
        }

        @Override
        public boolean hasNext() {
            return next < command.size();
        }

        @Override
        public Rawable next() {
            if (next >= command.size()) {
                throw new java.util.NoSuchElementException();
            }
            current = command.get(next++);
            return this;
        }

        @Override
        public byte[] getRaw() {
            return current;
        }
    }

    private Reply read(long maxBytes) {
        return readWith(new ReplyReader(maxBytes));
    }

    private Reply readWith(ReplyReader r) {
        reader = r;
        try {
            return (Reply) getOne();
        } catch (ResultTooLargeException | HostMemoryExceededException e) {
            setBroken(); // the rest of the reply is unread: the connection cannot be reused
            throw e;
        } finally {
            reader = null;
        }
    }

    @Override
    protected Object protocolRead(RedisInputStream in, PushConsumerChain pushConsumers) {
        ReplyReader r = reader;
        return r == null ? super.protocolRead(in, pushConsumers) : r.read(in);
    }

    /** Closes {@code c} if there is one, ignoring failures (the server may be gone already). */
    static void closeQuietly(RawConnection c) {
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // Best effort.
            }
        }
    }

    /** Thrown when a reply would exceed the byte budget. */
    static final class ResultTooLargeException extends RuntimeException {
        ResultTooLargeException() {
            super(null, null, false, false);
        }
    }

    /**
     * RESP2 (plus the RESP3 scalar types Spin maps) reader charging every element, before it is
     * allocated, to the reply's byte budget and to the calling host call's host-memory account
     * (when the read happens inside one).
     */
    private static final class ReplyReader {
        long budget;
        private final HostMemoryBudget.Account account = HostMemoryBudget.current().orElse(null);

        ReplyReader(long budget) {
            this.budget = budget;
        }

        private void charge(long bytes) {
            if (bytes > budget) {
                throw new ResultTooLargeException();
            }
            budget -= bytes;
            if (account != null) {
                account.charge(bytes, "a redis reply");
            }
        }

        Reply read(RedisInputStream in) {
            byte type = in.readByte();
            switch (type) {
                case '+':
                    return status(in);
                case '-':
                    return new Reply.Error(line(in));
                case ':':
                    charge(ELEMENT_COST);
                    return new Reply.Int(in.readLongCrLf());
                case '$':
                    return bulk(in);
                case '*':
                case '~': // RESP3 set: flattened like an array, as Spin does
                    return array(in);
                case '_': // RESP3 null
                    in.readLineBytes();
                    charge(ELEMENT_COST);
                    return Reply.NIL;
                case '#': // RESP3 boolean: int64 1/0, as Spin does
                    charge(ELEMENT_COST);
                    return new Reply.Int(in.readLineBytes()[0] == 't' ? 1 : 0);
                case ',': // RESP3 double and big number: their text, as Spin does
                case '(': {
                    byte[] text = in.readLineBytes();
                    charge(ELEMENT_COST + (long) text.length);
                    return new Reply.Bulk(text);
                }
                default:
                    // Maps, attributes, pushes, verbatim strings: not representable (Spin refuses
                    // them too). We cannot skip an unknown frame safely, so the connection goes.
                    throw new JedisConnectionException(
                            "unsupported Redis reply type '" + (char) type + "'");
            }
        }

        private Reply status(RedisInputStream in) {
            byte[] line = in.readLineBytes();
            if (line.length == 2 && line[0] == 'O' && line[1] == 'K') {
                charge(ELEMENT_COST + 2L);
                return Reply.OK; // the common status: one shared value
            }
            String s = new String(line, StandardCharsets.UTF_8);
            charge(ELEMENT_COST + (long) s.length());
            return new Reply.Status(s);
        }

        private static String line(RedisInputStream in) {
            return new String(in.readLineBytes(), StandardCharsets.UTF_8);
        }

        private Reply bulk(RedisInputStream in) {
            long len = in.readLongCrLf();
            if (len < 0) {
                charge(ELEMENT_COST);
                return Reply.NIL;
            }
            charge(ELEMENT_COST + len);
            if (len > Integer.MAX_VALUE - 8) {
                throw new ResultTooLargeException();
            }
            byte[] data = new byte[(int) len];
            int off = 0;
            while (off < data.length) {
                int n = in.read(data, off, data.length - off);
                if (n < 0) {
                    throw new JedisConnectionException("the server closed the connection");
                }
                off += n;
            }
            in.readByte();
            in.readByte();
            return new Reply.Bulk(data);
        }

        private Reply array(RedisInputStream in) {
            long count = in.readLongCrLf();
            if (count < 0) {
                charge(ELEMENT_COST);
                return Reply.NIL;
            }
            // Every element costs at least ELEMENT_COST, so a huge count fails before allocating.
            if (count > budget / ELEMENT_COST) {
                throw new ResultTooLargeException();
            }
            // Sized by what has arrived, not by the count the server announced: elements are charged as read.
            List<Reply> items = new ArrayList<>((int) Math.min(count, 1024));
            for (long i = 0; i < count; i++) {
                items.add(read(in));
            }
            return new Reply.Array(items);
        }
    }
}
