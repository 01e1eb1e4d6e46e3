package dev.spindle.wasi.http;

import dev.spindle.wasi.io.HostInterruptedException;
import dev.spindle.wasi.io.Pollable;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * wasi:http's {@code future-incoming-response}: the response of an outgoing request, once it
 * arrives. {@code get} gives it (or its error) once; the pollable blocks the guest's thread until
 * it is there. {@link #onWait} runs the first time the guest waits, so a handler that defers
 * sending its request (to learn the body's length) starts it at the latest then.
 */
public final class FutureIncomingResponse {
    /** What {@code get} answers once ready. */
    public sealed interface Outcome {
        record Response(IncomingResponse response) implements Outcome {}

        record Failed(ErrorCode error) implements Outcome {}

        record AlreadyTaken() implements Outcome {}
    }

    private final CompletableFuture<Outcome> result;
    private final Runnable onWait;
    private final Runnable onClose;
    private boolean taken;

    public FutureIncomingResponse(CompletableFuture<Outcome> result, Runnable onWait, Runnable onClose) {
        this.result = result;
        this.onWait = onWait;
        this.onClose = onClose;
    }

    /** An already failed request (denied, invalid). */
    public static FutureIncomingResponse failed(ErrorCode error) {
        return new FutureIncomingResponse(CompletableFuture.completedFuture(new Outcome.Failed(error)), () -> {}, () -> {});
    }

    /** Empty while not ready. */
    public synchronized Optional<Outcome> get() {
        if (!result.isDone()) {
            onWait.run();
            if (!result.isDone()) {
                return Optional.empty();
            }
        }
        if (taken) {
            return Optional.of(new Outcome.AlreadyTaken());
        }
        taken = true;
        return Optional.of(result.getNow(new Outcome.Failed(ErrorCode.internal("no outcome"))));
    }

    private final Pollable pollable = new Pollable() {
        @Override
        public boolean ready() {
            return result.isDone();
        }

        @Override
        public void block(long deadlineNanos) {
            onWait.run();
            try {
                if (deadlineNanos == Long.MAX_VALUE) {
                    result.get();
                } else {
                    result.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                throw HostInterruptedException.from(e);
            } catch (ExecutionException | TimeoutException e) {
                // ready (failed) or the deadline passed: either way poll looks again
            }
        }
    };

    public Pollable subscribe() {
        return pollable;
    }

    /** Dropping the future before taking the response cancels the request. */
    public synchronized void close() {
        if (!taken) {
            taken = true;
            result.thenAccept(o -> {
                if (o instanceof Outcome.Response r) {
                    r.response().close();
                }
            });
            onClose.run();
        }
    }
}
