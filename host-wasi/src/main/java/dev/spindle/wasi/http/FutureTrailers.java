package dev.spindle.wasi.http;

import dev.spindle.wasi.io.Pollable;
import java.util.List;
import java.util.Optional;

/**
 * wasi:http's {@code future-trailers}: ready once the body's end has been read (the host reads
 * and discards what the guest left unread). {@code get} gives the trailers once.
 */
public final class FutureTrailers {
    /** What {@code get} answers once ready. */
    public sealed interface Outcome {
        /** The trailers (empty: the body had none). */
        record Trailers(Optional<Fields> trailers) implements Outcome {}

        /** The body failed; its error. */
        record Failed(ErrorCode error) implements Outcome {}

        /** {@code get} was already answered: the outer result's error. */
        record AlreadyTaken() implements Outcome {}
    }

    private final IncomingBody body;
    private boolean done;
    private boolean taken;

    FutureTrailers(IncomingBody body) {
        this.body = body;
    }

    /** Empty while not ready. */
    public synchronized Optional<Outcome> get() {
        if (!done) {
            done = body.drained(false);
            if (!done) {
                return Optional.empty();
            }
        }
        if (taken) {
            return Optional.of(new Outcome.AlreadyTaken());
        }
        taken = true;
        Optional<List<Field>> trailers = body.trailers();
        return Optional.of(new Outcome.Trailers(trailers.map(Fields::immutable)));
    }

    private final Pollable pollable = new Pollable() {
        @Override
        public boolean ready() {
            synchronized (FutureTrailers.this) {
                if (!done) {
                    done = body.drained(false);
                }
                return done;
            }
        }

        @Override
        public void block(long deadlineNanos) {
            synchronized (FutureTrailers.this) {
                if (!done) {
                    done = body.drained(true);
                }
            }
        }
    };

    public Pollable subscribe() {
        return pollable;
    }

    public void close() {
        body.close();
    }
}
