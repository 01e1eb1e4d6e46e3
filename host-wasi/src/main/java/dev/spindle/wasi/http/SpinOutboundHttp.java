package dev.spindle.wasi.http;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.BYTES;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.U16;
import static dev.spindle.host.abi.Wit.field;
import static dev.spindle.host.abi.Wit.list;
import static dev.spindle.host.abi.Wit.option;
import static dev.spindle.host.abi.Wit.record;
import static dev.spindle.host.abi.Wit.result;
import static dev.spindle.host.abi.Wit.tuple;

import dev.spindle.host.abi.AbiOptions;
import dev.spindle.host.abi.EnumType;
import dev.spindle.host.abi.ListType;
import dev.spindle.host.abi.RecordType;
import dev.spindle.host.abi.Result;
import dev.spindle.host.abi.Wit;
import dev.spindle.host.abi.WitInterface;
import dev.spindle.wasi.http.outbound.ComponentOutbound;
import dev.spindle.wasi.http.outbound.ComponentOutbound.LegacyError;
import dev.spindle.wasi.http.outbound.ComponentOutbound.LegacyResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Spin's outbound HTTP interfaces from before wasi:http, both over one blocking implementation
 * ({@link ComponentOutbound#send}):
 * <ul>
 *   <li>{@code wasi-outbound-http.request} (Spin 0.x/1.x, wit-bindgen 0.2: allocator
 *       {@code canonical_abi_realloc}; the JS SDK 0.x guests import it);</li>
 *   <li>unversioned {@code fermyon:spin/http.send-request} (Rust SDK 1.4/1.5, JS SDK 1.x).</li>
 * </ul>
 * Both take the same {@code request} record and return {@code result<response, http-error>}.
 * The deprecated {@code params} field is ignored, as in Spin.
 */
public final class SpinOutboundHttp {
    private SpinOutboundHttp() {}

    /** {@code enum method { get, post, put, delete, patch, head, options }}; the constant's name is the HTTP method. */
    enum Method { GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS }

    static final EnumType<Method> METHOD = Wit.enumOf("method", Method.class);

    static final ListType<Map.Entry<String, String>> PAIRS = list(tuple(STRING, STRING));

    /** What a guest sends. */
    record Request(Method method, String uri, List<Map.Entry<String, String>> headers, List<Map.Entry<String, String>> params,
                   Optional<byte[]> body) {}

    static final RecordType<Request> REQUEST = record("request",
            field("method", METHOD, Request::method),
            field("uri", STRING, Request::uri),
            field("headers", PAIRS, Request::headers),
            field("params", PAIRS, Request::params),
            field("body", option(BYTES), Request::body),
            Request::new);

    static final RecordType<LegacyResponse> RESPONSE = record("response",
            field("status", U16, LegacyResponse::status),
            field("headers", option(PAIRS), r -> Optional.of(r.headers())),
            field("body", option(BYTES), r -> Optional.of(r.body())),
            (status, headers, body) -> new LegacyResponse(status, headers.orElse(List.of()), body.orElse(new byte[0])));

    static final EnumType<LegacyError> HTTP_ERROR = Wit.enumOf("http-error", LegacyError.class);

    private static Result<LegacyResponse, LegacyError> send(ComponentOutbound outbound, Request r) {
        return outbound.send(r.method().name(), r.uri(), r.headers(), r.body());
    }

    /** {@code wasi-outbound-http} (wit-bindgen 0.2 conventions). */
    public static final WitInterface<ComponentOutbound> LEGACY = WitInterface.<ComponentOutbound>builder("wasi-outbound-http",
                    AbiOptions.WIT_BINDGEN_0_2)
            .func("request", param("req", REQUEST), result(RESPONSE, HTTP_ERROR), SpinOutboundHttp::send)
            .build();

    /** Unversioned {@code fermyon:spin/http}. */
    public static final WitInterface<ComponentOutbound> UNVERSIONED = WitInterface.<ComponentOutbound>builder("fermyon:spin/http")
            .func("send-request", param("req", REQUEST), result(RESPONSE, HTTP_ERROR), SpinOutboundHttp::send)
            .build();
}
