/*
 * Hand-written canonical-ABI bindings for wasi:http@0.2.0-rc-2023-10-18 and
 * wasi:io@0.2.0-rc-2023-10-18 (the WIT Spin vendored in wit/deps at the time its test
 * components were built), derived by hand from the WIT. Where the rc differs from 0.2.0:
 *   - fields: the constructor takes the entries; set/delete/append return nothing;
 *   - outgoing-response: constructor(status-code, borrow<headers>); `write` gives the body;
 *   - outgoing-request: one constructor with method, path, scheme, authority, borrow<headers>;
 *   - outgoing-body.finish returns nothing; the error type is a 4-case variant of strings;
 *   - wasi:io: the stream `error` resource lives in streams; poll has poll-list / poll-one.
 *
 * Return areas (offsets in bytes):
 *   result<own>, option<string> ....................... disc @0, payload @4
 *   method / scheme ................................... disc @0, string @4/@8
 *   result<list<u8>, stream-error> .................... disc @0, list @4/@8 | error disc @4, handle @8
 *   result<u64, stream-error> ......................... disc @0, u64 @8 | error disc @8, handle @12
 *   result<_, stream-error> ........................... disc @0, error disc @4, handle @8
 *   error (variant of 4 strings) ...................... disc @0, string @4/@8 (12 bytes)
 *   future-trailers.get: option<result<own trailers, error>>  option @0, result @4, payload @8
 *   future-incoming-response.get: option<result<result<own incoming-response, error>>>
 *                                 option @0, outer @4, inner @8, handle | error @12
 *   outgoing-handler.handle: result<own future-incoming-response, error>  disc @0, payload @4
 */
#include <stdlib.h>
#include <string.h>
#include "shim.h"

const char *const SHIM_VERSION = "0.2.0-rc-2023-10-18";

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define HTTP "wasi:http/types@0.2.0-rc-2023-10-18"
#define STREAMS "wasi:io/streams@0.2.0-rc-2023-10-18"
#define POLL "wasi:io/poll@0.2.0-rc-2023-10-18"
#define OUTGOING "wasi:http/outgoing-handler@0.2.0-rc-2023-10-18"

IMPORT(STREAMS, "[method]input-stream.read") void in_nb_read(handle_t, uint64_t, void *);
IMPORT(STREAMS, "[method]input-stream.blocking-read") void in_blocking_read(handle_t, uint64_t, void *);
IMPORT(STREAMS, "[method]input-stream.subscribe") handle_t in_subscribe(handle_t);
IMPORT(STREAMS, "[resource-drop]input-stream") void in_drop_(handle_t);
IMPORT(STREAMS, "[method]output-stream.check-write") void out_check_write(handle_t, void *);
IMPORT(STREAMS, "[method]output-stream.write") void out_write(handle_t, const uint8_t *, size_t, void *);
IMPORT(STREAMS, "[method]output-stream.flush") void out_flush_(handle_t, void *);
IMPORT(STREAMS, "[method]output-stream.subscribe") handle_t out_subscribe(handle_t);
IMPORT(STREAMS, "[resource-drop]output-stream") void out_drop_(handle_t);
IMPORT(STREAMS, "[resource-drop]error") void error_drop(handle_t);
IMPORT(POLL, "poll-one") void poll_one(handle_t);
IMPORT(POLL, "poll-list") void poll_list(const handle_t *, size_t, void *);
IMPORT(POLL, "[resource-drop]pollable") void pollable_drop(handle_t);

IMPORT(HTTP, "[constructor]fields") handle_t fields_ctor(const void *, size_t);
IMPORT(HTTP, "[method]fields.entries") void fields_entries(handle_t, void *);
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
IMPORT(HTTP, "[method]future-trailers.subscribe") handle_t ftrailers_subscribe(handle_t);
IMPORT(HTTP, "[method]future-trailers.get") void ftrailers_get(handle_t, void *);
IMPORT(HTTP, "[resource-drop]future-trailers") void ftrailers_drop(handle_t);
IMPORT(HTTP, "[constructor]outgoing-response") handle_t oresp_ctor(int, handle_t);
IMPORT(HTTP, "[method]outgoing-response.write") void oresp_write(handle_t, void *);
IMPORT(HTTP, "[method]outgoing-body.write") void obody_write(handle_t, void *);
IMPORT(HTTP, "[static]outgoing-body.finish") void obody_finish(handle_t, int, handle_t);
IMPORT(HTTP, "[resource-drop]outgoing-body") void obody_drop(handle_t);
IMPORT(HTTP, "[static]response-outparam.set") void outparam_set(handle_t, int, int, int, int);
IMPORT(HTTP, "[constructor]outgoing-request")
handle_t oreq_ctor(int, const char *, size_t, int, const char *, size_t, int, int, const char *, size_t,
                   int, const char *, size_t, handle_t);
IMPORT(HTTP, "[method]outgoing-request.write") void oreq_write(handle_t, void *);
IMPORT(HTTP, "[resource-drop]outgoing-request") void oreq_drop(handle_t);
IMPORT(HTTP, "[method]future-incoming-response.get") void fresp_get(handle_t, void *);
IMPORT(HTTP, "[method]future-incoming-response.subscribe") handle_t fresp_subscribe(handle_t);
IMPORT(HTTP, "[resource-drop]future-incoming-response") void fresp_drop(handle_t);
IMPORT(HTTP, "[method]incoming-response.status") int iresp_status(handle_t);
IMPORT(HTTP, "[method]incoming-response.headers") handle_t iresp_headers(handle_t);
IMPORT(HTTP, "[method]incoming-response.consume") void iresp_consume(handle_t, void *);
IMPORT(HTTP, "[resource-drop]incoming-response") void iresp_drop(handle_t);
IMPORT(OUTGOING, "handle") void outgoing_handle(handle_t, int, int, int, int, int, int, int, void *);

static _Alignas(8) uint8_t RET[64];
#define U8(off) (*(uint8_t *)(RET + (off)))
#define U32(off) (*(uint32_t *)(RET + (off)))
#define U64(off) (*(uint64_t *)(RET + (off)))
#define PTR(off) ((void *)(uintptr_t)U32(off))

static const char *METHODS[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};

static str_t copy_str(const char *s) {
    str_t out;
    out.len = strlen(s);
    out.ptr = malloc(out.len + 1);
    memcpy(out.ptr, s, out.len + 1);
    return out;
}

static str_t take_str(size_t ptr_off, size_t len_off) {
    str_t out;
    out.len = U32(len_off);
    out.ptr = realloc(out.len ? PTR(ptr_off) : 0, out.len + 1);
    out.ptr[out.len] = 0;
    return out;
}

str_t req_method(handle_t req) {
    ireq_method(req, RET);
    return U8(0) < 9 ? copy_str(METHODS[U8(0)]) : take_str(4, 8);
}

int req_path_with_query(handle_t req, str_t *out) {
    ireq_path_with_query(req, RET);
    if (U8(0) == 0) {
        return 0;
    }
    *out = take_str(4, 8);
    return 1;
}

int req_authority(handle_t req, str_t *out) {
    ireq_authority(req, RET);
    if (U8(0) == 0) {
        return 0;
    }
    *out = take_str(4, 8);
    return 1;
}

int req_scheme(handle_t req, str_t *out) {
    ireq_scheme(req, RET);
    if (U8(0) == 0) {
        return 0;
    }
    *out = U8(4) == 2 ? take_str(8, 12) : copy_str(U8(4) == 0 ? "http" : "https");
    return 1;
}

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
    in_nb_read(in, cap, RET);
    if (U8(0) == 0 && U32(8) == 0) {
        handle_t p = in_subscribe(in);
        poll_one(p);
        pollable_drop(p);
        in_blocking_read(in, cap, RET);
    }
    if (U8(0) != 0) {
        if (U8(4) == 0) {
            error_drop(U32(8));
            return -1;
        }
        return 0;
    }
    size_t n = U32(8);
    if (n == 0) {
        return 0;
    }
    if (n > cap) {
        __builtin_trap();
    }
    memcpy(buf, PTR(4), n);
    free(PTR(4));
    return (long)n;
}

void in_drop(handle_t in) { in_drop_(in); }

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
            poll_list(list, 1, RET);
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

void out_drop(handle_t out) { out_drop_(out); }

field_list_t body_finish(handle_t body, int *present) {
    handle_t ft = ibody_finish(body);
    field_list_t f = {0, 0};
    *present = 0;
    for (;;) {
        ftrailers_get(ft, RET);
        if (U8(0) == 1) {
            break;
        }
        handle_t p = ftrailers_subscribe(ft);
        poll_one(p);
        pollable_drop(p);
    }
    if (U8(4) == 0) { /* ok(trailers): the rc always hands a fields, empty when there were none */
        handle_t t = U32(8);
        f = read_entries(t);
        fields_drop(t);
        *present = f.len > 0;
    } else {
        free(PTR(12)); /* err(error): the string payload */
    }
    ftrailers_drop(ft);
    return f;
}

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
    *out = fields_ctor(raw, n);
    free(raw);
    return 0;
}

int resp_start(handle_t outparam, int status, const field_t *headers, size_t n, out_body_t *out) {
    handle_t h;
    fields_new(headers, n, &h);
    handle_t resp = oresp_ctor(status, h); /* borrows h */
    fields_drop(h);
    oresp_write(resp, RET);
    if (U8(0) != 0) {
        return -3;
    }
    out->body = U32(4);
    obody_write(out->body, RET);
    if (U8(0) != 0) {
        return -4;
    }
    out->stream = U32(4);
    outparam_set(outparam, 0, (int)resp, 0, 0);
    return 0;
}

int resp_finish(out_body_t body, const field_t *trailers, long n) {
    out_drop_(body.stream);
    handle_t t = 0;
    if (n >= 0) {
        fields_new(trailers, (size_t)n, &t);
    }
    obody_finish(body.body, n >= 0, t);
    return 0;
}

void resp_error(handle_t outparam, const char *message) {
    /* err(unexpected-error(message)): error disc 3 */
    outparam_set(outparam, 1, 3, (int)(uintptr_t)message, (int)strlen(message));
}

int fields_try_mutate_request_headers(handle_t req) {
    (void)req;
    return -2; /* the rc's set/append/delete return nothing: no header-error to report */
}

static const char *ERRORS[] = {"invalid-url", "timeout-error", "protocol-error", "unexpected-error"};

static void describe_error(size_t off, outbound_result_t *out) {
    uint8_t disc = U8(off);
    const char *name = disc < 4 ? ERRORS[disc] : "?";
    size_t len = strlen(name);
    memcpy(out->error, name, len);
    size_t mlen = U32(off + 8);
    char *msg = PTR(off + 4);
    size_t room = sizeof(out->error) - len - 3;
    if (mlen > room) {
        mlen = room;
    }
    memcpy(out->error + len, ": ", 2);
    memcpy(out->error + len + 2, msg, mlen);
    out->error[len + 2 + mlen] = 0;
    if (U32(off + 8) > 0) {
        free(msg);
    }
}

void outbound(const char *method, const char *scheme, const char *authority, const char *path_query,
              const uint8_t *body, size_t body_len, uint32_t connect_timeout_ms, size_t max_body,
              outbound_result_t *out) {
    memset(out, 0, sizeof(*out));
    handle_t headers = fields_ctor(0, 0);
    int m = 9;
    for (int i = 0; i < 9; i++) {
        if (strcmp(method, METHODS[i]) == 0) {
            m = i;
        }
    }
    int sd = strcmp(scheme, "http") == 0 ? 0 : strcmp(scheme, "https") == 0 ? 1 : 2;
    handle_t req = oreq_ctor(m, m == 9 ? method : 0, m == 9 ? strlen(method) : 0,
                             1, path_query, strlen(path_query),
                             1, sd, sd == 2 ? scheme : 0, sd == 2 ? strlen(scheme) : 0,
                             1, authority, strlen(authority), headers);
    fields_drop(headers);
    oreq_write(req, RET);
    handle_t obody = U32(4);
    int t = connect_timeout_ms ? 1 : 0;
    outgoing_handle(req, 1, t, (int)connect_timeout_ms, t, (int)connect_timeout_ms, 0, 0, RET);
    if (U8(0) != 0) {
        describe_error(4, out);
        obody_drop(obody);
        return;
    }
    handle_t future = U32(4);
    if (body_len > 0) {
        obody_write(obody, RET);
        handle_t s = U32(4);
        out_write_all(s, body, body_len);
        out_drop_(s);
    }
    obody_finish(obody, 0, 0);
    for (;;) {
        fresp_get(future, RET);
        if (U8(0) == 1) {
            break;
        }
        handle_t p = fresp_subscribe(future);
        poll_one(p);
        pollable_drop(p);
    }
    if (U8(4) != 0) {
        strcpy(out->error, "response already taken");
        fresp_drop(future);
        return;
    }
    if (U8(8) != 0) {
        describe_error(12, out);
        fresp_drop(future);
        return;
    }
    handle_t resp = U32(12);
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

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
    (void)old_size;
    if (new_size == 0) {
        return (void *)align;
    }
    void *p = realloc(old, new_size);
    if (!p) {
        __builtin_trap();
    }
    return p;
}

__attribute__((export_name("wasi:http/incoming-handler@0.2.0-rc-2023-10-18#handle")))
void wasi_http_handle(handle_t request, handle_t outparam) {
    app_handle(request, outparam);
}
