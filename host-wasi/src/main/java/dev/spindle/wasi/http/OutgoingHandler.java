package dev.spindle.wasi.http;

import dev.spindle.host.abi.Result;
import java.util.Optional;

/**
 * The host side of {@code wasi:http/outgoing-handler.handle}, bound to one component (its
 * allowed_outbound_hosts, its limits). Called on the guest's thread.
 */
@FunctionalInterface
public interface OutgoingHandler {
    /**
     * Checks and starts the request (the guest may still be writing its body). A request refused
     * before any connection (not allowed, invalid) is an {@code err}.
     */
    Result<FutureIncomingResponse, ErrorCode> handle(OutgoingRequest request, Optional<RequestOptions> options);

    /** Refuses every request: for hosts without outbound HTTP. */
    OutgoingHandler DENY_ALL = (request, options) -> Result.err(ErrorCode.of(ErrorCode.Code.HTTP_REQUEST_DENIED));
}
