package dev.spindle.runtime.trigger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * Where an {@link HttpGuestExecutor} writes its response: {@link #head} once, then any number of
 * {@link #write}s, then {@link #end} (or {@link #abort}). Header names keep the case the guest gave
 * them on HTTP/1.1 (HTTP/2 lower-cases them, as the protocol requires). {@code content-length},
 * {@code transfer-encoding} and {@code connection} from the guest are ignored: the server frames the
 * body itself (content-length when the whole body is known at {@link #end}, chunked otherwise).
 * Not thread-safe: one executor thread drives it.
 */
public interface ResponseSink {
    /**
     * Sets status and headers; nothing is sent yet (a buffering executor's whole response goes out
     * in one write at {@link #end}).
     *
     * @throws IllegalArgumentException for a status outside 100..999 or a header name or value that
     *         cannot be sent (not a token, CR/LF/NUL); nothing is committed then
     */
    void head(int status, List<Map.Entry<String, String>> headers);

    /**
     * Sends one body chunk and blocks until the transport has taken it (flow control: at most one
     * chunk is in flight, whatever the guest produces). Commits the head first.
     *
     * @throws IOException if the client went away or the write deadline passed
     */
    void write(ByteBuffer chunk) throws IOException;

    /** Sends the last bytes (may be empty) and completes the response without waiting for the client. */
    void end(ByteBuffer last);

    /**
     * {@link #end(ByteBuffer)} with trailers after the body: sent where the protocol carries them
     * (a chunked HTTP/1.1 body, HTTP/2); a transport without them drops them.
     */
    default void end(ByteBuffer last, List<Map.Entry<String, String>> trailers) {
        end(last);
    }

    /** Ends the exchange abnormally: a 500 if nothing was committed, else a reset/closed connection. */
    void abort(Throwable cause);

    /** Whether status and headers have gone out (a later failure can no longer change the status). */
    boolean committed();
}
