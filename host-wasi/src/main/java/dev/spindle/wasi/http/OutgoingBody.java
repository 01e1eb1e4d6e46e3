package dev.spindle.wasi.http;

import dev.spindle.wasi.io.BufferedOutput;
import dev.spindle.wasi.io.ChunkSink;
import dev.spindle.wasi.io.HostOutputStream;
import java.util.List;
import java.util.Optional;

/**
 * wasi:http's {@code outgoing-body}: the body of a response the guest sends back, or of a request
 * it sends out. {@code write} hands out its output-stream once; {@code finish} completes the body
 * (with optional trailers); dropping it without {@code finish} marks the body corrupt, which
 * aborts the response or request, as the WIT says.
 */
public final class OutgoingBody {
    /** Where a finished or abandoned body's end goes. */
    public interface End {
        /** The body is complete; empty result on success, else the error {@code finish} reports. */
        Optional<ErrorCode> finish(Optional<List<Field>> trailers);

        /** The guest dropped the body without finishing it, or trapped. */
        void abort(String reason);
    }

    private final BufferedOutput output;
    private End end;
    private boolean outputTaken;
    private boolean finished;

    /**
     * @param what names the body in messages, e.g. {@code response body}
     * @param limit the most bytes it may hold
     * @param sink where chunks go; null until the response is set ({@link #attach})
     */
    public OutgoingBody(String what, long limit, ChunkSink sink, End end) {
        this.end = end;
        this.output = new BufferedOutput(what, limit, sink) {
            @Override
            protected void onLimit(String message) {
                abort(message);
            }
        };
    }

    /** Connects the body to its destination once the response or request knows where it goes. */
    public synchronized void attach(ChunkSink sink, End end) {
        output.attach(sink);
        this.end = end;
    }

    /** {@code write}: the output-stream, once; empty afterwards. */
    public synchronized Optional<HostOutputStream> takeOutput() {
        if (outputTaken || finished) {
            return Optional.empty();
        }
        outputTaken = true;
        return Optional.of(output);
    }

    /** Bytes written to the body so far. */
    public long bytesWritten() {
        return output.total();
    }

    /**
     * {@code finish}: sends what is buffered and completes the body. The result is what the guest
     * sees ({@code result<_, error-code>} in 0.2.x).
     */
    public synchronized Optional<ErrorCode> finish(Optional<List<Field>> trailers) {
        if (finished) {
            return Optional.of(ErrorCode.internal("outgoing-body already finished"));
        }
        finished = true;
        if (end == null) {
            return Optional.of(ErrorCode.internal("the body's response was never set (response-outparam.set before outgoing-body.finish)"));
        }
        if (!output.drain()) {
            end.abort("the body could not be sent");
            return Optional.of(ErrorCode.of(ErrorCode.Code.CONNECTION_TERMINATED));
        }
        output.close();
        return end.finish(trailers);
    }

    private synchronized void abort(String reason) {
        if (!finished) {
            finished = true;
            if (end != null) {
                end.abort(reason);
            }
        }
    }

    /** {@code [resource-drop]} or the end of the invocation: an unfinished body is corrupt. */
    public void close() {
        abort("the guest dropped the body without outgoing-body.finish");
    }

    public synchronized boolean isFinished() {
        return finished;
    }
}
