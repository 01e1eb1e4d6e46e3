package dev.spindle.wasi.http;

import dev.spindle.host.GuestTrapException;
import java.util.List;
import java.util.Optional;

/**
 * wasi:http's {@code response-outparam}: set once by the guest with its response (or an error).
 * Setting it hands status and headers to the {@link ResponseTarget} and connects the response's
 * body, so bytes the guest flushes from then on stream out.
 */
public final class ResponseOutparam {
    private final ResponseTarget target;
    private boolean set;

    public ResponseOutparam(ResponseTarget target) {
        this.target = target;
    }

    /** Whether the guest has set the response (a guest that never does gets a 500 from the host). */
    public synchronized boolean isSet() {
        return set;
    }

    public synchronized void setResponse(OutgoingResponse response) {
        markSet();
        List<Field> headers = response.headers().entries();
        var sink = target.start(response.status(), headers);
        OutgoingBody.End end = new OutgoingBody.End() {
            @Override
            public Optional<ErrorCode> finish(Optional<List<Field>> trailers) {
                target.finish(trailers);
                return Optional.empty();
            }

            @Override
            public void abort(String reason) {
                target.abort(reason);
            }
        };
        Optional<OutgoingBody> body = response.body();
        if (body.isPresent()) {
            body.get().attach(sink, end);
        } else if (!response.bodyTaken()) {
            // The guest set a response without ever asking for its body: an empty body.
            target.finish(Optional.empty());
        }
    }

    public synchronized void setError(ErrorCode error) {
        markSet();
        target.fail(error);
    }

    private void markSet() {
        if (set) {
            throw new GuestTrapException("response-outparam.set called twice");
        }
        set = true;
    }
}
