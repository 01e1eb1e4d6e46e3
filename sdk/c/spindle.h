/*
 * spindle.h — the Spindle guest SDK for C (wasm32-wasi, clang-16 + wasi-libc).
 *
 * Wraps the canonical-ABI lowering of
 *   fermyon:spin/redis@2.0.0        (spindle_redis_*)
 *   spindle:redis/extended@0.1.0    (spindle_redis_* extended operations)
 *   fermyon:spin/variables@2.0.0    (spindle_variable_get)
 * and provides the handler exports
 *   fermyon:spin/inbound-http#handle-request  (SPINDLE_HTTP_HANDLER)
 *   fermyon:spin/inbound-redis#handle-message (SPINDLE_REDIS_HANDLER)
 * plus cabi_realloc (in spindle.c). Layouts: docs/guest-abi.md, docs/guests.md.
 *
 * Conventions
 *  - Every operation returns true on success. On failure it returns false and, when `err` is
 *    not NULL, fills *err (free it with spindle_error_free). Pass NULL to ignore the details.
 *  - Names and keys are NUL-terminated UTF-8 strings; payloads are (pointer, length).
 *  - Everything an operation hands back (strings, byte buffers, lists) was allocated by the
 *    host through cabi_realloc, i.e. with malloc: the caller owns it and frees it with the
 *    matching spindle_*_free function. Every such buffer is followed by a NUL byte, so a
 *    spindle_string_t's ptr is also a C string (len stays authoritative).
 *  - Only the imports a module actually calls end up in the .wasm: a handler that uses no
 *    extended operation does not import spindle:redis/extended@0.1.0.
 */
#ifndef SPINDLE_H
#define SPINDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * Owned buffers. These structs have exactly the canonical-ABI layout of string / list<u8> /
 * list<string> / list<list<u8>> (ptr, len: two 32-bit words), so the SDK passes them to and
 * from the host without copying.
 * ---------------------------------------------------------------------------------------- */

typedef struct {
    char *ptr; /* UTF-8, NUL-terminated when it came from the host */
    size_t len; /* bytes, without the NUL */
} spindle_string_t;

typedef struct {
    uint8_t *ptr;
    size_t len;
} spindle_bytes_t;

typedef struct {
    spindle_string_t *ptr;
    size_t len;
} spindle_string_list_t;

typedef struct {
    spindle_bytes_t *ptr;
    size_t len;
} spindle_bytes_list_t;

void spindle_string_free(spindle_string_t *s);
void spindle_bytes_free(spindle_bytes_t *b);
void spindle_string_list_free(spindle_string_list_t *list);
void spindle_bytes_list_free(spindle_bytes_list_t *list);

/* A borrowed view of a C string or of bytes, for arguments (nothing is copied). */
static inline spindle_bytes_t spindle_bytes(const void *data, size_t len) {
    spindle_bytes_t b = {(uint8_t *)data, len};
    return b;
}
spindle_bytes_t spindle_bytes_str(const char *s);

/* ------------------------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------------------------- */

typedef enum {
    SPINDLE_OK = 0,
    /* fermyon:spin/redis@2.0.0 error (also used by the extended interface) */
    SPINDLE_ERROR_INVALID_ADDRESS,      /* bad URL, or host not in allowed_outbound_hosts */
    SPINDLE_ERROR_TOO_MANY_CONNECTIONS, /* handle table or pool exhausted: retry later */
    SPINDLE_ERROR_TYPE_ERROR,           /* WRONGTYPE: the key holds another type */
    SPINDLE_ERROR_OTHER,                /* anything else; the message says what */
    /* fermyon:spin/variables@2.0.0 error (each carries a message) */
    SPINDLE_ERROR_VARIABLE_INVALID_NAME,
    SPINDLE_ERROR_VARIABLE_UNDEFINED,
    SPINDLE_ERROR_VARIABLE_PROVIDER,
    SPINDLE_ERROR_VARIABLE_OTHER,
    /* guest side: malloc failed while preparing arguments */
    SPINDLE_ERROR_OUT_OF_MEMORY
} spindle_error_kind_t;

typedef struct {
    spindle_error_kind_t kind;
    spindle_string_t message; /* empty (ptr "", len 0) for kinds the host sends without one */
} spindle_error_t;

/* "invalid-address", "too-many-connections", "type-error", "other", "invalid-name", ... */
const char *spindle_error_kind_name(spindle_error_kind_t kind);
/* The message if there is one, else the kind's name. Valid until spindle_error_free. */
const char *spindle_error_message(const spindle_error_t *err);
void spindle_error_free(spindle_error_t *err);

/* ------------------------------------------------------------------------------------------
 * fermyon:spin/variables@2.0.0
 * ---------------------------------------------------------------------------------------- */

/* The component's variable `name` (lower-case, as in spin.toml). Free *value. */
bool spindle_variable_get(const char *name, spindle_string_t *value, spindle_error_t *err);

/* ------------------------------------------------------------------------------------------
 * fermyon:spin/redis@2.0.0 — a connection is a resource handle owned by this instance.
 * ---------------------------------------------------------------------------------------- */

typedef struct {
    uint32_t handle;
    bool open;
} spindle_redis_t;

/* address: redis://[user:password@]host[:port][/db] or rediss://...; the host must be listed
 * in the component's allowed_outbound_hosts. */
bool spindle_redis_open(const char *address, spindle_redis_t *conn, spindle_error_t *err);
/* [resource-drop]connection; safe to call twice or on a connection that never opened. */
void spindle_redis_close(spindle_redis_t *conn);

bool spindle_redis_publish(spindle_redis_t *conn, const char *channel, const void *payload, size_t len,
                           spindle_error_t *err);
/* GET: *found is false (and *value empty) when the key does not exist. Free *value. */
bool spindle_redis_get(spindle_redis_t *conn, const char *key, spindle_bytes_t *value, bool *found,
                       spindle_error_t *err);
bool spindle_redis_set(spindle_redis_t *conn, const char *key, const void *value, size_t len,
                       spindle_error_t *err);
bool spindle_redis_incr(spindle_redis_t *conn, const char *key, int64_t *value, spindle_error_t *err);
bool spindle_redis_del(spindle_redis_t *conn, const char *const *keys, size_t n, uint32_t *deleted,
                       spindle_error_t *err);
bool spindle_redis_sadd(spindle_redis_t *conn, const char *key, const char *const *values, size_t n,
                        uint32_t *added, spindle_error_t *err);
/* Free *members with spindle_string_list_free. */
bool spindle_redis_smembers(spindle_redis_t *conn, const char *key, spindle_string_list_t *members,
                            spindle_error_t *err);
bool spindle_redis_srem(spindle_redis_t *conn, const char *key, const char *const *values, size_t n,
                        uint32_t *removed, spindle_error_t *err);

/* redis-parameter: exactly its canonical layout (16 bytes, align 8: tag @0, value @8). */
enum { SPINDLE_REDIS_PARAM_INT64 = 0, SPINDLE_REDIS_PARAM_BINARY = 1 };
typedef struct {
    uint8_t tag;
    union {
        int64_t int64;
        spindle_bytes_t binary;
    } val;
} spindle_redis_param_t;

static inline spindle_redis_param_t spindle_redis_param_int64(int64_t v) {
    spindle_redis_param_t p;
    p.tag = SPINDLE_REDIS_PARAM_INT64;
    p.val.int64 = v;
    return p;
}
static inline spindle_redis_param_t spindle_redis_param_binary(const void *data, size_t len) {
    spindle_redis_param_t p;
    p.tag = SPINDLE_REDIS_PARAM_BINARY;
    p.val.binary = spindle_bytes(data, len);
    return p;
}
spindle_redis_param_t spindle_redis_param_str(const char *s);

/* redis-result: exactly its canonical layout (16 bytes, align 8: tag @0, value @8). */
enum {
    SPINDLE_REDIS_RESULT_NIL = 0,
    SPINDLE_REDIS_RESULT_STATUS = 1,
    SPINDLE_REDIS_RESULT_INT64 = 2,
    SPINDLE_REDIS_RESULT_BINARY = 3
};
typedef struct {
    uint8_t tag;
    union {
        spindle_string_t status;
        int64_t int64;
        spindle_bytes_t binary;
    } val;
} spindle_redis_result_t;

typedef struct {
    spindle_redis_result_t *ptr;
    size_t len;
} spindle_redis_results_t;

void spindle_redis_results_free(spindle_redis_results_t *results);

/* Any command, e.g. execute(conn, "HSET", args, 3, &results, &err). Nested array replies are
 * flattened (docs/redis.md). Free *results with spindle_redis_results_free. */
bool spindle_redis_execute(spindle_redis_t *conn, const char *command, const spindle_redis_param_t *args,
                           size_t nargs, spindle_redis_results_t *results, spindle_error_t *err);

/* ------------------------------------------------------------------------------------------
 * spindle:redis/extended@0.1.0 — on the same connections.
 * ---------------------------------------------------------------------------------------- */

/* SET key value PX ttl_ms (ttl_ms = 0: no expiry). */
bool spindle_redis_set_with_ttl(spindle_redis_t *conn, const char *key, const void *value, size_t len,
                                uint64_t ttl_ms, spindle_error_t *err);
/* EXISTS key */
bool spindle_redis_has(spindle_redis_t *conn, const char *key, bool *exists, spindle_error_t *err);
/* INCRBY key delta; decr / decr_by are INCRBY with -1 / -delta. */
bool spindle_redis_incr_by(spindle_redis_t *conn, const char *key, int64_t delta, int64_t *value,
                           spindle_error_t *err);
bool spindle_redis_decr(spindle_redis_t *conn, const char *key, int64_t *value, spindle_error_t *err);
bool spindle_redis_decr_by(spindle_redis_t *conn, const char *key, int64_t delta, int64_t *value,
                           spindle_error_t *err);
/* PEXPIRE key ttl_ms; *applied is false when the key does not exist. */
bool spindle_redis_expire(spindle_redis_t *conn, const char *key, uint64_t ttl_ms, bool *applied,
                          spindle_error_t *err);
/* PTTL key: -2 no such key, -1 no expiry, else milliseconds left. */
bool spindle_redis_ttl(spindle_redis_t *conn, const char *key, int64_t *ttl_ms, spindle_error_t *err);
/* RPUSH / LPUSH; *length is the list's new length. */
bool spindle_redis_push(spindle_redis_t *conn, const char *key, const spindle_bytes_t *values, size_t n,
                        uint32_t *length, spindle_error_t *err);
bool spindle_redis_unshift(spindle_redis_t *conn, const char *key, const spindle_bytes_t *values, size_t n,
                           uint32_t *length, spindle_error_t *err);
/* RPOP / LPOP; *found is false on an empty or missing list. Free *value. */
bool spindle_redis_pop(spindle_redis_t *conn, const char *key, spindle_bytes_t *value, bool *found,
                       spindle_error_t *err);
bool spindle_redis_shift(spindle_redis_t *conn, const char *key, spindle_bytes_t *value, bool *found,
                         spindle_error_t *err);
/* LRANGE key start stop (inclusive; negative counts from the end). Free with spindle_bytes_list_free. */
bool spindle_redis_range(spindle_redis_t *conn, const char *key, int64_t start, int64_t stop,
                         spindle_bytes_list_t *values, spindle_error_t *err);
/* LLEN key */
bool spindle_redis_count(spindle_redis_t *conn, const char *key, uint32_t *length, spindle_error_t *err);

/* rate-limit-status: exactly its canonical layout (24 bytes, align 8). */
typedef struct {
    bool allowed;      /* @0 */
    uint32_t count;    /* @4: hits in the current window, this one included */
    uint32_t remaining; /* @8 */
    uint64_t reset_ms; /* @16: until the window ends */
} spindle_rate_limit_t;

/* Fixed window of window_ms starting at the first hit, at most max hits; atomic on the server. */
bool spindle_redis_rate_limit(spindle_redis_t *conn, const char *key, uint32_t max, uint64_t window_ms,
                              spindle_rate_limit_t *status, spindle_error_t *err);

/* command: exactly its canonical layout (16 bytes, align 4). */
typedef struct {
    const char *name;
    size_t name_len;
    const spindle_redis_param_t *args;
    size_t nargs;
} spindle_redis_command_t;

static inline spindle_redis_command_t spindle_redis_command(const char *name, size_t name_len,
                                                            const spindle_redis_param_t *args, size_t nargs) {
    spindle_redis_command_t c = {name, name_len, args, nargs};
    return c;
}

/* reply: exactly its canonical layout (12 bytes, align 4): tag @0, ok list / err string @4. */
enum { SPINDLE_REDIS_REPLY_OK = 0, SPINDLE_REDIS_REPLY_ERR = 1 };
typedef struct {
    uint8_t tag;
    union {
        spindle_redis_results_t ok;
        spindle_string_t err;
    } val;
} spindle_redis_reply_t;

typedef struct {
    spindle_redis_reply_t *ptr;
    size_t len;
} spindle_redis_replies_t;

void spindle_redis_replies_free(spindle_redis_replies_t *replies);

/* Many commands in one round trip (in MULTI/EXEC when transaction is true); one reply per
 * command, an error reply as SPINDLE_REDIS_REPLY_ERR. Free with spindle_redis_replies_free. */
bool spindle_redis_pipeline(spindle_redis_t *conn, const spindle_redis_command_t *commands, size_t n,
                            bool transaction, spindle_redis_replies_t *replies, spindle_error_t *err);

/* ------------------------------------------------------------------------------------------
 * fermyon:spin/inbound-http — SPINDLE_HTTP_HANDLER(fn) exports handle-request and its
 * cabi_post cleanup. fn: void fn(const spindle_http_request_t *req, spindle_http_response_t *res)
 * ---------------------------------------------------------------------------------------- */

typedef enum {
    SPINDLE_HTTP_GET = 0,
    SPINDLE_HTTP_POST,
    SPINDLE_HTTP_PUT,
    SPINDLE_HTTP_DELETE,
    SPINDLE_HTTP_PATCH,
    SPINDLE_HTTP_HEAD,
    SPINDLE_HTTP_OPTIONS
} spindle_http_method_t;

/* tuple<string, string>: 16 bytes, align 4 */
typedef struct {
    spindle_string_t name;
    spindle_string_t value;
} spindle_http_header_t;

typedef struct {
    spindle_http_header_t *ptr;
    size_t len;
} spindle_http_headers_t;

/* Valid during the handler call; the SDK frees it after the host has read the response. */
typedef struct {
    spindle_http_method_t method;
    spindle_string_t uri;            /* path and query as received: "/count/a?b=1" */
    spindle_http_headers_t headers;  /* lower-case names; spin-full-url has the full URL */
    spindle_http_headers_t params;
    bool has_body;
    spindle_bytes_t body;
} spindle_http_request_t;

/* Built by the handler through the functions below; starts as 200, no headers, no body. */
typedef struct {
    uint16_t status;
    spindle_http_headers_t headers;
    size_t headers_cap;
    bool has_body;
    spindle_bytes_t body;
} spindle_http_response_t;

const char *spindle_http_method_name(spindle_http_method_t method); /* "GET", ... */
/* The first header with this name (ASCII case-insensitive), or NULL. */
const spindle_string_t *spindle_http_request_header(const spindle_http_request_t *req, const char *name);

void spindle_http_response_set_status(spindle_http_response_t *res, uint16_t status);
/* These copy their arguments; false only when out of memory. */
bool spindle_http_response_add_header(spindle_http_response_t *res, const char *name, const char *value);
bool spindle_http_response_set_body(spindle_http_response_t *res, const void *body, size_t len);
bool spindle_http_response_set_body_str(spindle_http_response_t *res, const char *body);

typedef void (*spindle_http_handler_t)(const spindle_http_request_t *req, spindle_http_response_t *res);

/* Glue used by SPINDLE_HTTP_HANDLER; not for direct use. */
void *spindle__http_dispatch(spindle_http_handler_t handler, int32_t method, char *uri_ptr, size_t uri_len,
                             spindle_http_header_t *headers_ptr, size_t headers_len,
                             spindle_http_header_t *params_ptr, size_t params_len, int32_t body_is_some,
                             uint8_t *body_ptr, size_t body_len);
void spindle__http_post(void *response);

#define SPINDLE_HTTP_HANDLER(fn)                                                                           \
    __attribute__((export_name("fermyon:spin/inbound-http#handle-request"))) void *                        \
    spindle__export_handle_request(int32_t method, char *uri_ptr, size_t uri_len,                          \
                                   spindle_http_header_t *headers_ptr, size_t headers_len,                 \
                                   spindle_http_header_t *params_ptr, size_t params_len,                   \
                                   int32_t body_is_some, uint8_t *body_ptr, size_t body_len) {             \
        return spindle__http_dispatch((fn), method, uri_ptr, uri_len, headers_ptr, headers_len, params_ptr, \
                                      params_len, body_is_some, body_ptr, body_len);                       \
    }                                                                                                      \
    __attribute__((export_name("cabi_post_fermyon:spin/inbound-http#handle-request"))) void               \
    spindle__export_post_handle_request(void *response) {                                                  \
        spindle__http_post(response);                                                                      \
    }

/* ------------------------------------------------------------------------------------------
 * fermyon:spin/inbound-redis — SPINDLE_REDIS_HANDLER(fn) exports handle-message.
 * fn: bool fn(const spindle_bytes_t *message) — return false to report an error.
 * The message is freed when fn returns.
 * ---------------------------------------------------------------------------------------- */

typedef bool (*spindle_redis_handler_t)(const spindle_bytes_t *message);

void *spindle__redis_dispatch(spindle_redis_handler_t handler, uint8_t *ptr, size_t len);

#define SPINDLE_REDIS_HANDLER(fn)                                                                          \
    __attribute__((export_name("fermyon:spin/inbound-redis#handle-message"))) void *                      \
    spindle__export_handle_message(uint8_t *ptr, size_t len) {                                             \
        return spindle__redis_dispatch((fn), ptr, len);                                                    \
    }

/* Exported as cabi_realloc: the host allocates everything it hands the guest through this
 * (malloc; each block gets a trailing NUL byte). */
void *cabi_realloc(void *old_ptr, size_t old_size, size_t align, size_t new_size);

#ifdef __cplusplus
}
#endif

#endif /* SPINDLE_H */
