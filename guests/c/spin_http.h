/*
 * Hand-written bindings for Spin's inbound HTTP export, shared by the C test guests.
 *
 * The request and response records are the same in every generation of the interface (the
 * wit-bindgen 0.2 `spin-http.handle-http-request` of Spin 1.x and the Component Model's
 * `fermyon:spin/inbound-http#handle-request`); only the export and allocator names differ,
 * which each guest picks.
 *
 * Core signature: (method, uri_ptr, uri_len, headers_ptr, headers_len, params_ptr, params_len,
 * body_is_some, body_ptr, body_len) -> response_ptr.
 * headers/params: list<tuple<string, string>>, 16-byte elements (key ptr, key len, value ptr, value len).
 * response (28 bytes, align 4): status u16 @0; headers option disc u8 @4, list ptr @8, len @12;
 * body option disc u8 @16, ptr @20, len @24.
 */
#ifndef SPIN_HTTP_H
#define SPIN_HTTP_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *key;
    uint32_t key_len;
    const char *value;
    uint32_t value_len;
} spin_header_t;

typedef struct {
    uint8_t method;
    const char *uri;
    uint32_t uri_len;
    const spin_header_t *headers;
    uint32_t headers_len;
    const uint8_t *body;
    uint32_t body_len;
    int has_body;
} spin_request_t;

#define SPIN_MAX_RESPONSE_HEADERS 8

typedef struct {
    uint16_t status;
    spin_header_t headers[SPIN_MAX_RESPONSE_HEADERS];
    uint32_t headers_len;
    uint8_t *body;
    uint32_t body_len;
} spin_response_t;

/* The value of request header `name` (lower case), or NULL; its length in *len. */
static inline const char *spin_header(const spin_request_t *req, const char *name, uint32_t *len) {
    size_t n = strlen(name);
    for (uint32_t i = 0; i < req->headers_len; i++) {
        if (req->headers[i].key_len == n && memcmp(req->headers[i].key, name, n) == 0) {
            *len = req->headers[i].value_len;
            return req->headers[i].value;
        }
    }
    return NULL;
}

/* A heap copy of bytes (the host frees response lists through the guest's allocator). */
static inline char *spin_dup(const char *s, uint32_t len) {
    char *p = malloc(len ? len : 1);
    memcpy(p, s, len);
    return p;
}

static inline void spin_add_header(spin_response_t *res, const char *key, const char *value) {
    if (res->headers_len == SPIN_MAX_RESPONSE_HEADERS) return;
    spin_header_t *h = &res->headers[res->headers_len++];
    h->key_len = strlen(key);
    h->key = spin_dup(key, h->key_len);
    h->value_len = strlen(value);
    h->value = spin_dup(value, h->value_len);
}

static inline void spin_set_body(spin_response_t *res, const void *data, uint32_t len) {
    res->body = (uint8_t *)spin_dup(data, len);
    res->body_len = len;
}

static inline void spin_set_text(spin_response_t *res, uint16_t status, const char *text) {
    res->status = status;
    spin_set_body(res, text, strlen(text));
}

/* Lowers a response into the static return area; every list is a fresh heap allocation. */
static uint8_t spin_response_area[28] __attribute__((aligned(4)));

static inline int32_t spin_lower_response(const spin_response_t *res) {
    uint8_t *r = spin_response_area;
    memset(r, 0, sizeof spin_response_area);
    uint16_t status = res->status;
    memcpy(r, &status, 2);
    if (res->headers_len > 0) {
        spin_header_t *list = malloc(sizeof(spin_header_t) * res->headers_len);
        memcpy(list, res->headers, sizeof(spin_header_t) * res->headers_len);
        r[4] = 1;
        int32_t ptr = (int32_t)(intptr_t)list, len = (int32_t)res->headers_len;
        memcpy(r + 8, &ptr, 4);
        memcpy(r + 12, &len, 4);
    }
    if (res->body != NULL) {
        r[16] = 1;
        int32_t ptr = (int32_t)(intptr_t)res->body, len = (int32_t)res->body_len;
        memcpy(r + 20, &ptr, 4);
        memcpy(r + 24, &len, 4);
    }
    return (int32_t)(intptr_t)r;
}

/*
 * Defines the export `name` over `void handler(const spin_request_t *, spin_response_t *)`.
 * The arguments were allocated by the host through the guest's allocator and are the guest's
 * to free, as the canonical ABI says.
 */
#define SPIN_HTTP_EXPORT(name, handler)                                                          \
    __attribute__((export_name(name))) int32_t spin_http_export(                                 \
        int32_t method, int32_t uri_ptr, int32_t uri_len, int32_t headers_ptr, int32_t headers_len, \
        int32_t params_ptr, int32_t params_len, int32_t body_is_some, int32_t body_ptr,          \
        int32_t body_len) {                                                                      \
        spin_request_t req = {                                                                   \
            .method = (uint8_t)method,                                                           \
            .uri = (const char *)(intptr_t)uri_ptr,                                              \
            .uri_len = (uint32_t)uri_len,                                                        \
            .headers = (const spin_header_t *)(intptr_t)headers_ptr,                             \
            .headers_len = (uint32_t)headers_len,                                                \
            .body = body_is_some ? (const uint8_t *)(intptr_t)body_ptr : NULL,                   \
            .body_len = body_is_some ? (uint32_t)body_len : 0,                                   \
            .has_body = body_is_some,                                                            \
        };                                                                                       \
        (void)params_ptr;                                                                        \
        (void)params_len;                                                                        \
        spin_response_t res = {.status = 200};                                                   \
        handler(&req, &res);                                                                     \
        return spin_lower_response(&res);                                                        \
    }

/* Defines the allocator export `name` (cabi_realloc or canonical_abi_realloc) over realloc. */
#define SPIN_REALLOC_EXPORT(name)                                                                \
    __attribute__((export_name(name))) void *spin_realloc_export(void *old, size_t old_size,     \
                                                                 size_t align, size_t new_size) { \
        (void)old_size;                                                                          \
        (void)align; /* malloc aligns to 16 */                                                   \
        if (new_size == 0) return (void *)align;                                                 \
        void *p = realloc(old, new_size);                                                        \
        if (p == NULL) __builtin_trap();                                                         \
        return p;                                                                                \
    }

#endif
