/*
 * The small HTTP API app.c is written against. Two hand-written binding files implement it,
 * each lowering it to one version of wasi:http by the canonical ABI, byte for byte:
 *   bind-0.2.0.c              wasi:http@0.2.0, wasi:io@0.2.0
 *   bind-rc-2023-10-18.c      wasi:http@0.2.0-rc-2023-10-18, wasi:io@0.2.0-rc-2023-10-18
 * so the same handler logic runs against both ABIs (build.sh builds one module per binding).
 *
 * Handles are the canonical ABI's i32 resource handles. Every string and list the host hands
 * over was allocated through this module's cabi_realloc (malloc), so the caller frees it.
 */
#ifndef SHIM_H
#define SHIM_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t handle_t;

typedef struct {
    char *name;
    size_t name_len;
    uint8_t *value;
    size_t value_len;
} field_t;

typedef struct {
    field_t *items;
    size_t len;
} field_list_t;

typedef struct {
    char *ptr;
    size_t len;
} str_t;

/* The version string this module was built for ("0.2.0", "0.2.0-rc-2023-10-18"). */
extern const char *const SHIM_VERSION;

/* ---- the incoming request ---- */
str_t req_method(handle_t req);               /* "GET", "POST", ... or the `other` string */
int req_path_with_query(handle_t req, str_t *out); /* 0: none */
int req_authority(handle_t req, str_t *out);       /* 0: none */
int req_scheme(handle_t req, str_t *out);          /* 0: none; "http", "https" or other */
field_list_t req_headers(handle_t req);            /* headers() then entries(), child dropped */
/* consume() then stream(): 0 on success, -1 if the host refused (consumed twice). */
int req_body(handle_t req, handle_t *body, handle_t *stream);
void req_drop(handle_t req);

/* ---- streams ---- */
/* Reads up to cap bytes into buf (blocking until at least one byte): >0 bytes, 0 end, -1 error. */
long in_read(handle_t in, uint8_t *buf, size_t cap);
void in_drop(handle_t in);
/* Writes all n bytes honouring check-write (polling when it permits 0), then flushes: 0 ok, -1 error. */
int out_write_all(handle_t out, const uint8_t *buf, size_t n);
int out_flush(handle_t out);
void out_drop(handle_t out);

/* Finishes an incoming body and returns its trailers (*present = 0 when it had none). */
field_list_t body_finish(handle_t body, int *present);

/* ---- the response ---- */
typedef struct {
    handle_t body;
    handle_t stream;
} out_body_t;

/* Builds fields from a list; 0 on success (0.2.0's from-list can refuse forbidden headers). */
int fields_new(const field_t *items, size_t n, handle_t *out);
/* outgoing-response(status, headers), body(), write(), response-outparam.set(ok). */
int resp_start(handle_t outparam, int status, const field_t *headers, size_t n, out_body_t *out);
/* Drops the stream, then finishes the body with optional trailers (n = -1: none). */
int resp_finish(out_body_t body, const field_t *trailers, long n);
/* response-outparam.set(err(...)) with a message. */
void resp_error(handle_t outparam, const char *message);

/* ---- fields operations (0.2.0 only; return -2 on the rc, which lacks them or differs) ---- */
/* Tries set/append/delete on the request's own (immutable) headers: returns the header-error
 * discriminant the host answered (2 = immutable), or -1 if the host accepted. */
int fields_try_mutate_request_headers(handle_t req);

/* ---- outbound HTTP ---- */
typedef struct {
    int status;             /* the response status, or 0 on error */
    field_list_t headers;
    uint8_t *body;
    size_t body_len;
    int body_failed;        /* reading the body ended with last-operation-failed (e.g. past the host's size limit) */
    char error[160];        /* set when status == 0: the error-code case name */
} outbound_result_t;

/* Sends method url (split into scheme, authority, path-with-query) with an optional body; reads
 * the whole response body (up to max_body bytes). */
void outbound(const char *method, const char *scheme, const char *authority, const char *path_query,
              const uint8_t *body, size_t body_len, uint32_t connect_timeout_ms, size_t max_body,
              outbound_result_t *out);

/* ---- implemented by app.c ---- */
void app_handle(handle_t request, handle_t outparam);

/* ---- helpers (app.c) ---- */
void free_fields(field_list_t f);

#endif
