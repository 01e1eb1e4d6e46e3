/*
 * Hand-written canonical-ABI bindings for wasi:http@0.2.0 and wasi:io@0.2.0 (WIT from the
 * WebAssembly/wasi-http repository at tag v0.2.0); built with -DRC_2023_11_10 they bind
 * wasi:http@0.2.0-rc-2023-11-10 instead, which differs from 0.2.0 in three places: no
 * fields.has, request-options setters named set-*-timeout-ms, and future-trailers.get returning
 * option<result<option<own trailers>, error-code>> (one result level less). Every import's core signature and every
 * return-area offset below is derived by hand from the WIT, independently of the host's
 * declarations, so a host that lowers differently fails the tests that run this guest.
 *
 * Return areas used here (offsets in bytes):
 *   option<string>, result<own> ...................... disc @0, payload @4
 *   method / scheme (variant with other(string)) ...... disc @0, string @4/@8 (12 bytes)
 *   result<list<u8>, stream-error> .................... disc @0, list @4/@8 | error disc @4, handle @8
 *   result<u64, stream-error> ......................... disc @0, u64 @8 | error disc @8, handle @12
 *   result<_, stream-error> ........................... disc @0, error disc @4, handle @8
 *   error-code (39 cases, align 8) .................... disc @0, payload @8, 32 bytes
 *   future-trailers.get: option<result<result<option<own trailers>, error-code>>>
 *                         option @0, outer result @8, inner result @16, option<own>/error-code @24
 *   future-incoming-response.get: same nesting, handle @24
 *   outgoing-handler.handle: result<own, error-code> .. disc @0, handle | error-code @8
 *   outgoing-body.finish: result<_, error-code> ....... disc @0, error-code @8
 */
#include <stdlib.h>
#include <string.h>
#include "shim.h"

#ifdef RC_2023_11_10
#define V "0.2.0-rc-2023-11-10"
#define TIMEOUT_SUFFIX "-timeout-ms"
#else
#define V "0.2.0"
#define TIMEOUT_SUFFIX "-timeout"
#endif
const char *const SHIM_VERSION = V;

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define HTTP "wasi:http/types@" V
#define STREAMS "wasi:io/streams@" V
#define POLL "wasi:io/poll@" V
#define IOERROR "wasi:io/error@" V
#define OUTGOING "wasi:http/outgoing-handler@" V

/* wasi:io */
IMPORT(STREAMS, "[method]input-stream.blocking-read") void in_blocking_read(handle_t, uint64_t, void *);
IMPORT(STREAMS, "[method]input-stream.read") void in_nb_read(handle_t, uint64_t, void *);
IMPORT(STREAMS, "[method]input-stream.subscribe") handle_t in_subscribe(handle_t);
IMPORT(STREAMS, "[resource-drop]input-stream") void in_drop_(handle_t);
IMPORT(STREAMS, "[method]output-stream.check-write") void out_check_write(handle_t, void *);
IMPORT(STREAMS, "[method]output-stream.write") void out_write(handle_t, const uint8_t *, size_t, void *);
IMPORT(STREAMS, "[method]output-stream.flush") void out_flush_(handle_t, void *);
IMPORT(STREAMS, "[method]output-stream.blocking-flush") void out_blocking_flush(handle_t, void *);
IMPORT(STREAMS, "[method]output-stream.subscribe") handle_t out_subscribe(handle_t);
IMPORT(STREAMS, "[resource-drop]output-stream") void out_drop_(handle_t);
IMPORT(POLL, "[method]pollable.block") void pollable_block(handle_t);
IMPORT(POLL, "[method]pollable.ready") int pollable_ready(handle_t);
IMPORT(POLL, "poll") void poll_list(const handle_t *, size_t, void *);
IMPORT(POLL, "[resource-drop]pollable") void pollable_drop(handle_t);
IMPORT(IOERROR, "[method]error.to-debug-string") void error_to_debug_string(handle_t, void *);
IMPORT(IOERROR, "[resource-drop]error") void error_drop(handle_t);

/* wasi:http/types */
IMPORT(HTTP, "[constructor]fields") handle_t fields_ctor(void);
IMPORT(HTTP, "[static]fields.from-list") void fields_from_list(const void *, size_t, void *);
IMPORT(HTTP, "[method]fields.get") void fields_get(handle_t, const char *, size_t, void *);
#ifndef RC_2023_11_10
IMPORT(HTTP, "[method]fields.has") int fields_has(handle_t, const char *, size_t);
#endif
IMPORT(HTTP, "[method]fields.set") void fields_set(handle_t, const char *, size_t, const void *, size_t, void *);
IMPORT(HTTP, "[method]fields.delete") void fields_delete(handle_t, const char *, size_t, void *);
IMPORT(HTTP, "[method]fields.append") void fields_append(handle_t, const char *, size_t, const uint8_t *, size_t, void *);
IMPORT(HTTP, "[method]fields.entries") void fields_entries(handle_t, void *);
IMPORT(HTTP, "[method]fields.clone") handle_t fields_clone(handle_t);
IMPORT(HTTP, "[resource-drop]fields") void fields_drop(handle_t);
IMPORT(HTTP, "[method]incoming-request.method") void ireq_method(handle_t, void *);
IMPORT(HTTP, "[method]incoming-request.path-with-query") void ireq_path_with_query(handle_t, void *);
IMPORT(HTTP, "[method]incoming-request.scheme") void ireq_scheme(handle_t, void *);
IMPORT(HTTP, "[method]incoming-request.authority") void ireq_authority(handle_t, void *);
IMPORT(HTTP, "[method]incoming-request.headers") handle_t ireq_headers(handle_t);
IMPORT(HTTP, "[method]incoming-request.consume") void ireq_consume(handle_t, void *);
IMPORT(HTTP, "[resource-drop]incoming-request") void ireq_drop(handle_t);
IMPORT(HTTP, "[method]incoming-body.stream") void ibody_stream(handle_t, void *);
IMPORT(HTTP, "[static]incoming-body.finish") handle_t ibody_finish(handle_t);
IMPORT(HTTP, "[resource-drop]incoming-body") void ibody_drop(handle_t);
IMPORT(HTTP, "[method]future-trailers.subscribe") handle_t ftrailers_subscribe(handle_t);
IMPORT(HTTP, "[method]future-trailers.get") void ftrailers_get(handle_t, void *);
IMPORT(HTTP, "[resource-drop]future-trailers") void ftrailers_drop(handle_t);
IMPORT(HTTP, "[constructor]outgoing-response") handle_t oresp_ctor(handle_t);
IMPORT(HTTP, "[method]outgoing-response.set-status-code") int oresp_set_status(handle_t, int);
IMPORT(HTTP, "[method]outgoing-response.status-code") int oresp_status(handle_t);
IMPORT(HTTP, "[method]outgoing-response.body") void oresp_body(handle_t, void *);
IMPORT(HTTP, "[resource-drop]outgoing-response") void oresp_drop(handle_t);
IMPORT(HTTP, "[method]outgoing-body.write") void obody_write(handle_t, void *);
IMPORT(HTTP, "[static]outgoing-body.finish") void obody_finish(handle_t, int, handle_t, void *);
IMPORT(HTTP, "[resource-drop]outgoing-body") void obody_drop(handle_t);
IMPORT(HTTP, "[static]response-outparam.set")
void outparam_set(handle_t, int, int, int, int64_t, int, int, int, int);
IMPORT(HTTP, "[constructor]outgoing-request") handle_t oreq_ctor(handle_t);
IMPORT(HTTP, "[method]outgoing-request.body") void oreq_body(handle_t, void *);
IMPORT(HTTP, "[method]outgoing-request.set-method") int oreq_set_method(handle_t, int, const char *, size_t);
IMPORT(HTTP, "[method]outgoing-request.set-path-with-query") int oreq_set_path(handle_t, int, const char *, size_t);
IMPORT(HTTP, "[method]outgoing-request.set-scheme") int oreq_set_scheme(handle_t, int, int, const char *, size_t);
IMPORT(HTTP, "[method]outgoing-request.set-authority") int oreq_set_authority(handle_t, int, const char *, size_t);
IMPORT(HTTP, "[resource-drop]outgoing-request") void oreq_drop(handle_t);
IMPORT(HTTP, "[constructor]request-options") handle_t ropts_ctor(void);
IMPORT(HTTP, "[method]request-options.set-connect" TIMEOUT_SUFFIX) int ropts_set_connect(handle_t, int, uint64_t);
IMPORT(HTTP, "[method]request-options.set-first-byte" TIMEOUT_SUFFIX) int ropts_set_first_byte(handle_t, int, uint64_t);
IMPORT(HTTP, "[resource-drop]request-options") void ropts_drop(handle_t);
IMPORT(HTTP, "[method]future-incoming-response.get") void fresp_get(handle_t, void *);
IMPORT(HTTP, "[method]future-incoming-response.subscribe") handle_t fresp_subscribe(handle_t);
IMPORT(HTTP, "[resource-drop]future-incoming-response") void fresp_drop(handle_t);
IMPORT(HTTP, "[method]incoming-response.status") int iresp_status(handle_t);
IMPORT(HTTP, "[method]incoming-response.headers") handle_t iresp_headers(handle_t);
IMPORT(HTTP, "[method]incoming-response.consume") void iresp_consume(handle_t, void *);
IMPORT(HTTP, "[resource-drop]incoming-response") void iresp_drop(handle_t);
IMPORT(OUTGOING, "handle") void outgoing_handle(handle_t, int, handle_t, void *);

/* One return area, large and aligned enough for every import above (the guest is single-threaded). */
static _Alignas(8) uint8_t RET[64];
#define U8(off) (*(uint8_t *)(RET + (off)))
#define U16(off) (*(uint16_t *)(RET + (off)))
#define U32(off) (*(uint32_t *)(RET + (off)))
#define U64(off) (*(uint64_t *)(RET + (off)))
#define PTR(off) ((void *)(uintptr_t)U32(off))

static const char *METHODS[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};

static str_t read_method_area(void) {
    str_t s;
    uint8_t disc = U8(0);
    if (disc < 9) {
        s.len = strlen(METHODS[disc]);
        s.ptr = malloc(s.len + 1);
        memcpy(s.ptr, METHODS[disc], s.len);
    } else { /* other(string) */
        s.len = U32(8);
        s.ptr = realloc(PTR(4), s.len + 1);
    }
    s.ptr[s.len] = 0;
    return s;
}

static int read_option_string(str_t *out) {
    if (U8(0) == 0) {
        return 0;
    }
    out->len = U32(8);
    out->ptr = realloc(PTR(4), out->len + 1);
    out->ptr[out->len] = 0;
    return 1;
}

str_t req_method(handle_t req) {
    ireq_method(req, RET);
    return read_method_area();
}

int req_path_with_query(handle_t req, str_t *out) {
    ireq_path_with_query(req, RET);
    return read_option_string(out);
}

int req_authority(handle_t req, str_t *out) {
    ireq_authority(req, RET);
    return read_option_string(out);
}

int req_scheme(handle_t req, str_t *out) {
    /* option<scheme>: disc @0; scheme disc @4, other(string) @8/@12 */
    ireq_scheme(req, RET);
    if (U8(0) == 0) {
        return 0;
    }
    uint8_t disc = U8(4);
    if (disc == 2) {
        out->len = U32(12);
        out->ptr = realloc(PTR(8), out->len + 1);
    } else {
        const char *name = disc == 0 ? "http" : "https";
        out->len = strlen(name);
        out->ptr = malloc(out->len + 1);
        memcpy(out->ptr, name, out->len);
    }
    out->ptr[out->len] = 0;
    return 1;
}

/* list<tuple<string, list<u8>>>: 16-byte elements (name ptr, name len, value ptr, value len) */
static field_list_t read_entries(handle_t fields) {
    fields_entries(fields, RET);
    field_list_t f;
    f.len = U32(4);
    f.items = malloc(f.len * sizeof(field_t) + 1);
    uint32_t *raw = PTR(0);
    for (size_t i = 0; i < f.len; i++) {
        f.items[i].name = (char *)(uintptr_t)raw[i * 4];
        f.items[i].name_len = raw[i * 4 + 1];
        f.items[i].value = (uint8_t *)(uintptr_t)raw[i * 4 + 2];
        f.items[i].value_len = raw[i * 4 + 3];
    }
    if (f.len > 0) {
        free(raw);
    }
    return f;
}

field_list_t req_headers(handle_t req) {
    handle_t h = ireq_headers(req);
    field_list_t f = read_entries(h);
    fields_drop(h);
    return f;
}

int req_body(handle_t req, handle_t *body, handle_t *stream) {
    ireq_consume(req, RET);
    if (U8(0) != 0) {
        return -1;
    }
    *body = U32(4);
    ibody_stream(*body, RET);
    if (U8(0) != 0) {
        return -1;
    }
    *stream = U32(4);
    return 0;
}

void req_drop(handle_t req) { ireq_drop(req); }

long in_read(handle_t in, uint8_t *buf, size_t cap) {
    /* Rust's SDK reads without blocking and polls only when nothing is ready; do the same. */
    in_nb_read(in, cap, RET);
    if (U8(0) == 0 && U32(8) == 0) {
        handle_t p = in_subscribe(in);
        pollable_block(p);
        pollable_drop(p);
        in_blocking_read(in, cap, RET);
    }
    if (U8(0) != 0) {
        if (U8(4) == 0) { /* last-operation-failed(error) */
            error_drop(U32(8));
            return -1;
        }
        return 0; /* closed: the end of the body */
    }
    size_t n = U32(8);
    uint8_t *data = PTR(4);
    if (n > cap) {
        __builtin_trap(); /* the host returned more than asked for */
    }
    if (n == 0) {
        return 0;
    }
    memcpy(buf, data, n);
    free(data);
    return (long)n;
}

void in_drop(handle_t in) { in_drop_(in); }

int out_write_all(handle_t out, const uint8_t *buf, size_t n) {
    while (n > 0) {
        out_check_write(out, RET);
        if (U8(0) != 0) {
            if (U8(8) == 0) {
                error_drop(U32(12));
            }
            return -1;
        }
        uint64_t permit = U64(8);
        if (permit == 0) {
            handle_t p = out_subscribe(out);
            handle_t list[1] = {p};
            poll_list(list, 1, RET); /* returns list<u32> of ready indices */
            free(PTR(0));
            pollable_drop(p);
            continue;
        }
        size_t chunk = n < permit ? n : (size_t)permit;
        out_write(out, buf, chunk, RET);
        if (U8(0) != 0) {
            if (U8(4) == 0) {
                error_drop(U32(8));
            }
            return -1;
        }
        buf += chunk;
        n -= chunk;
    }
    return out_flush(out);
}

int out_flush(handle_t out) {
    out_flush_(out, RET);
    if (U8(0) != 0) {
        if (U8(4) == 0) {
            error_drop(U32(8));
        }
        return -1;
    }
    return 0;
}

void out_drop(handle_t out) { out_drop_(out); }

field_list_t body_finish(handle_t body, int *present) {
    handle_t ft = ibody_finish(body);
    field_list_t f = {0, 0};
    *present = 0;
    for (;;) {
        ftrailers_get(ft, RET);
        if (U8(0) == 0) { /* not ready yet */
            handle_t p = ftrailers_subscribe(ft);
            pollable_block(p);
            pollable_drop(p);
            continue;
        }
        break;
    }
#ifdef RC_2023_11_10
    /* result @8, option<own trailers> @16 */
    if (U8(8) == 0 && U8(16) == 1) {
        handle_t t = U32(20);
#else
    /* outer result @8 (err: already taken), inner result @16, option<own trailers> @24 */
    if (U8(8) == 0 && U8(16) == 0 && U8(24) == 1) {
        handle_t t = U32(28);
#endif
        f = read_entries(t);
        fields_drop(t);
        *present = 1;
    }
    ftrailers_drop(ft);
    return f;
}

/* Lays out list<tuple<string, list<u8>>> for from-list. */
static uint32_t *entries_list(const field_t *items, size_t n) {
    uint32_t *raw = malloc(n * 16 + 1);
    for (size_t i = 0; i < n; i++) {
        raw[i * 4] = (uint32_t)(uintptr_t)items[i].name;
        raw[i * 4 + 1] = items[i].name_len;
        raw[i * 4 + 2] = (uint32_t)(uintptr_t)items[i].value;
        raw[i * 4 + 3] = items[i].value_len;
    }
    return raw;
}

int fields_new(const field_t *items, size_t n, handle_t *out) {
    uint32_t *raw = entries_list(items, n);
    fields_from_list(raw, n, RET);
    free(raw);
    if (U8(0) != 0) {
        return -1 - U8(4); /* header-error: -1 invalid-syntax, -2 forbidden, -3 immutable */
    }
    *out = U32(4);
    return 0;
}

int resp_start(handle_t outparam, int status, const field_t *headers, size_t n, out_body_t *out) {
    handle_t h;
    if (fields_new(headers, n, &h) != 0) {
        return -1;
    }
    handle_t resp = oresp_ctor(h); /* takes ownership of h */
    if (oresp_set_status(resp, status) != 0) {
        return -2;
    }
    oresp_body(resp, RET);
    if (U8(0) != 0) {
        return -3;
    }
    out->body = U32(4);
    obody_write(out->body, RET);
    if (U8(0) != 0) {
        return -4;
    }
    out->stream = U32(4);
    outparam_set(outparam, 0, (int)resp, 0, 0, 0, 0, 0, 0);
    return 0;
}

int resp_finish(out_body_t body, const field_t *trailers, long n) {
    out_drop_(body.stream);
    handle_t t = 0;
    if (n >= 0 && fields_new(trailers, (size_t)n, &t) != 0) {
        return -1;
    }
    obody_finish(body.body, n >= 0, t, RET);
    return U8(0) == 0 ? 0 : -1;
}

void resp_error(handle_t outparam, const char *message) {
    /* err(internal-error(some(message))): error-code disc 38; its payload option<string> flattens
     * to (disc i32, ptr, len) at positions 1..3 of the result's payload, position 2 being i64. */
    outparam_set(outparam, 1, 38, 1, (int64_t)(uintptr_t)message, (int)strlen(message), 0, 0, 0);
}

int fields_try_mutate_request_headers(handle_t req) {
    handle_t h = ireq_headers(req);
    static const uint8_t v[] = "x";
    int answer = -1;
    fields_append(h, "x-added", 7, v, 1, RET);
    if (U8(0) != 0) {
        answer = U8(1); /* result<_, header-error>: disc @0, error @1 */
    }
    /* has/get still work on immutable fields */
#ifdef RC_2023_11_10
    fields_get(h, "x-added", 7, RET);
    int added = U32(4) > 0;
#else
    int added = fields_has(h, "x-added", 7);
#endif
    if (!added) {
        fields_get(h, "host", 4, RET);
        uint32_t count = U32(4);
        uint32_t *vals = PTR(0);
        for (uint32_t i = 0; i < count; i++) {
            free((void *)(uintptr_t)vals[i * 2]);
        }
        if (count > 0) {
            free(vals);
        }
    } else {
        answer = 100; /* the append took effect on an immutable fields */
    }
    fields_drop(h);
    return answer;
}

static const char *ERROR_CODES[] = {
    "DNS-timeout", "DNS-error", "destination-not-found", "destination-unavailable",
    "destination-IP-prohibited", "destination-IP-unroutable", "connection-refused",
    "connection-terminated", "connection-timeout", "connection-read-timeout",
    "connection-write-timeout", "connection-limit-reached", "TLS-protocol-error",
    "TLS-certificate-error", "TLS-alert-received", "HTTP-request-denied",
    "HTTP-request-length-required", "HTTP-request-body-size", "HTTP-request-method-invalid",
    "HTTP-request-URI-invalid", "HTTP-request-URI-too-long", "HTTP-request-header-section-size",
    "HTTP-request-header-size", "HTTP-request-trailer-section-size", "HTTP-request-trailer-size",
    "HTTP-response-incomplete", "HTTP-response-header-section-size", "HTTP-response-header-size",
    "HTTP-response-body-size", "HTTP-response-trailer-section-size", "HTTP-response-trailer-size",
    "HTTP-response-transfer-coding", "HTTP-response-content-coding", "HTTP-response-timeout",
    "HTTP-upgrade-failed", "HTTP-protocol-error", "loop-detected", "configuration-error",
    "internal-error"};

/* Describes the error-code at RET + off into out->error: the case name, plus internal-error's message. */
static void describe_error(size_t off, outbound_result_t *out) {
    uint8_t disc = U8(off);
    const char *name = disc < 39 ? ERROR_CODES[disc] : "?";
    size_t len = strlen(name);
    memcpy(out->error, name, len);
    out->error[len] = 0;
    if (disc == 38 && U8(off + 8) == 1) { /* internal-error(some(string)) @ off+8: disc, ptr @+12, len @+16 */
        char *msg = PTR(off + 12);
        size_t mlen = U32(off + 16);
        size_t room = sizeof(out->error) - len - 3;
        if (mlen > room) {
            mlen = room;
        }
        memcpy(out->error + len, ": ", 2);
        memcpy(out->error + len + 2, msg, mlen);
        out->error[len + 2 + mlen] = 0;
        free(msg);
    }
}

void outbound(const char *method, const char *scheme, const char *authority, const char *path_query,
              const uint8_t *body, size_t body_len, uint32_t connect_timeout_ms, size_t max_body,
              outbound_result_t *out) {
    memset(out, 0, sizeof(*out));
    handle_t headers = fields_ctor();
    handle_t req = oreq_ctor(headers);
    int m = -1;
    for (int i = 0; i < 9; i++) {
        if (strcmp(method, METHODS[i]) == 0) {
            m = i;
        }
    }
    if (m < 0) {
        oreq_set_method(req, 9, method, strlen(method));
    } else {
        oreq_set_method(req, m, 0, 0);
    }
    if (strcmp(scheme, "http") == 0) {
        oreq_set_scheme(req, 1, 0, 0, 0);
    } else if (strcmp(scheme, "https") == 0) {
        oreq_set_scheme(req, 1, 1, 0, 0);
    } else {
        oreq_set_scheme(req, 1, 2, scheme, strlen(scheme));
    }
    oreq_set_authority(req, 1, authority, strlen(authority));
    oreq_set_path(req, 1, path_query, strlen(path_query));
    oreq_body(req, RET);
    handle_t obody = U32(4);
    handle_t opts = ropts_ctor();
    if (connect_timeout_ms) {
        uint64_t ns = (uint64_t)connect_timeout_ms * 1000000u;
        ropts_set_connect(opts, 1, ns);
        ropts_set_first_byte(opts, 1, ns);
    }
    outgoing_handle(req, 1, opts, RET);
    if (U8(0) != 0) {
        describe_error(8, out);
        obody_drop(obody);
        return;
    }
    handle_t future = U32(8);
    if (body_len > 0) {
        obody_write(obody, RET);
        handle_t s = U32(4);
        out_write_all(s, body, body_len);
        out_drop_(s);
    }
    obody_finish(obody, 0, 0, RET);
    if (U8(0) != 0) {
        describe_error(8, out);
        fresp_drop(future);
        return;
    }
    for (;;) {
        fresp_get(future, RET);
        if (U8(0) == 1) {
            break;
        }
        handle_t p = fresp_subscribe(future);
        pollable_block(p);
        pollable_drop(p);
    }
    if (U8(8) != 0) {
        strcpy(out->error, "response already taken");
        fresp_drop(future);
        return;
    }
    if (U8(16) != 0) {
        describe_error(24, out);
        fresp_drop(future);
        return;
    }
    handle_t resp = U32(24);
    fresp_drop(future);
    out->status = iresp_status(resp);
    handle_t h = iresp_headers(resp);
    out->headers = read_entries(h);
    fields_drop(h);
    iresp_consume(resp, RET);
    handle_t ibody = U32(4);
    ibody_stream(ibody, RET);
    handle_t in = U32(4);
    out->body = malloc(max_body + 1);
    long n = 0;
    while (out->body_len < max_body && (n = in_read(in, out->body + out->body_len, max_body - out->body_len)) > 0) {
        out->body_len += (size_t)n;
    }
    out->body_failed = n < 0;
    in_drop_(in);
    int present;
    free_fields(body_finish(ibody, &present));
    iresp_drop(resp);
}

/* The canonical ABI's allocator: the host allocates every string and list it hands over here. */
__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
    (void)old_size;
    (void)align; /* malloc's 16-byte alignment covers every canonical-ABI alignment */
    if (new_size == 0) {
        return (void *)align;
    }
    void *p = realloc(old, new_size);
    if (!p) {
        __builtin_trap();
    }
    return p;
}

__attribute__((export_name("wasi:http/incoming-handler@" V "#handle")))
void wasi_http_handle(handle_t request, handle_t outparam) {
    app_handle(request, outparam);
}
