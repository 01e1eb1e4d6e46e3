package dev.spindle.wasi.http;

import dev.spindle.host.GuestTrapException;
import dev.spindle.wasi.io.HostInputStream;
import dev.spindle.wasi.io.Pollable;
import dev.spindle.wasi.io.StreamException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * wasi:http's {@code incoming-body}: the body of an incoming request (from the HTTP trigger) or
 * of an incoming response (from an outbound request). Its {@code stream} is handed out once; it
 * is a child, so {@code finish} while the stream is still alive traps, as the WIT says.
 */
public final class IncomingBody {
    private final Stream stream;
    private final Supplier<Optional<List<Field>>> trailers;
    private boolean streamTaken;
    private boolean finished;

    /**
     * @param source the body's bytes
     * @param trailers the trailers, asked once the source reported its end; empty when it had none
     */
    public IncomingBody(HostInputStream source, Supplier<Optional<List<Field>>> trailers) {
        this.stream = new Stream(source);
        this.trailers = trailers;
    }

    /** {@code stream}: the body's input-stream, once; empty on a second call. */
    public synchronized Optional<HostInputStream> takeStream() {
        if (streamTaken || finished) {
            return Optional.empty();
        }
        streamTaken = true;
        return Optional.of(stream);
    }

    /** {@code finish}: traps while the stream lives; the future resolves once the body's end is read. */
    public synchronized FutureTrailers finish() {
        if (streamTaken && !stream.closed) {
            throw new GuestTrapException("incoming-body.finish while its input-stream is still alive (drop the stream first)");
        }
        finished = true;
        return new FutureTrailers(this);
    }

    /** Releases the body ({@code [resource-drop]} or the end of the invocation). */
    public void close() {
        stream.source.close();
    }

    /** Reads (and discards) what the guest left unread, so the trailers after it arrive. */
    boolean drained(boolean wait) {
        while (true) {
            byte[] b;
            try {
                b = wait ? stream.source.blockingRead(HostInputStream.MAX_READ) : stream.source.read(HostInputStream.MAX_READ);
            } catch (StreamException e) {
                return true; // the end, or an error: either way no more bytes will come
            }
            if (b.length == 0) {
                return false;
            }
        }
    }

    Optional<List<Field>> trailers() {
        return trailers.get();
    }

    /** The stream handed to the guest: the source, remembering whether the guest dropped it. */
    private static final class Stream extends HostInputStream {
        final HostInputStream source;
        volatile boolean closed;

        Stream(HostInputStream source) {
            this.source = source;
        }

        @Override
        public byte[] read(int max) throws StreamException {
            return source.read(max);
        }

        @Override
        public byte[] blockingRead(int max) throws StreamException {
            return source.blockingRead(max);
        }

        @Override
        public Pollable subscribe() {
            return source.subscribe();
        }

        @Override
        public void close() {
            closed = true; // the body still owns the source: finish reads what is left
        }
    }
}
