package dev.spindle.wasi.http;

import static dev.spindle.host.abi.Param.param;
import static dev.spindle.host.abi.Wit.BOOL;
import static dev.spindle.host.abi.Wit.BYTES;
import static dev.spindle.host.abi.Wit.STRING;
import static dev.spindle.host.abi.Wit.U16;
import static dev.spindle.host.abi.Wit.U32;
import static dev.spindle.host.abi.Wit.U64;
import static dev.spindle.host.abi.Wit.borrow;
import static dev.spindle.host.abi.Wit.field;
import static dev.spindle.host.abi.Wit.option;
import static dev.spindle.host.abi.Wit.own;
import static dev.spindle.host.abi.Wit.record;
import static dev.spindle.host.abi.Wit.result;
import static dev.spindle.host.abi.Wit.resultErr;
import static dev.spindle.host.abi.Wit.resultOk;
import static dev.spindle.wasi.http.HttpTypes.ERROR_CODE;
import static dev.spindle.wasi.http.HttpTypes.FIELDS;
import static dev.spindle.wasi.http.HttpTypes.FIELD_LIST;
import static dev.spindle.wasi.http.HttpTypes.FUTURE_INCOMING_RESPONSE;
import static dev.spindle.wasi.http.HttpTypes.FUTURE_TRAILERS;
import static dev.spindle.wasi.http.HttpTypes.HEADER_ERROR;
import static dev.spindle.wasi.http.HttpTypes.INCOMING_BODY;
import static dev.spindle.wasi.http.HttpTypes.INCOMING_REQUEST;
import static dev.spindle.wasi.http.HttpTypes.INCOMING_RESPONSE;
import static dev.spindle.wasi.http.HttpTypes.METHOD;
import static dev.spindle.wasi.http.HttpTypes.OUTGOING_BODY;
import static dev.spindle.wasi.http.HttpTypes.OUTGOING_REQUEST;
import static dev.spindle.wasi.http.HttpTypes.OUTGOING_RESPONSE;
import static dev.spindle.wasi.http.HttpTypes.RC_ERROR;
import static dev.spindle.wasi.http.HttpTypes.REQUEST_OPTIONS;
import static dev.spindle.wasi.http.HttpTypes.RESPONSE_OUTPARAM;
import static dev.spindle.wasi.http.HttpTypes.SCHEME;
import static dev.spindle.wasi.http.HttpTypes.VALUES;

import dev.spindle.host.GuestTrapException;
import dev.spindle.host.abi.GuestExport;
import dev.spindle.host.abi.RecordType;
import dev.spindle.host.abi.Result;
import dev.spindle.host.abi.WitInterface;
import dev.spindle.host.abi.WitType;
import dev.spindle.wasi.WasiVersion;
import dev.spindle.wasi.io.WasiIo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code wasi:http/types} and {@code wasi:http/outgoing-handler} declared from their WIT, one set
 * per {@link WasiVersion}, plus the guest export {@code wasi:http/incoming-handler#handle} the HTTP
 * trigger calls.
 *
 * <p>Where the versions differ (0.2.0 against the two release candidates):
 * <ul>
 *   <li>rc-2023-10-18: {@code fields} is built from its entries and its mutators return nothing;
 *       {@code outgoing-request} has one constructor taking everything; {@code outgoing-response}
 *       takes its status and borrows its headers, and {@code write} gives the body;
 *       {@code outgoing-body.finish} returns nothing; {@code request-options} is a record of
 *       millisecond timeouts; the error type is a four-case {@code error};
 *       {@code future-trailers.get} is {@code option<result<own<trailers>, error>>}.</li>
 *   <li>rc-2023-11-10: as 0.2.0, but no {@code fields.has}, {@code set-*-timeout-ms} names, and
 *       {@code future-trailers.get} without the outer "already taken" result.</li>
 * </ul>
 */
public final class WasiHttp {
    private WasiHttp() {}

    /** {@code wasi:http/incoming-handler@<version>#handle(request, response-out)}. */
    public static GuestExport.Binary<IncomingRequest, ResponseOutparam, Void> incomingHandler(WasiVersion version) {
        return incomingHandlerNamed(version.module("wasi:http/incoming-handler") + "#handle");
    }

    /**
     * The handler under another export name with the same signature: a guest built against a later
     * 0.2.x ({@code wasi:http/incoming-handler@0.2.3#handle}), whose WIT is 0.2.0's.
     */
    public static GuestExport.Binary<IncomingRequest, ResponseOutparam, Void> incomingHandlerNamed(String exportName) {
        return GuestExport.of(exportName, param("request", own(INCOMING_REQUEST)), param("response-out", own(RESPONSE_OUTPARAM)),
                null);
    }

    /** Every wasi:http interface the guest imports, for {@code version}. */
    public static List<WitInterface<HttpState>> interfaces(WasiVersion version) {
        return List.of(version == WasiVersion.RC_2023_10_18 ? typesRc1018() : types(version), outgoingHandler(version));
    }

    // ---- shared pieces ----

    private static final WitType<Optional<String>> OPT_STRING = option(STRING);

    private static Fields headersFrom(List<Map.Entry<String, byte[]>> entries, boolean allowForbidden) throws HeaderError.Failure {
        return Fields.fromList(HttpTypes.fields(entries), allowForbidden);
    }

    private static <T> Result<T, HeaderError> headerOp(HeaderOp<T> op) {
        try {
            return Result.ok(op.run());
        } catch (HeaderError.Failure e) {
            return Result.err(e.error());
        }
    }

    @FunctionalInterface
    private interface HeaderOp<T> {
        T run() throws HeaderError.Failure;
    }

    private static <T> Result<T, Void> once(Optional<T> value) {
        return value.isPresent() ? Result.ok(value.get()) : Result.err();
    }

    private static Result<Void, Void> ok(boolean success) {
        return success ? Result.ok() : Result.err();
    }

    // ---- 0.2.0 and rc-2023-11-10 ----

    private static WitInterface<HttpState> types(WasiVersion version) {
        boolean rc1110 = version == WasiVersion.RC_2023_11_10;
        WitInterface.Builder<HttpState> b = WitInterface.<HttpState>builder(version.module("wasi:http/types"));
        b.resource(FIELDS).resource(INCOMING_REQUEST).resource(OUTGOING_REQUEST).resource(REQUEST_OPTIONS)
                .resource(RESPONSE_OUTPARAM).resource(INCOMING_RESPONSE).resource(INCOMING_BODY).resource(FUTURE_TRAILERS)
                .resource(OUTGOING_RESPONSE).resource(OUTGOING_BODY).resource(FUTURE_INCOMING_RESPONSE);

        b.func("http-error-code", param("err", borrow(WasiIo.ERROR)), option(ERROR_CODE),
                (s, e) -> e.detail() instanceof ErrorCode code ? Optional.of(code) : Optional.empty());

        // fields
        var fields = param("self", borrow(FIELDS));
        var name = param("name", STRING);
        var headerResult = resultErr(HEADER_ERROR);
        b.func("[constructor]fields", own(FIELDS), s -> Fields.empty());
        b.func("[static]fields.from-list", param("entries", FIELD_LIST), result(own(FIELDS), HEADER_ERROR),
                (s, entries) -> headerOp(() -> headersFrom(entries, false)));
        b.func("[method]fields.get", fields, name, VALUES, (s, f, n) -> f.get(n));
        if (!rc1110) {
            b.func("[method]fields.has", fields, name, BOOL, (s, f, n) -> f.has(n));
        }
        b.func("[method]fields.set", fields, name, param("value", VALUES), headerResult,
                (s, f, n, v) -> headerOp(() -> {
                    f.set(n, v);
                    return null;
                }));
        b.func("[method]fields.delete", fields, name, headerResult, (s, f, n) -> headerOp(() -> {
            f.delete(n);
            return null;
        }));
        b.func("[method]fields.append", fields, name, param("value", BYTES), headerResult,
                (s, f, n, v) -> headerOp(() -> {
                    f.append(n, v);
                    return null;
                }));
        b.func("[method]fields.entries", fields, FIELD_LIST, (s, f) -> HttpTypes.entries(f.entries()));
        b.func("[method]fields.clone", fields, own(FIELDS), (s, f) -> f.copy());

        incomingSide(b);

        // outgoing-request
        var outReq = param("self", borrow(OUTGOING_REQUEST));
        b.func("[constructor]outgoing-request", param("headers", own(FIELDS)), own(OUTGOING_REQUEST),
                (s, h) -> new OutgoingRequest(h));
        b.func("[method]outgoing-request.body", outReq, resultOk(own(OUTGOING_BODY)),
                (s, r) -> once(r.takeBody(s.requestBodyLimit())));
        b.func("[method]outgoing-request.method", outReq, METHOD, (s, r) -> r.method());
        b.func("[method]outgoing-request.set-method", outReq, param("method", METHOD), result(),
                (s, r, m) -> ok(r.setMethod(m)));
        b.func("[method]outgoing-request.path-with-query", outReq, OPT_STRING, (s, r) -> r.pathWithQuery());
        b.func("[method]outgoing-request.set-path-with-query", outReq, param("path-with-query", OPT_STRING),
                result(), (s, r, p) -> ok(r.setPathWithQuery(p)));
        b.func("[method]outgoing-request.scheme", outReq, option(SCHEME), (s, r) -> r.scheme());
        b.func("[method]outgoing-request.set-scheme", outReq, param("scheme", option(SCHEME)), result(),
                (s, r, sc) -> ok(r.setScheme(sc)));
        b.func("[method]outgoing-request.authority", outReq, OPT_STRING, (s, r) -> r.authority());
        b.func("[method]outgoing-request.set-authority", outReq, param("authority", OPT_STRING),
                result(), (s, r, a) -> ok(r.setAuthority(a)));
        b.func("[method]outgoing-request.headers", outReq, own(FIELDS), (s, r) -> r.headers());

        // request-options (durations are nanoseconds)
        var opts = param("self", borrow(REQUEST_OPTIONS));
        String suffix = rc1110 ? "-timeout-ms" : "-timeout";
        var duration = option(U64);
        b.func("[constructor]request-options", own(REQUEST_OPTIONS), s -> new RequestOptions());
        b.func("[method]request-options.connect" + suffix, opts, duration, (s, o) -> nanos(o.connectTimeout()));
        b.func("[method]request-options.set-connect" + suffix, opts, param("duration", duration), result(),
                (s, o, d) -> {
                    o.setConnectTimeout(duration(d));
                    return Result.ok();
                });
        b.func("[method]request-options.first-byte" + suffix, opts, duration, (s, o) -> nanos(o.firstByteTimeout()));
        b.func("[method]request-options.set-first-byte" + suffix, opts, param("duration", duration),
                result(), (s, o, d) -> {
                    o.setFirstByteTimeout(duration(d));
                    return Result.ok();
                });
        b.func("[method]request-options.between-bytes" + suffix, opts, duration, (s, o) -> nanos(o.betweenBytesTimeout()));
        b.func("[method]request-options.set-between-bytes" + suffix, opts, param("duration", duration),
                result(), (s, o, d) -> {
                    o.setBetweenBytesTimeout(duration(d));
                    return Result.ok();
                });

        // response-outparam
        b.action("[static]response-outparam.set", param("param", own(RESPONSE_OUTPARAM)),
                param("response", result(own(OUTGOING_RESPONSE), ERROR_CODE)), (s, out, response) -> setResponse(out, response));

        var ft = param("self", borrow(FUTURE_TRAILERS));
        WitType<Optional<Fields>> trailers = option(own(FIELDS));
        if (rc1110) {
            b.func("[method]future-trailers.get", ft, option(result(trailers, ERROR_CODE)), (s, f) -> f.get().map(o -> {
                if (o instanceof FutureTrailers.Outcome.Trailers t) {
                    return Result.<Optional<Fields>, ErrorCode>ok(t.trailers());
                }
                if (o instanceof FutureTrailers.Outcome.Failed fl) {
                    return Result.<Optional<Fields>, ErrorCode>err(fl.error());
                }
                throw new GuestTrapException("future-trailers.get called again after it returned the trailers");
            }));
        } else {
            b.func("[method]future-trailers.get", ft, option(resultOk(result(trailers, ERROR_CODE))), (s, f) -> f.get().map(o -> {
                if (o instanceof FutureTrailers.Outcome.Trailers t) {
                    return Result.<Result<Optional<Fields>, ErrorCode>, Void>ok(Result.ok(t.trailers()));
                }
                if (o instanceof FutureTrailers.Outcome.Failed fl) {
                    return Result.<Result<Optional<Fields>, ErrorCode>, Void>ok(Result.err(fl.error()));
                }
                return Result.<Result<Optional<Fields>, ErrorCode>, Void>err();
            }));
        }

        // outgoing-response
        var outResp = param("self", borrow(OUTGOING_RESPONSE));
        b.func("[constructor]outgoing-response", param("headers", own(FIELDS)), own(OUTGOING_RESPONSE),
                (s, h) -> new OutgoingResponse(h, s.responseBodyLimit()));
        b.func("[method]outgoing-response.status-code", outResp, U16, (s, r) -> r.status());
        b.func("[method]outgoing-response.set-status-code", outResp, param("status-code", U16), result(),
                (s, r, code) -> ok(r.setStatus(code)));
        b.func("[method]outgoing-response.headers", outResp, own(FIELDS), (s, r) -> r.headers());
        b.func("[method]outgoing-response.body", outResp, resultOk(own(OUTGOING_BODY)), (s, r) -> once(r.takeBody()));

        // outgoing-body
        b.func("[method]outgoing-body.write", param("self", borrow(OUTGOING_BODY)), resultOk(own(WasiIo.OUTPUT_STREAM)),
                (s, body) -> once(body.takeOutput()));
        b.func("[static]outgoing-body.finish", param("this", own(OUTGOING_BODY)), param("trailers", trailers),
                resultErr(ERROR_CODE), (s, body, t) -> {
                    Optional<ErrorCode> failed = body.finish(t.map(Fields::entries));
                    return failed.isPresent() ? Result.<Void, ErrorCode>err(failed.get()) : Result.<Void, ErrorCode>ok();
                });

        // future-incoming-response
        var fr = param("self", borrow(FUTURE_INCOMING_RESPONSE));
        b.func("[method]future-incoming-response.subscribe", fr, own(WasiIo.POLLABLE), (s, f) -> WasiIo.handle(f.subscribe()));
        b.func("[method]future-incoming-response.get", fr, option(resultOk(result(own(INCOMING_RESPONSE), ERROR_CODE))),
                (s, f) -> f.get().map(WasiHttp::responseOutcome));
        return b.build();
    }

    /**
     * The functions every version declares alike: incoming-request's accessors, incoming-response,
     * incoming-body and future-trailers.subscribe.
     */
    private static void incomingSide(WitInterface.Builder<HttpState> b) {
        var inReq = param("self", borrow(INCOMING_REQUEST));
        b.func("[method]incoming-request.method", inReq, METHOD, (s, r) -> r.method());
        b.func("[method]incoming-request.path-with-query", inReq, OPT_STRING, (s, r) -> r.pathWithQuery());
        b.func("[method]incoming-request.scheme", inReq, option(SCHEME), (s, r) -> r.scheme());
        b.func("[method]incoming-request.authority", inReq, OPT_STRING, (s, r) -> r.authority());
        b.func("[method]incoming-request.headers", inReq, own(FIELDS), (s, r) -> r.headers());
        b.func("[method]incoming-request.consume", inReq, resultOk(own(INCOMING_BODY)), (s, r) -> once(r.consume()));

        var inResp = param("self", borrow(INCOMING_RESPONSE));
        b.func("[method]incoming-response.status", inResp, U16, (s, r) -> r.status());
        b.func("[method]incoming-response.headers", inResp, own(FIELDS), (s, r) -> r.headers());
        b.func("[method]incoming-response.consume", inResp, resultOk(own(INCOMING_BODY)), (s, r) -> once(r.consume()));

        b.func("[method]incoming-body.stream", param("self", borrow(INCOMING_BODY)), resultOk(own(WasiIo.INPUT_STREAM)),
                (s, body) -> once(body.takeStream()));
        b.func("[static]incoming-body.finish", param("this", own(INCOMING_BODY)), own(FUTURE_TRAILERS), (s, body) -> body.finish());
        b.func("[method]future-trailers.subscribe", param("self", borrow(FUTURE_TRAILERS)), own(WasiIo.POLLABLE),
                (s, f) -> WasiIo.handle(f.subscribe()));
    }

    private static Result<Result<IncomingResponse, ErrorCode>, Void> responseOutcome(FutureIncomingResponse.Outcome o) {
        if (o instanceof FutureIncomingResponse.Outcome.Response r) {
            return Result.ok(Result.ok(r.response()));
        }
        if (o instanceof FutureIncomingResponse.Outcome.Failed f) {
            return Result.ok(Result.err(f.error()));
        }
        return Result.err();
    }

    private static Optional<Long> nanos(Optional<Duration> d) {
        return d.map(Duration::toNanos);
    }

    private static Optional<Duration> duration(Optional<Long> nanos) {
        return nanos.map(n -> Duration.ofNanos(Math.max(0, n)));
    }

    private static void setResponse(ResponseOutparam out, Result<OutgoingResponse, ErrorCode> response) {
        if (response.isOk()) {
            out.setResponse(response.value());
        } else {
            out.setError(response.error());
        }
    }

    private static WitInterface<HttpState> outgoingHandler(WasiVersion version) {
        WitInterface.Builder<HttpState> b = WitInterface.<HttpState>builder(version.module("wasi:http/outgoing-handler"));
        if (version == WasiVersion.RC_2023_10_18) {
            b.func("handle", param("request", own(OUTGOING_REQUEST)), param("options", option(RC_REQUEST_OPTIONS)),
                    result(own(FUTURE_INCOMING_RESPONSE), RC_ERROR), (s, request, options) -> s.outgoing().handle(request, options));
        } else {
            b.func("handle", param("request", own(OUTGOING_REQUEST)), param("options", option(own(REQUEST_OPTIONS))),
                    result(own(FUTURE_INCOMING_RESPONSE), ERROR_CODE),
                    (s, request, options) -> s.outgoing().handle(request, options.map(RequestOptions::copy)));
        }
        return b.build();
    }

    // ---- rc-2023-10-18 ----

    /** rc-2023-10-18's {@code record request-options} of three {@code option<u32>} millisecond timeouts. */
    static final RecordType<RequestOptions> RC_REQUEST_OPTIONS = record("request-options",
            field("connect-timeout-ms", option(U32), (RequestOptions o) -> millis(o.connectTimeout())),
            field("first-byte-timeout-ms", option(U32), (RequestOptions o) -> millis(o.firstByteTimeout())),
            field("between-bytes-timeout-ms", option(U32), (RequestOptions o) -> millis(o.betweenBytesTimeout())),
            (c, f, bb) -> new RequestOptions(c.map(Duration::ofMillis), f.map(Duration::ofMillis), bb.map(Duration::ofMillis)));

    private static Optional<Long> millis(Optional<Duration> d) {
        return d.map(Duration::toMillis);
    }

    private static WitInterface<HttpState> typesRc1018() {
        WasiVersion version = WasiVersion.RC_2023_10_18;
        WitInterface.Builder<HttpState> b = WitInterface.<HttpState>builder(version.module("wasi:http/types"));
        b.resource(FIELDS).resource(INCOMING_REQUEST).resource(OUTGOING_REQUEST).resource(RESPONSE_OUTPARAM)
                .resource(INCOMING_RESPONSE).resource(INCOMING_BODY).resource(FUTURE_TRAILERS).resource(OUTGOING_RESPONSE)
                .resource(OUTGOING_BODY).resource(FUTURE_INCOMING_RESPONSE);

        var fields = param("self", borrow(FIELDS));
        var name = param("name", STRING);
        b.func("[constructor]fields", param("entries", FIELD_LIST), own(FIELDS), (s, entries) -> {
            try {
                return headersFrom(entries, true);
            } catch (HeaderError.Failure e) {
                throw new GuestTrapException("fields constructor: " + e.getMessage());
            }
        });
        b.func("[method]fields.get", fields, name, VALUES, (s, f, n) -> f.get(n));
        b.action("[method]fields.set", fields, name, param("value", VALUES), (s, f, n, v) -> f.setUnchecked(n, v));
        b.action("[method]fields.delete", fields, name, (s, f, n) -> rcMutate(() -> f.delete(n)));
        b.action("[method]fields.append", fields, name, param("value", BYTES),
                (s, f, n, v) -> rcMutate(() -> f.append(n, v)));
        b.func("[method]fields.entries", fields, FIELD_LIST, (s, f) -> HttpTypes.entries(f.entries()));
        b.func("[method]fields.clone", fields, own(FIELDS), (s, f) -> f.copy());

        incomingSide(b);

        b.func("[constructor]outgoing-request", List.of(param("method", METHOD), param("path-with-query", OPT_STRING),
                        param("scheme", option(SCHEME)), param("authority", OPT_STRING), param("headers", borrow(FIELDS))),
                own(OUTGOING_REQUEST), WasiHttp::rcOutgoingRequest);
        b.func("[method]outgoing-request.write", param("self", borrow(OUTGOING_REQUEST)), resultOk(own(OUTGOING_BODY)),
                (s, r) -> once(r.takeBody(s.requestBodyLimit())));

        b.action("[static]response-outparam.set", param("param", own(RESPONSE_OUTPARAM)),
                param("response", result(own(OUTGOING_RESPONSE), RC_ERROR)), (s, out, response) -> setResponse(out, response));

        var ft = param("self", borrow(FUTURE_TRAILERS));
        // rc-2023-10-18 has no "none" for trailers: a body without them gives an empty fields.
        b.func("[method]future-trailers.get", ft, option(result(own(FIELDS), RC_ERROR)), (s, f) -> f.get().map(o -> {
            if (o instanceof FutureTrailers.Outcome.Trailers t) {
                return Result.<Fields, ErrorCode>ok(t.trailers().orElseGet(Fields::empty).frozenView());
            }
            if (o instanceof FutureTrailers.Outcome.Failed fl) {
                return Result.<Fields, ErrorCode>err(fl.error());
            }
            return Result.<Fields, ErrorCode>err(ErrorCode.internal("future-trailers.get already returned the trailers"));
        }));

        b.func("[constructor]outgoing-response", param("status-code", U16), param("headers", borrow(FIELDS)),
                own(OUTGOING_RESPONSE), (s, status, h) -> {
                    OutgoingResponse r = new OutgoingResponse(h.copy(), s.responseBodyLimit());
                    if (!r.setStatus(status)) {
                        throw new GuestTrapException("outgoing-response status " + status + " is not a valid HTTP status");
                    }
                    return r;
                });
        b.func("[method]outgoing-response.write", param("self", borrow(OUTGOING_RESPONSE)), resultOk(own(OUTGOING_BODY)),
                (s, r) -> once(r.takeBody()));

        b.func("[method]outgoing-body.write", param("self", borrow(OUTGOING_BODY)), resultOk(own(WasiIo.OUTPUT_STREAM)),
                (s, body) -> once(body.takeOutput()));
        b.action("[static]outgoing-body.finish", param("this", own(OUTGOING_BODY)), param("trailers", option(own(FIELDS))),
                (s, body, t) -> body.finish(t.map(Fields::entries)));

        var fr = param("self", borrow(FUTURE_INCOMING_RESPONSE));
        b.func("[method]future-incoming-response.subscribe", fr, own(WasiIo.POLLABLE), (s, f) -> WasiIo.handle(f.subscribe()));
        b.func("[method]future-incoming-response.get", fr, option(resultOk(result(own(INCOMING_RESPONSE), RC_ERROR))),
                (s, f) -> f.get().map(WasiHttp::responseOutcome));
        return b.build();
    }

    @FunctionalInterface
    private interface HeaderAct {
        void run() throws HeaderError.Failure;
    }

    /** rc-2023-10-18's mutators cannot report errors: an invalid header is a guest error. */
    private static void rcMutate(HeaderAct act) {
        try {
            act.run();
        } catch (HeaderError.Failure e) {
            throw new GuestTrapException(e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static OutgoingRequest rcOutgoingRequest(HttpState s, Object[] args) {
        Fields headers = ((Fields) args[4]).copy();
        OutgoingRequest r = new OutgoingRequest(headers);
        if (!r.setMethod((String) args[0]) || !r.setPathWithQuery((Optional<String>) args[1])
                || !r.setScheme((Optional<String>) args[2]) || !r.setAuthority((Optional<String>) args[3])) {
            throw new GuestTrapException("outgoing-request: invalid method, path, scheme or authority");
        }
        return r;
    }
}
