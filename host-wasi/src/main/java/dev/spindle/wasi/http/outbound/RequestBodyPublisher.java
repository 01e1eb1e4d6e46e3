package dev.spindle.wasi.http.outbound;

import dev.spindle.wasi.io.HostInterruptedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Flow;

/**
 * An outbound request body the guest is still writing, as the JDK client's body publisher: the
 * guest's flushed chunks queue here (at most {@link #MAX_QUEUED}; {@link #offer} blocks beyond,
 * which is the back-pressure of a slow server on the guest) and go out as the client asks.
 */
final class RequestBodyPublisher implements Flow.Publisher<ByteBuffer> {
    static final int MAX_QUEUED = 4;

    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private Flow.Subscriber<? super ByteBuffer> subscriber;
    private long demand;
    private boolean completed;
    private boolean done;
    private Throwable failure;
    private boolean cancelled;
    /** One thread delivers at a time (signals to a subscriber must be serial); others leave a note. */
    private boolean delivering;
    private boolean again;

    @Override
    public synchronized void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
        if (subscriber != null) {
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            s.onError(new IllegalStateException("the request body can be sent once"));
            return;
        }
        subscriber = s;
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                synchronized (RequestBodyPublisher.this) {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
                deliver();
            }

            @Override
            public void cancel() {
                synchronized (RequestBodyPublisher.this) {
                    cancelled = true;
                    queue.clear();
                    RequestBodyPublisher.this.notifyAll();
                }
            }
        });
        deliver();
    }

    /** Queues a chunk, waiting while {@link #MAX_QUEUED} are pending. */
    void offer(ByteBuffer chunk) throws IOException {
        synchronized (this) {
            while (queue.size() >= MAX_QUEUED && !cancelled) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    throw HostInterruptedException.from(e);
                }
            }
            if (cancelled) {
                throw new IOException("the server stopped reading the request body");
            }
            queue.add(chunk);
        }
        deliver();
    }

    /** The guest finished the body. */
    void complete() {
        synchronized (this) {
            completed = true;
        }
        deliver();
    }

    /** The guest abandoned the body: the request fails. */
    void fail(Throwable t) {
        synchronized (this) {
            failure = t;
            queue.clear();
        }
        deliver();
    }

    /** Hands queued chunks to the subscriber as far as its demand goes; signals the end once. Never holds the lock while calling out. */
    private void deliver() {
        synchronized (this) {
            if (delivering) {
                again = true;
                return;
            }
            delivering = true;
        }
        boolean clean = false;
        try {
            while (true) {
                deliverSerially();
                synchronized (this) {
                    if (!again) {
                        delivering = false;
                        clean = true;
                        return;
                    }
                    again = false;
                }
            }
        } finally {
            if (!clean) {
                synchronized (this) {
                    delivering = false;
                }
            }
        }
    }

    private void deliverSerially() {
        while (true) {
            Flow.Subscriber<? super ByteBuffer> s;
            ByteBuffer next = null;
            boolean finish = false;
            Throwable error = null;
            synchronized (this) {
                s = subscriber;
                if (s == null || done || cancelled) {
                    return;
                }
                if (failure != null) {
                    done = true;
                    error = failure;
                } else if (demand > 0 && !queue.isEmpty()) {
                    demand--;
                    next = queue.poll();
                    notifyAll();
                } else if (queue.isEmpty() && completed) {
                    done = true;
                    finish = true;
                } else {
                    return;
                }
            }
            if (error != null) {
                s.onError(error);
                return;
            }
            if (finish) {
                s.onComplete();
                return;
            }
            s.onNext(next);
        }
    }
}
