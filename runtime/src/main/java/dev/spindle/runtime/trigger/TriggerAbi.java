package dev.spindle.runtime.trigger;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.BYTES;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.U16;
import static dev.spindle.host.abi.Wit.field;
import static dev.spindle.host.abi.Wit.list;
import static dev.spindle.host.abi.Wit.option;
import static dev.spindle.host.abi.Wit.resultErr;
import static dev.spindle.host.abi.Wit.tuple;

import dev.spindle.host.abi.EnumType;
import dev.spindle.host.abi.GuestExport;
import dev.spindle.host.abi.ListType;
import dev.spindle.host.abi.RecordType;
import dev.spindle.host.abi.Result;
import dev.spindle.host.abi.Wit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The guest exports Spin's triggers call, declared once: {@code fermyon:spin/inbound-http} and
 * {@code fermyon:spin/inbound-redis}, each also under its wit-bindgen 0.2 name (same layouts,
 * {@link TriggerExport}).
 */
public final class TriggerAbi {
    private TriggerAbi() {}

    /** {@code enum method { get, post, put, delete, patch, head, options }}; the Java value is the index. */
    public static final EnumType<Integer> METHOD = Wit.enumIndex("method", "get", "post", "put", "delete", "patch", "head", "options");

    /** {@code type headers = list<tuple<string, string>>} (also {@code params}). */
    public static final ListType<Map.Entry<String, String>> HEADERS = list(tuple(STRING, STRING));

    /** {@code request}: {@code uri} is the path and query as received; the full URL is in the {@code spin-full-url} header. */
    public record Request(int method, String uri, List<Map.Entry<String, String>> headers, List<Map.Entry<String, String>> params,
                          Optional<byte[]> body) {}

    public static final RecordType<Request> REQUEST = Wit.record("request",
            field("method", METHOD, Request::method),
            field("uri", STRING, Request::uri),
            field("headers", HEADERS, Request::headers),
            field("params", HEADERS, Request::params),
            field("body", option(BYTES), Request::body),
            Request::new);

    public record Response(int status, Optional<List<Map.Entry<String, String>>> headers, Optional<byte[]> body) {}

    public static final RecordType<Response> RESPONSE = Wit.record("response",
            field("status", U16, Response::status),
            field("headers", option(HEADERS), Response::headers),
            field("body", option(BYTES), Response::body),
            Response::new);

    /** {@code handle-request: func(req: request) -> response}. */
    public static final GuestExport.Unary<Request, Response> HANDLE_REQUEST =
            GuestExport.of(TriggerExport.HTTP, param("req", REQUEST), RESPONSE);

    public static final GuestExport.Unary<Request, Response> LEGACY_HANDLE_REQUEST = HANDLE_REQUEST.named(TriggerExport.LEGACY_HTTP);

    /** {@code enum error { success, error }} of inbound-redis; old Spin-era guests report success as {@code err(success)}. */
    public static final EnumType<Integer> REDIS_ERROR = Wit.enumIndex("error", "success", "error");

    /** {@code handle-message: func(message: payload) -> result<_, error>}. */
    public static final GuestExport.Unary<byte[], Result<Void, Integer>> HANDLE_MESSAGE =
            GuestExport.of(TriggerExport.REDIS, param("message", BYTES), resultErr(REDIS_ERROR));

    public static final GuestExport.Unary<byte[], Result<Void, Integer>> LEGACY_HANDLE_MESSAGE =
            HANDLE_MESSAGE.named(TriggerExport.LEGACY_REDIS);

    /** The success case of {@link #REDIS_ERROR}. */
    public static final int REDIS_SUCCESS = 0;
}
