package dev.spindle.wasi.http;

import static dev.spindle.host.abi.Wit.BYTES;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.U16;
import static dev.spindle.host.abi.Wit.U32;
import static dev.spindle.host.abi.Wit.U64;
import static dev.spindle.host.abi.Wit.U8;
import static dev.spindle.host.abi.Wit.field;
import static dev.spindle.host.abi.Wit.list;
import static dev.spindle.host.abi.Wit.option;
import static dev.spindle.host.abi.Wit.record;
import static dev.spindle.host.abi.Wit.tuple;

import dev.spindle.host.abi.EnumType;
import dev.spindle.host.abi.ListType;
import dev.spindle.host.abi.RecordType;
import dev.spindle.host.abi.ResourceType;
import dev.spindle.host.abi.VariantType;
import dev.spindle.host.abi.Wit;
import dev.spindle.host.abi.WitType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The WIT types and resources of {@code wasi:http/types}, shared by every version's declarations
 * ({@link WasiHttp}). One {@link ResourceType} per resource serves all versions: a guest imports
 * one version, and the host representation is the same.
 */
public final class HttpTypes {
    private HttpTypes() {}

    public static final ResourceType<Fields> FIELDS = ResourceType.of("fields", Fields.class, f -> {});
    public static final ResourceType<IncomingRequest> INCOMING_REQUEST =
            ResourceType.of("incoming-request", IncomingRequest.class, IncomingRequest::close);
    public static final ResourceType<OutgoingRequest> OUTGOING_REQUEST =
            ResourceType.of("outgoing-request", OutgoingRequest.class, r -> {});
    public static final ResourceType<RequestOptions> REQUEST_OPTIONS =
            ResourceType.of("request-options", RequestOptions.class, o -> {});
    public static final ResourceType<ResponseOutparam> RESPONSE_OUTPARAM =
            ResourceType.of("response-outparam", ResponseOutparam.class, o -> {});
    public static final ResourceType<IncomingResponse> INCOMING_RESPONSE =
            ResourceType.of("incoming-response", IncomingResponse.class, IncomingResponse::close);
    public static final ResourceType<IncomingBody> INCOMING_BODY =
            ResourceType.of("incoming-body", IncomingBody.class, IncomingBody::close);
    public static final ResourceType<FutureTrailers> FUTURE_TRAILERS =
            ResourceType.of("future-trailers", FutureTrailers.class, FutureTrailers::close);
    public static final ResourceType<OutgoingResponse> OUTGOING_RESPONSE =
            ResourceType.of("outgoing-response", OutgoingResponse.class, r -> {});
    public static final ResourceType<OutgoingBody> OUTGOING_BODY =
            ResourceType.of("outgoing-body", OutgoingBody.class, OutgoingBody::close);
    public static final ResourceType<FutureIncomingResponse> FUTURE_INCOMING_RESPONSE =
            ResourceType.of("future-incoming-response", FutureIncomingResponse.class, FutureIncomingResponse::close);

    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    /** {@code variant method { get, head, ..., patch, other(string) }} as the upper-case method name. */
    public static final VariantType<String> METHOD = methodType();

    private static VariantType<String> methodType() {
        List<VariantType.Case<String, ?>> cases = new ArrayList<>();
        for (String m : METHODS) {
            cases.add(new VariantType.Case<String, Void>(m.toLowerCase(Locale.ROOT), null, m::equals, v -> m, v -> null));
        }
        cases.add(new VariantType.Case<String, String>("other", STRING, v -> !METHODS.contains(v), s -> s, s -> s));
        return Wit.variant("method", cases);
    }

    /** {@code variant scheme { HTTP, HTTPS, other(string) }} as {@code http}, {@code https} or the other name. */
    public static final VariantType<String> SCHEME = Wit.variant("scheme",
            new VariantType.Case<String, Void>("HTTP", null, "http"::equals, v -> "http", v -> null),
            new VariantType.Case<String, Void>("HTTPS", null, "https"::equals, v -> "https", v -> null),
            new VariantType.Case<String, String>("other", STRING, v -> !"http".equals(v) && !"https".equals(v), s -> s, s -> s));

    public static final EnumType<HeaderError> HEADER_ERROR = Wit.enumOf("header-error", HeaderError.class);

    /** {@code tuple<field-key, field-value>}. */
    public static final RecordType<Map.Entry<String, byte[]>> FIELD = tuple(STRING, BYTES);
    public static final ListType<Map.Entry<String, byte[]>> FIELD_LIST = list(FIELD);
    public static final ListType<byte[]> VALUES = list(BYTES);

    static List<Field> fields(List<Map.Entry<String, byte[]>> entries) {
        List<Field> out = new ArrayList<>(entries.size());
        for (Map.Entry<String, byte[]> e : entries) {
            out.add(new Field(e.getKey(), e.getValue()));
        }
        return out;
    }

    static List<Map.Entry<String, byte[]>> entries(List<Field> fields) {
        List<Map.Entry<String, byte[]>> out = new ArrayList<>(fields.size());
        for (Field f : fields) {
            out.add(Map.entry(f.name(), f.value()));
        }
        return out;
    }

    // ---- error-code (0.2.x) ----

    static final RecordType<ErrorCode.DnsError> DNS_ERROR_PAYLOAD = record("DNS-error-payload",
            field("rcode", option(STRING), ErrorCode.DnsError::rcode),
            field("info-code", option(U16), ErrorCode.DnsError::infoCode),
            ErrorCode.DnsError::new);
    static final RecordType<ErrorCode.TlsAlert> TLS_ALERT_PAYLOAD = record("TLS-alert-received-payload",
            field("alert-id", option(U8), ErrorCode.TlsAlert::alertId),
            field("alert-message", option(STRING), ErrorCode.TlsAlert::alertMessage),
            ErrorCode.TlsAlert::new);
    static final RecordType<ErrorCode.FieldSize> FIELD_SIZE_PAYLOAD = record("field-size-payload",
            field("field-name", option(STRING), ErrorCode.FieldSize::fieldName),
            field("field-size", option(U32), ErrorCode.FieldSize::fieldSize),
            ErrorCode.FieldSize::new);

    /** The payload type of each {@code error-code} case, null for cases without one. */
    private static WitType<?> payloadOf(ErrorCode.Code c) {
        switch (c) {
            case DNS_ERROR:
                return DNS_ERROR_PAYLOAD;
            case TLS_ALERT_RECEIVED:
                return TLS_ALERT_PAYLOAD;
            case HTTP_REQUEST_BODY_SIZE:
            case HTTP_RESPONSE_BODY_SIZE:
                return option(U64);
            case HTTP_REQUEST_HEADER_SECTION_SIZE:
            case HTTP_REQUEST_TRAILER_SECTION_SIZE:
            case HTTP_RESPONSE_HEADER_SECTION_SIZE:
            case HTTP_RESPONSE_TRAILER_SECTION_SIZE:
                return option(U32);
            case HTTP_REQUEST_HEADER_SIZE:
                return option(FIELD_SIZE_PAYLOAD);
            case HTTP_REQUEST_TRAILER_SIZE:
            case HTTP_RESPONSE_HEADER_SIZE:
            case HTTP_RESPONSE_TRAILER_SIZE:
                return FIELD_SIZE_PAYLOAD;
            case HTTP_RESPONSE_TRANSFER_CODING:
            case HTTP_RESPONSE_CONTENT_CODING:
            case INTERNAL_ERROR:
                return option(STRING);
            default:
                return null;
        }
    }

    /** wasi:http@0.2.x's {@code error-code}: 39 cases in WIT order. */
    public static final VariantType<ErrorCode> ERROR_CODE = errorCodeType();

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static VariantType<ErrorCode> errorCodeType() {
        List<VariantType.Case<ErrorCode, ?>> cases = new ArrayList<>();
        for (ErrorCode.Code c : ErrorCode.Code.values()) {
            WitType payload = payloadOf(c);
            cases.add(new VariantType.Case<ErrorCode, Object>(c.label(), payload,
                    v -> ((ErrorCode) v).code() == c,
                    p -> new ErrorCode(c, p),
                    e -> payload == null ? null : defaultPayload(e, payload)));
        }
        return Wit.variant("error-code", cases);
    }

    /** The payload to lower; an error made without one (e.g. {@code ErrorCode.of(INTERNAL_ERROR)}) gets the empty value. */
    private static Object defaultPayload(ErrorCode e, WitType<?> payload) {
        if (e.payload() != null) {
            return e.payload();
        }
        if (payload == DNS_ERROR_PAYLOAD) {
            return new ErrorCode.DnsError(Optional.empty(), Optional.empty());
        }
        if (payload == TLS_ALERT_PAYLOAD) {
            return new ErrorCode.TlsAlert(Optional.empty(), Optional.empty());
        }
        if (payload == FIELD_SIZE_PAYLOAD) {
            return new ErrorCode.FieldSize(Optional.empty(), Optional.empty());
        }
        return Optional.empty();
    }

    // ---- error (rc-2023-10-18) ----

    private static final List<String> RC_ERRORS = List.of("invalid-url", "timeout-error", "protocol-error", "unexpected-error");

    /**
     * rc-2023-10-18's {@code variant error { invalid-url(string), timeout-error(string),
     * protocol-error(string), unexpected-error(string) }}, mapped to and from {@link ErrorCode}:
     * lowering picks {@link ErrorCode#rcCase()} with {@link ErrorCode#message()}; a guest's error
     * lifts to {@code internal-error("<case>: <message>")}.
     */
    public static final VariantType<ErrorCode> RC_ERROR = rcErrorType();

    private static VariantType<ErrorCode> rcErrorType() {
        List<VariantType.Case<ErrorCode, ?>> cases = new ArrayList<>();
        for (int i = 0; i < RC_ERRORS.size(); i++) {
            int index = i;
            String label = RC_ERRORS.get(i);
            cases.add(new VariantType.Case<ErrorCode, String>(label, STRING,
                    v -> ((ErrorCode) v).rcCase() == index,
                    s -> ErrorCode.internal(label + ": " + s),
                    ErrorCode::message));
        }
        return Wit.variant("error", cases);
    }
}
