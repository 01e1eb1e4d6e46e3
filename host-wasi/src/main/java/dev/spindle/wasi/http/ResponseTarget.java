package dev.spindle.wasi.http;

import dev.spindle.wasi.io.ChunkSink;
import java.util.List;
import java.util.Optional;

/**
 * Where an {@code incoming-handler}'s response goes: the HTTP trigger implements it over its
 * server's response. Calls come from the guest's thread, in this order: {@link #start} (or
 * {@link #fail}) once, then chunks through the returned sink, then {@link #finish} or
 * {@link #abort}.
 */
public interface ResponseTarget {
    /** {@code response-outparam.set(ok(response))}: status and headers; returns where the body goes. */
    ChunkSink start(int status, List<Field> headers);

    /** {@code response-outparam.set(err(code))}. */
    void fail(ErrorCode error);

    /** The body is complete; trailers go after it if the transport supports them. */
    void finish(Optional<List<Field>> trailers);

    /** The body is corrupt (dropped unfinished, over the limit, the guest trapped): cut the response off. */
    void abort(String reason);
}
