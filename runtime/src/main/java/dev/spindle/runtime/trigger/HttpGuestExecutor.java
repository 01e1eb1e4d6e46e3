package dev.spindle.runtime.trigger;

import java.io.IOException;

/**
 * The seam between the HTTP server and the code that runs a guest for one routed request.
 *
 * <p>The server owns the connection, HTTP/1.1 or HTTP/2 framing, TLS, the read deadline, the
 * body cap, and the bound on concurrent work ({@link HttpServerOptions#workers()} +
 * {@link HttpServerOptions#queue()}, else 503). An executor owns the guest: it reads the request
 * from {@link IncomingRequest}, and answers through {@link ResponseSink}, status and headers first,
 * then the body.
 *
 * <p>Two kinds, chosen by {@link #buffersBody()}:
 * <ul>
 *   <li><b>Buffering</b> (Spin's {@code inbound-http}, WAGI): the server reads the whole body, up to
 *       the cap (413 beyond), without holding a worker: a slow client costs a connection, never a
 *       worker. Only then is a worker slot taken and {@link #serve} called, with
 *       {@link IncomingRequest#bodyBytes()} complete. The executor answers with
 *       {@link ResponseSink#head} and {@link ResponseSink#end}, which does not wait for the client to
 *       take the bytes.</li>
 *   <li><b>Streaming</b> (for {@code wasi:http/incoming-handler}): {@link #serve} is called on a worker
 *       as soon as the headers are in; {@link IncomingRequest#bodyStream()} delivers the body as the
 *       client sends it (blocking reads; the cap is enforced by the stream), and
 *       {@link ResponseSink#write} blocks until the transport has taken the previous chunk, so a
 *       slow client slows the guest instead of filling memory. The executor caps the response size
 *       it lets a guest produce (stop writing, then {@link ResponseSink#abort}).</li>
 * </ul>
 * {@link #serve} runs on a server thread holding a worker slot; the read deadline is paused while it
 * runs and the invocation timeout governs it; exceptions it throws become a 500 if nothing was
 * committed yet, else the response is aborted.
 */
public interface HttpGuestExecutor {
    /** Whether the server reads the whole body before {@link #serve} is called. */
    boolean buffersBody();

    /** Serves one request; see the class comment for threads, body and flow control. */
    void serve(IncomingRequest request, ResponseSink response) throws IOException;
}
