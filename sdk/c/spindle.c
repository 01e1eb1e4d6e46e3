/*
 * spindle.c — the Spindle guest SDK for C. See spindle.h for the API and docs/guests.md for
 * the ABI. Every layout below is the canonical-ABI lowering in docs/guest-abi.md;
 * the _Static_asserts pin the C structs that are passed to the host as-is.
 */
#include "spindle.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(size_t) == 4 && sizeof(void *) == 4, "spindle.c targets wasm32");
_Static_assert(sizeof(spindle_string_t) == 8 && _Alignof(spindle_string_t) == 4, "string layout");
_Static_assert(sizeof(spindle_bytes_t) == 8, "list<u8> layout");
_Static_assert(sizeof(spindle_redis_param_t) == 16 && _Alignof(spindle_redis_param_t) == 8, "redis-parameter");
_Static_assert(offsetof(spindle_redis_param_t, val) == 8, "redis-parameter payload @8");
_Static_assert(sizeof(spindle_redis_result_t) == 16 && _Alignof(spindle_redis_result_t) == 8, "redis-result");
_Static_assert(offsetof(spindle_redis_result_t, val) == 8, "redis-result payload @8");
_Static_assert(sizeof(spindle_rate_limit_t) == 24 && _Alignof(spindle_rate_limit_t) == 8, "rate-limit-status");
_Static_assert(offsetof(spindle_rate_limit_t, count) == 4 && offsetof(spindle_rate_limit_t, remaining) == 8 &&
                   offsetof(spindle_rate_limit_t, reset_ms) == 16,
               "rate-limit-status fields");
_Static_assert(sizeof(spindle_redis_command_t) == 16 && _Alignof(spindle_redis_command_t) == 4, "command");
_Static_assert(sizeof(spindle_redis_reply_t) == 12 && offsetof(spindle_redis_reply_t, val) == 4, "reply");
_Static_assert(sizeof(spindle_http_header_t) == 16 && _Alignof(spindle_http_header_t) == 4, "tuple<string,string>");

/* ---------------------------------------------------------------------------------------------
 * Imports (core signatures from docs/guest-abi.md; pointers and lengths are i32, u64/s64 are i64)
 * ------------------------------------------------------------------------------------------- */

#define REDIS_MODULE "fermyon:spin/redis@2.0.0"
#define EXT_MODULE "spindle:redis/extended@0.1.0"
#define VARS_MODULE "fermyon:spin/variables@2.0.0"
#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))

IMPORT(REDIS_MODULE, "[static]connection.open")
extern void wit_redis_open(const char *addr, size_t addr_len, uint8_t *ret);
IMPORT(REDIS_MODULE, "[method]connection.publish")
extern void wit_redis_publish(uint32_t self, const char *chan, size_t chan_len, const void *payload,
                              size_t payload_len, uint8_t *ret);
IMPORT(REDIS_MODULE, "[method]connection.get")
extern void wit_redis_get(uint32_t self, const char *key, size_t key_len, uint8_t *ret);
IMPORT(REDIS_MODULE, "[method]connection.set")
extern void wit_redis_set(uint32_t self, const char *key, size_t key_len, const void *value, size_t value_len,
                          uint8_t *ret);
IMPORT(REDIS_MODULE, "[method]connection.incr")
extern void wit_redis_incr(uint32_t self, const char *key, size_t key_len, uint8_t *ret);
IMPORT(REDIS_MODULE, "[method]connection.del")
extern void wit_redis_del(uint32_t self, const spindle_string_t *keys, size_t n, uint8_t *ret);
IMPORT(REDIS_MODULE, "[method]connection.sadd")
extern void wit_redis_sadd(uint32_t self, const char *key, size_t key_len, const spindle_string_t *values,
                           size_t n, uint8_t *ret);
IMPORT(REDIS_MODULE, "[method]connection.smembers")
extern void wit_redis_smembers(uint32_t self, const char *key, size_t key_len, uint8_t *ret);
IMPORT(REDIS_MODULE, "[method]connection.srem")
extern void wit_redis_srem(uint32_t self, const char *key, size_t key_len, const spindle_string_t *values,
                           size_t n, uint8_t *ret);
IMPORT(REDIS_MODULE, "[method]connection.execute")
extern void wit_redis_execute(uint32_t self, const char *cmd, size_t cmd_len, const spindle_redis_param_t *args,
                              size_t nargs, uint8_t *ret);
IMPORT(REDIS_MODULE, "[resource-drop]connection")
extern void wit_redis_drop(uint32_t handle);

IMPORT(VARS_MODULE, "get")
extern void wit_variables_get(const char *name, size_t name_len, uint8_t *ret);

IMPORT(EXT_MODULE, "set-with-ttl")
extern void wit_ext_set_with_ttl(uint32_t conn, const char *key, size_t key_len, const void *value,
                                 size_t value_len, uint64_t ttl_ms, uint8_t *ret);
IMPORT(EXT_MODULE, "has")
extern void wit_ext_has(uint32_t conn, const char *key, size_t key_len, uint8_t *ret);
IMPORT(EXT_MODULE, "incr-by")
extern void wit_ext_incr_by(uint32_t conn, const char *key, size_t key_len, int64_t delta, uint8_t *ret);
IMPORT(EXT_MODULE, "expire")
extern void wit_ext_expire(uint32_t conn, const char *key, size_t key_len, uint64_t ttl_ms, uint8_t *ret);
IMPORT(EXT_MODULE, "ttl")
extern void wit_ext_ttl(uint32_t conn, const char *key, size_t key_len, uint8_t *ret);
IMPORT(EXT_MODULE, "push")
extern void wit_ext_push(uint32_t conn, const char *key, size_t key_len, const spindle_bytes_t *values, size_t n,
                         uint8_t *ret);
IMPORT(EXT_MODULE, "unshift")
extern void wit_ext_unshift(uint32_t conn, const char *key, size_t key_len, const spindle_bytes_t *values,
                            size_t n, uint8_t *ret);
IMPORT(EXT_MODULE, "pop")
extern void wit_ext_pop(uint32_t conn, const char *key, size_t key_len, uint8_t *ret);
IMPORT(EXT_MODULE, "shift")
extern void wit_ext_shift(uint32_t conn, const char *key, size_t key_len, uint8_t *ret);
IMPORT(EXT_MODULE, "range")
extern void wit_ext_range(uint32_t conn, const char *key, size_t key_len, int64_t start, int64_t stop,
                          uint8_t *ret);
IMPORT(EXT_MODULE, "count")
extern void wit_ext_count(uint32_t conn, const char *key, size_t key_len, uint8_t *ret);
IMPORT(EXT_MODULE, "rate-limit")
extern void wit_ext_rate_limit(uint32_t conn, const char *key, size_t key_len, uint32_t max, uint64_t window_ms,
                               uint8_t *ret);
IMPORT(EXT_MODULE, "pipeline")
extern void wit_ext_pipeline(uint32_t conn, const spindle_redis_command_t *commands, size_t n,
                             int32_t transaction, uint8_t *ret);

/* ---------------------------------------------------------------------------------------------
 * Memory: cabi_realloc and ownership of what the host hands over
 * ------------------------------------------------------------------------------------------- */

__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old_ptr, size_t old_size, size_t align,
                                                                 size_t new_size) {
    if (new_size == 0) {
        free(old_ptr);
        return (void *)align; /* any aligned non-null pointer will do for an empty block */
    }
    if (new_size == SIZE_MAX) __builtin_trap();
    void *p;
    if (align <= 16) {
        /* wasi-libc's malloc aligns to 16; +1 for the NUL that makes host strings C strings */
        p = old_ptr ? realloc(old_ptr, new_size + 1) : malloc(new_size + 1);
    } else {
        size_t size = (new_size + 1 + align - 1) & ~(align - 1);
        p = aligned_alloc(align, size);
        if (p && old_ptr) {
            memcpy(p, old_ptr, old_size < new_size ? old_size : new_size);
            free(old_ptr);
        }
    }
    if (!p) __builtin_trap(); /* the canonical ABI has no way to report failure: trap */
    ((char *)p)[new_size] = 0;
    return p;
}

/* Blocks of length 0 were never allocated (the host passes a dangling aligned pointer). */
static spindle_string_t take_string(char *ptr, size_t len) {
    spindle_string_t s = {len ? ptr : (char *)"", len};
    return s;
}
static spindle_bytes_t take_bytes(uint8_t *ptr, size_t len) {
    spindle_bytes_t b = {len ? ptr : NULL, len};
    return b;
}

void spindle_string_free(spindle_string_t *s) {
    if (!s) return;
    if (s->len) free(s->ptr);
    s->ptr = (char *)"";
    s->len = 0;
}

void spindle_bytes_free(spindle_bytes_t *b) {
    if (!b) return;
    if (b->len) free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
}

void spindle_string_list_free(spindle_string_list_t *list) {
    if (!list) return;
    for (size_t i = 0; i < list->len; i++) spindle_string_free(&list->ptr[i]);
    if (list->len) free(list->ptr);
    list->ptr = NULL;
    list->len = 0;
}

void spindle_bytes_list_free(spindle_bytes_list_t *list) {
    if (!list) return;
    for (size_t i = 0; i < list->len; i++) spindle_bytes_free(&list->ptr[i]);
    if (list->len) free(list->ptr);
    list->ptr = NULL;
    list->len = 0;
}

static void results_free(spindle_redis_result_t *items, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (items[i].tag == SPINDLE_REDIS_RESULT_STATUS) spindle_string_free(&items[i].val.status);
        if (items[i].tag == SPINDLE_REDIS_RESULT_BINARY) spindle_bytes_free(&items[i].val.binary);
    }
    if (len) free(items);
}

void spindle_redis_results_free(spindle_redis_results_t *results) {
    if (!results) return;
    results_free(results->ptr, results->len);
    results->ptr = NULL;
    results->len = 0;
}

void spindle_redis_replies_free(spindle_redis_replies_t *replies) {
    if (!replies) return;
    for (size_t i = 0; i < replies->len; i++) {
        spindle_redis_reply_t *r = &replies->ptr[i];
        if (r->tag == SPINDLE_REDIS_REPLY_OK) spindle_redis_results_free(&r->val.ok);
        else spindle_string_free(&r->val.err);
    }
    if (replies->len) free(replies->ptr);
    replies->ptr = NULL;
    replies->len = 0;
}

spindle_bytes_t spindle_bytes_str(const char *s) { return spindle_bytes(s, strlen(s)); }

spindle_redis_param_t spindle_redis_param_str(const char *s) { return spindle_redis_param_binary(s, strlen(s)); }

/* Empty lists received from the host: dangling pointer -> NULL; empty strings inside -> "". */
static void fix_string_list(spindle_string_list_t *l) {
    if (!l->len) l->ptr = NULL;
    for (size_t i = 0; i < l->len; i++) l->ptr[i] = take_string(l->ptr[i].ptr, l->ptr[i].len);
}
static void fix_bytes_list(spindle_bytes_list_t *l) {
    if (!l->len) l->ptr = NULL;
    for (size_t i = 0; i < l->len; i++) l->ptr[i] = take_bytes(l->ptr[i].ptr, l->ptr[i].len);
}
static void fix_results(spindle_redis_results_t *r) {
    if (!r->len) r->ptr = NULL;
    for (size_t i = 0; i < r->len; i++) {
        spindle_redis_result_t *x = &r->ptr[i];
        if (x->tag == SPINDLE_REDIS_RESULT_STATUS) x->val.status = take_string(x->val.status.ptr, x->val.status.len);
        if (x->tag == SPINDLE_REDIS_RESULT_BINARY) x->val.binary = take_bytes(x->val.binary.ptr, x->val.binary.len);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------------------------- */

static const char *const KIND_NAMES[] = {
    "ok",           "invalid-address", "too-many-connections", "type-error", "other",
    "invalid-name", "undefined",       "provider",             "other",      "out-of-memory",
};

const char *spindle_error_kind_name(spindle_error_kind_t kind) {
    return (unsigned)kind < sizeof KIND_NAMES / sizeof KIND_NAMES[0] ? KIND_NAMES[kind] : "unknown";
}

const char *spindle_error_message(const spindle_error_t *err) {
    return err->message.len ? err->message.ptr : spindle_error_kind_name(err->kind);
}

void spindle_error_free(spindle_error_t *err) {
    if (!err) return;
    spindle_string_free(&err->message);
    err->kind = SPINDLE_OK;
}

static void set_error(spindle_error_t *err, spindle_error_kind_t kind, spindle_string_t message) {
    if (err) {
        err->kind = kind;
        err->message = message;
    } else {
        spindle_string_free(&message);
    }
}

static void set_ok(spindle_error_t *err) {
    if (err) {
        err->kind = SPINDLE_OK;
        err->message = take_string(NULL, 0);
    }
}

static bool out_of_memory(spindle_error_t *err) {
    set_error(err, SPINDLE_ERROR_OUT_OF_MEMORY, take_string(NULL, 0));
    return false;
}

/* Reads a fermyon:spin/redis error variant at e (size 12, align 4); always returns false. */
static bool redis_error(const uint8_t *e, spindle_error_t *err) {
    uint8_t disc = e[0];
    if (disc > 3) __builtin_trap(); /* not a valid case: the host broke the ABI */
    spindle_string_t message = take_string(NULL, 0);
    if (disc == 3) message = take_string(*(char *const *)(e + 4), *(const size_t *)(e + 8));
    set_error(err, (spindle_error_kind_t)(SPINDLE_ERROR_INVALID_ADDRESS + disc), message);
    return false;
}

#define U32_AT(ret, off) (*(const uint32_t *)((ret) + (off)))
#define PTR_AT(ret, off) (*(void *const *)((ret) + (off)))

/* ---------------------------------------------------------------------------------------------
 * fermyon:spin/variables@2.0.0
 * ------------------------------------------------------------------------------------------- */

bool spindle_variable_get(const char *name, spindle_string_t *value, spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    wit_variables_get(name, strlen(name), ret);
    if (ret[0] == 0) {
        *value = take_string(PTR_AT(ret, 4), U32_AT(ret, 8));
        set_ok(err);
        return true;
    }
    if (ret[4] > 3) __builtin_trap();
    set_error(err, (spindle_error_kind_t)(SPINDLE_ERROR_VARIABLE_INVALID_NAME + ret[4]),
              take_string(PTR_AT(ret, 8), U32_AT(ret, 12)));
    return false;
}

/* ---------------------------------------------------------------------------------------------
 * fermyon:spin/redis@2.0.0
 * ------------------------------------------------------------------------------------------- */

/* Borrowed C strings as a list<string> argument; the caller frees the array (not the strings). */
static _Alignas(8) uint8_t EMPTY_LIST[8];

static spindle_string_t *string_array(const char *const *items, size_t n) {
    if (n == 0) return (spindle_string_t *)EMPTY_LIST;
    if (n > SIZE_MAX / sizeof(spindle_string_t)) return NULL;
    spindle_string_t *a = malloc(n * sizeof *a);
    if (!a) return NULL;
    for (size_t i = 0; i < n; i++) {
        a[i].ptr = (char *)items[i];
        a[i].len = strlen(items[i]);
    }
    return a;
}
static void string_array_free(spindle_string_t *a) {
    if (a != (spindle_string_t *)EMPTY_LIST) free(a);
}

bool spindle_redis_open(const char *address, spindle_redis_t *conn, spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    conn->open = false;
    wit_redis_open(address, strlen(address), ret);
    if (ret[0]) return redis_error(ret + 4, err);
    conn->handle = U32_AT(ret, 4);
    conn->open = true;
    set_ok(err);
    return true;
}

void spindle_redis_close(spindle_redis_t *conn) {
    if (conn && conn->open) {
        conn->open = false;
        wit_redis_drop(conn->handle);
    }
}

/* A closed connection is a guest bug (the host would trap on a dropped handle): trap here. */
static uint32_t handle_of(const spindle_redis_t *conn) {
    if (!conn || !conn->open) __builtin_trap();
    return conn->handle;
}

/* result<_, error> in a 16-byte, align-4 area */
static bool unit_result(const uint8_t *ret, spindle_error_t *err) {
    if (ret[0]) return redis_error(ret + 4, err);
    set_ok(err);
    return true;
}

/* result<u32, error> in a 16-byte, align-4 area */
static bool u32_result(const uint8_t *ret, uint32_t *out, spindle_error_t *err) {
    if (ret[0]) return redis_error(ret + 4, err);
    if (out) *out = U32_AT(ret, 4);
    set_ok(err);
    return true;
}

/* result<s64, error> in a 24-byte, align-8 area: payload at 8 */
static bool s64_result(const uint8_t *ret, int64_t *out, spindle_error_t *err) {
    if (ret[0]) return redis_error(ret + 8, err);
    if (out) *out = *(const int64_t *)(ret + 8);
    set_ok(err);
    return true;
}

/* result<option<payload>, error> in a 16-byte, align-4 area */
static bool option_bytes_result(const uint8_t *ret, spindle_bytes_t *value, bool *found, spindle_error_t *err) {
    if (ret[0]) return redis_error(ret + 4, err);
    bool some = ret[4] != 0;
    spindle_bytes_t b = some ? take_bytes(PTR_AT(ret, 8), U32_AT(ret, 12)) : take_bytes(NULL, 0);
    if (value) *value = b;
    else spindle_bytes_free(&b);
    if (found) *found = some;
    set_ok(err);
    return true;
}

bool spindle_redis_publish(spindle_redis_t *conn, const char *channel, const void *payload, size_t len,
                           spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    wit_redis_publish(handle_of(conn), channel, strlen(channel), payload, len, ret);
    return unit_result(ret, err);
}

bool spindle_redis_get(spindle_redis_t *conn, const char *key, spindle_bytes_t *value, bool *found,
                       spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    wit_redis_get(handle_of(conn), key, strlen(key), ret);
    return option_bytes_result(ret, value, found, err);
}

bool spindle_redis_set(spindle_redis_t *conn, const char *key, const void *value, size_t len,
                       spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    wit_redis_set(handle_of(conn), key, strlen(key), value, len, ret);
    return unit_result(ret, err);
}

bool spindle_redis_incr(spindle_redis_t *conn, const char *key, int64_t *value, spindle_error_t *err) {
    _Alignas(8) uint8_t ret[24];
    wit_redis_incr(handle_of(conn), key, strlen(key), ret);
    return s64_result(ret, value, err);
}

bool spindle_redis_del(spindle_redis_t *conn, const char *const *keys, size_t n, uint32_t *deleted,
                       spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    spindle_string_t *list = string_array(keys, n);
    if (!list) return out_of_memory(err);
    wit_redis_del(handle_of(conn), list, n, ret);
    string_array_free(list);
    return u32_result(ret, deleted, err);
}

static bool set_members_op(bool add, spindle_redis_t *conn, const char *key, const char *const *values, size_t n,
                           uint32_t *count, spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    spindle_string_t *list = string_array(values, n);
    if (!list) return out_of_memory(err);
    if (add) wit_redis_sadd(handle_of(conn), key, strlen(key), list, n, ret);
    else wit_redis_srem(handle_of(conn), key, strlen(key), list, n, ret);
    string_array_free(list);
    return u32_result(ret, count, err);
}

bool spindle_redis_sadd(spindle_redis_t *conn, const char *key, const char *const *values, size_t n,
                        uint32_t *added, spindle_error_t *err) {
    return set_members_op(true, conn, key, values, n, added, err);
}

bool spindle_redis_srem(spindle_redis_t *conn, const char *key, const char *const *values, size_t n,
                        uint32_t *removed, spindle_error_t *err) {
    return set_members_op(false, conn, key, values, n, removed, err);
}

bool spindle_redis_smembers(spindle_redis_t *conn, const char *key, spindle_string_list_t *members,
                            spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    wit_redis_smembers(handle_of(conn), key, strlen(key), ret);
    if (ret[0]) return redis_error(ret + 4, err);
    spindle_string_list_t list = {PTR_AT(ret, 4), U32_AT(ret, 8)};
    fix_string_list(&list);
    if (members) *members = list;
    else spindle_string_list_free(&list);
    set_ok(err);
    return true;
}

bool spindle_redis_execute(spindle_redis_t *conn, const char *command, const spindle_redis_param_t *args,
                           size_t nargs, spindle_redis_results_t *results, spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    if (nargs == 0) args = (const spindle_redis_param_t *)EMPTY_LIST;
    wit_redis_execute(handle_of(conn), command, strlen(command), args, nargs, ret);
    if (ret[0]) return redis_error(ret + 4, err);
    spindle_redis_results_t list = {PTR_AT(ret, 4), U32_AT(ret, 8)};
    fix_results(&list);
    if (results) *results = list;
    else spindle_redis_results_free(&list);
    set_ok(err);
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * spindle:redis/extended@0.1.0
 * ------------------------------------------------------------------------------------------- */

bool spindle_redis_set_with_ttl(spindle_redis_t *conn, const char *key, const void *value, size_t len,
                                uint64_t ttl_ms, spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    wit_ext_set_with_ttl(handle_of(conn), key, strlen(key), value, len, ttl_ms, ret);
    return unit_result(ret, err);
}

/* result<bool, error>: 16 bytes, align 4, ok u8 @4 */
static bool bool_result(const uint8_t *ret, bool *out, spindle_error_t *err) {
    if (ret[0]) return redis_error(ret + 4, err);
    if (out) *out = ret[4] != 0;
    set_ok(err);
    return true;
}

bool spindle_redis_has(spindle_redis_t *conn, const char *key, bool *exists, spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    wit_ext_has(handle_of(conn), key, strlen(key), ret);
    return bool_result(ret, exists, err);
}

bool spindle_redis_incr_by(spindle_redis_t *conn, const char *key, int64_t delta, int64_t *value,
                           spindle_error_t *err) {
    _Alignas(8) uint8_t ret[24];
    wit_ext_incr_by(handle_of(conn), key, strlen(key), delta, ret);
    return s64_result(ret, value, err);
}

bool spindle_redis_decr(spindle_redis_t *conn, const char *key, int64_t *value, spindle_error_t *err) {
    return spindle_redis_incr_by(conn, key, -1, value, err);
}

bool spindle_redis_decr_by(spindle_redis_t *conn, const char *key, int64_t delta, int64_t *value,
                           spindle_error_t *err) {
    /* -INT64_MIN overflows: decrementing by it is incrementing by it (two's complement). */
    return spindle_redis_incr_by(conn, key, (int64_t)(0 - (uint64_t)delta), value, err);
}

bool spindle_redis_expire(spindle_redis_t *conn, const char *key, uint64_t ttl_ms, bool *applied,
                          spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    wit_ext_expire(handle_of(conn), key, strlen(key), ttl_ms, ret);
    return bool_result(ret, applied, err);
}

bool spindle_redis_ttl(spindle_redis_t *conn, const char *key, int64_t *ttl_ms, spindle_error_t *err) {
    _Alignas(8) uint8_t ret[24];
    wit_ext_ttl(handle_of(conn), key, strlen(key), ret);
    return s64_result(ret, ttl_ms, err);
}

bool spindle_redis_push(spindle_redis_t *conn, const char *key, const spindle_bytes_t *values, size_t n,
                        uint32_t *length, spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    if (n == 0) values = (const spindle_bytes_t *)EMPTY_LIST;
    wit_ext_push(handle_of(conn), key, strlen(key), values, n, ret);
    return u32_result(ret, length, err);
}

bool spindle_redis_unshift(spindle_redis_t *conn, const char *key, const spindle_bytes_t *values, size_t n,
                           uint32_t *length, spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    if (n == 0) values = (const spindle_bytes_t *)EMPTY_LIST;
    wit_ext_unshift(handle_of(conn), key, strlen(key), values, n, ret);
    return u32_result(ret, length, err);
}

bool spindle_redis_pop(spindle_redis_t *conn, const char *key, spindle_bytes_t *value, bool *found,
                       spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    wit_ext_pop(handle_of(conn), key, strlen(key), ret);
    return option_bytes_result(ret, value, found, err);
}

bool spindle_redis_shift(spindle_redis_t *conn, const char *key, spindle_bytes_t *value, bool *found,
                         spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    wit_ext_shift(handle_of(conn), key, strlen(key), ret);
    return option_bytes_result(ret, value, found, err);
}

bool spindle_redis_range(spindle_redis_t *conn, const char *key, int64_t start, int64_t stop,
                         spindle_bytes_list_t *values, spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    wit_ext_range(handle_of(conn), key, strlen(key), start, stop, ret);
    if (ret[0]) return redis_error(ret + 4, err);
    spindle_bytes_list_t list = {PTR_AT(ret, 4), U32_AT(ret, 8)};
    fix_bytes_list(&list);
    if (values) *values = list;
    else spindle_bytes_list_free(&list);
    set_ok(err);
    return true;
}

bool spindle_redis_count(spindle_redis_t *conn, const char *key, uint32_t *length, spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    wit_ext_count(handle_of(conn), key, strlen(key), ret);
    return u32_result(ret, length, err);
}

bool spindle_redis_rate_limit(spindle_redis_t *conn, const char *key, uint32_t max, uint64_t window_ms,
                              spindle_rate_limit_t *status, spindle_error_t *err) {
    _Alignas(8) uint8_t ret[32];
    wit_ext_rate_limit(handle_of(conn), key, strlen(key), max, window_ms, ret);
    if (ret[0]) return redis_error(ret + 8, err);
    if (status) {
        status->allowed = ret[8] != 0;
        status->count = U32_AT(ret, 12);
        status->remaining = U32_AT(ret, 16);
        status->reset_ms = *(const uint64_t *)(ret + 24);
    }
    set_ok(err);
    return true;
}

bool spindle_redis_pipeline(spindle_redis_t *conn, const spindle_redis_command_t *commands, size_t n,
                            bool transaction, spindle_redis_replies_t *replies, spindle_error_t *err) {
    _Alignas(4) uint8_t ret[16];
    spindle_redis_command_t *copy = NULL;
    if (n == 0) {
        commands = (const spindle_redis_command_t *)EMPTY_LIST;
    } else {
        /* empty argument lists must still be 8-aligned pointers for the host's bounds check */
        for (size_t i = 0; i < n && !copy; i++) {
            if (commands[i].nargs == 0 && ((uintptr_t)commands[i].args & 7)) {
                copy = malloc(n * sizeof *copy);
                if (!copy) return out_of_memory(err);
                memcpy(copy, commands, n * sizeof *copy);
            }
        }
        if (copy) {
            for (size_t i = 0; i < n; i++)
                if (copy[i].nargs == 0) copy[i].args = (const spindle_redis_param_t *)EMPTY_LIST;
            commands = copy;
        }
    }
    wit_ext_pipeline(handle_of(conn), commands, n, transaction ? 1 : 0, ret);
    free(copy);
    if (ret[0]) return redis_error(ret + 4, err);
    spindle_redis_replies_t list = {PTR_AT(ret, 4), U32_AT(ret, 8)};
    if (!list.len) list.ptr = NULL;
    for (size_t i = 0; i < list.len; i++) {
        spindle_redis_reply_t *r = &list.ptr[i];
        if (r->tag == SPINDLE_REDIS_REPLY_OK) fix_results(&r->val.ok);
        else r->val.err = take_string(r->val.err.ptr, r->val.err.len);
    }
    if (replies) *replies = list;
    else spindle_redis_replies_free(&list);
    set_ok(err);
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * fermyon:spin/inbound-http#handle-request
 * ------------------------------------------------------------------------------------------- */

/* response record: 28 bytes, align 4 — status @0, option<headers> @4 (disc @4, list @8),
 * option<list<u8>> @16 (disc @16, list @20) */
typedef struct {
    uint16_t status;
    struct {
        uint8_t is_some;
        spindle_http_headers_t val;
    } headers;
    struct {
        uint8_t is_some;
        spindle_bytes_t val;
    } body;
} response_record_t;
_Static_assert(sizeof(response_record_t) == 28, "response record size");
_Static_assert(offsetof(response_record_t, headers) == 4 && offsetof(response_record_t, body) == 16,
               "response record offsets");

static spindle_http_request_t current_request;
static spindle_http_response_t current_response;
static response_record_t response_record;

static const char *const METHOD_NAMES[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};

const char *spindle_http_method_name(spindle_http_method_t method) {
    return (unsigned)method < 7 ? METHOD_NAMES[method] : "UNKNOWN";
}

static bool ascii_iequal(const spindle_string_t *s, const char *name) {
    size_t n = strlen(name);
    if (s->len != n) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)s->ptr[i], b = (unsigned char)name[i];
        if (a >= 'A' && a <= 'Z') a += 32;
        if (b >= 'A' && b <= 'Z') b += 32;
        if (a != b) return false;
    }
    return true;
}

const spindle_string_t *spindle_http_request_header(const spindle_http_request_t *req, const char *name) {
    for (size_t i = 0; i < req->headers.len; i++)
        if (ascii_iequal(&req->headers.ptr[i].name, name)) return &req->headers.ptr[i].value;
    return NULL;
}

void spindle_http_response_set_status(spindle_http_response_t *res, uint16_t status) { res->status = status; }

static char *copy_string(const char *s, size_t len) {
    char *p = malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = 0;
    }
    return p;
}

bool spindle_http_response_add_header(spindle_http_response_t *res, const char *name, const char *value) {
    if (res->headers.len == res->headers_cap) {
        size_t cap = res->headers_cap ? res->headers_cap * 2 : 4;
        spindle_http_header_t *grown = realloc(res->headers_cap ? res->headers.ptr : NULL, cap * sizeof *grown);
        if (!grown) return false;
        res->headers.ptr = grown;
        res->headers_cap = cap;
    }
    size_t nl = strlen(name), vl = strlen(value);
    char *n = copy_string(name, nl), *v = copy_string(value, vl);
    if (!n || !v) {
        free(n);
        free(v);
        return false;
    }
    spindle_http_header_t *h = &res->headers.ptr[res->headers.len++];
    h->name = (spindle_string_t){n, nl};
    h->value = (spindle_string_t){v, vl};
    return true;
}

bool spindle_http_response_set_body(spindle_http_response_t *res, const void *body, size_t len) {
    uint8_t *copy = NULL;
    if (len) {
        copy = malloc(len);
        if (!copy) return false;
        memcpy(copy, body, len);
    }
    spindle_bytes_free(&res->body);
    res->body = (spindle_bytes_t){copy, len};
    res->has_body = true;
    return true;
}

bool spindle_http_response_set_body_str(spindle_http_response_t *res, const char *body) {
    return spindle_http_response_set_body(res, body, strlen(body));
}

static void fix_headers(spindle_http_headers_t *h) {
    if (!h->len) h->ptr = NULL;
    for (size_t i = 0; i < h->len; i++) {
        h->ptr[i].name = take_string(h->ptr[i].name.ptr, h->ptr[i].name.len);
        h->ptr[i].value = take_string(h->ptr[i].value.ptr, h->ptr[i].value.len);
    }
}

/* Frees a header list the host allocated (array and strings; empty ones were never allocated). */
static void headers_free(spindle_http_headers_t *h) {
    for (size_t i = 0; i < h->len; i++) {
        spindle_string_free(&h->ptr[i].name);
        spindle_string_free(&h->ptr[i].value);
    }
    free(h->ptr);
    h->ptr = NULL;
    h->len = 0;
}

void *spindle__http_dispatch(spindle_http_handler_t handler, int32_t method, char *uri_ptr, size_t uri_len,
                             spindle_http_header_t *headers_ptr, size_t headers_len,
                             spindle_http_header_t *params_ptr, size_t params_len, int32_t body_is_some,
                             uint8_t *body_ptr, size_t body_len) {
    spindle_http_request_t *req = &current_request;
    req->method = (spindle_http_method_t)method;
    req->uri = take_string(uri_ptr, uri_len);
    req->headers = (spindle_http_headers_t){headers_ptr, headers_len};
    fix_headers(&req->headers);
    req->params = (spindle_http_headers_t){params_ptr, params_len};
    fix_headers(&req->params);
    req->has_body = body_is_some != 0;
    req->body = req->has_body ? take_bytes(body_ptr, body_len) : take_bytes(NULL, 0);

    spindle_http_response_t *res = &current_response;
    *res = (spindle_http_response_t){.status = 200};
    handler(req, res);

    response_record.status = res->status;
    response_record.headers.is_some = res->headers.len > 0;
    response_record.headers.val = res->headers;
    if (!res->headers.len) response_record.headers.val.ptr = (spindle_http_header_t *)EMPTY_LIST;
    response_record.body.is_some = res->has_body;
    response_record.body.val = res->body;
    if (!res->body.len) response_record.body.val.ptr = EMPTY_LIST;
    return &response_record;
}

/* cabi_post_...: the host has copied the response; free it and the request. */
void spindle__http_post(void *response) {
    (void)response;
    spindle_http_request_t *req = &current_request;
    spindle_string_free(&req->uri);
    headers_free(&req->headers);
    headers_free(&req->params);
    spindle_bytes_free(&req->body);
    spindle_http_response_t *res = &current_response;
    for (size_t i = 0; i < res->headers.len; i++) { /* copies made by add_header: always malloc'd */
        free(res->headers.ptr[i].name.ptr);
        free(res->headers.ptr[i].value.ptr);
    }
    if (res->headers_cap) free(res->headers.ptr);
    res->headers = (spindle_http_headers_t){NULL, 0};
    res->headers_cap = 0;
    spindle_bytes_free(&res->body);
}

/* ---------------------------------------------------------------------------------------------
 * fermyon:spin/inbound-redis#handle-message
 * ------------------------------------------------------------------------------------------- */

/* result<_, error-enum>: disc u8 @0, enum u8 @1 (0 success, 1 error) */
static _Alignas(4) uint8_t message_result[2];

void *spindle__redis_dispatch(spindle_redis_handler_t handler, uint8_t *ptr, size_t len) {
    spindle_bytes_t message = take_bytes(ptr, len);
    bool ok = handler(&message);
    spindle_bytes_free(&message);
    message_result[0] = ok ? 0 : 1;
    message_result[1] = ok ? 0 : 1;
    return message_result;
}
