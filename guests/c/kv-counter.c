/*
 * kv-counter: a Spin HTTP component counting visits in Spin's key-value store,
 * fermyon:spin/key-value@2.0.0 with hand-written bindings.
 *
 * GET <route>/<label>/<key>: opens store <label>, reads <key> (absent: 0), writes it back plus
 * one, answers 200 "<label>/<key>=<n>\n". GET <route>/<label>/ lists the store's keys, one per
 * line, in the order get-keys gives them. Any error answers 500 with
 * the step and the WIT error case: "open: access-denied", "get: other: <message>".
 */
#include <stdio.h>
#include <stdlib.h>

#include "spin_http.h"

#define KV "fermyon:spin/key-value@2.0.0"

__attribute__((import_module(KV), import_name("[static]store.open"))) void kv_open(const char *, size_t, void *ret);
__attribute__((import_module(KV), import_name("[method]store.get"))) void kv_get(int32_t, const char *, size_t, void *ret);
__attribute__((import_module(KV), import_name("[method]store.set"))) void kv_set(int32_t, const char *, size_t, const void *, size_t, void *ret);
__attribute__((import_module(KV), import_name("[method]store.get-keys"))) void kv_get_keys(int32_t, void *ret);
__attribute__((import_module(KV), import_name("[resource-drop]store"))) void kv_drop(int32_t);

/* result<T, error>: disc u8 @0; ok payload / error variant @4 (disc u8 @4, other's string @8/@12). */
static uint8_t ret[16] __attribute__((aligned(4)));

static const char *error_case(int disc) {
    switch (disc) {
        case 0: return "store-table-full";
        case 1: return "no-such-store";
        case 2: return "access-denied";
        default: return "other";
    }
}

static uint32_t u32_at(int offset) {
    uint32_t v;
    memcpy(&v, ret + offset, 4);
    return v;
}

static int failed(spin_response_t *res, const char *step) {
    if (ret[0] == 0) return 0;
    char text[600];
    int disc = ret[4];
    if (disc == 3) {
        snprintf(text, sizeof text, "%s: other: %.*s\n", step, (int)u32_at(12), (const char *)(uintptr_t)u32_at(8));
    } else {
        snprintf(text, sizeof text, "%s: %s\n", step, error_case(disc));
    }
    spin_set_text(res, 500, text);
    return 1;
}

static void handle(const spin_request_t *req, spin_response_t *res) {
    uint32_t len = 0;
    const char *path = spin_header(req, "spin-path-info", &len);
    if (path == NULL || len < 2) {
        spin_set_text(res, 404, "use /<label>/<key>\n");
        return;
    }
    const char *label = path + 1;
    const char *slash = memchr(label, '/', len - 1);
    if (slash == NULL) {
        spin_set_text(res, 404, "use /<label>/<key>\n");
        return;
    }
    size_t label_len = (size_t)(slash - label);
    const char *key = slash + 1;
    size_t key_len = len - 2 - label_len;

    kv_open(label, label_len, ret);
    if (failed(res, "open")) return;
    int32_t store = (int32_t)u32_at(4);

    if (key_len == 0) {
        kv_get_keys(store, ret);
        if (failed(res, "get-keys")) return;
        uint32_t n = u32_at(8), list = u32_at(4);
        size_t size = 1;
        for (uint32_t i = 0; i < n; i++) size += ((uint32_t *)(uintptr_t)list)[i * 2 + 1] + 1;
        char *body = malloc(size), *at = body;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t *s = (uint32_t *)(uintptr_t)list + i * 2;
            memcpy(at, (const char *)(uintptr_t)s[0], s[1]);
            at += s[1];
            *at++ = '\n';
        }
        res->status = 200;
        res->body = (uint8_t *)body;
        res->body_len = (uint32_t)(at - body);
        kv_drop(store);
        return;
    }

    kv_get(store, key, key_len, ret);
    if (failed(res, "get")) return;
    long long count = 0;
    if (ret[4] == 1) {
        char digits[32] = {0};
        uint32_t n = u32_at(12) < 31 ? u32_at(12) : 31;
        memcpy(digits, (const char *)(uintptr_t)u32_at(8), n);
        count = atoll(digits);
    }
    count++;
    char value[32];
    int value_len = snprintf(value, sizeof value, "%lld", count);
    kv_set(store, key, key_len, value, (size_t)value_len, ret);
    if (failed(res, "set")) return;
    kv_drop(store);

    char text[300];
    snprintf(text, sizeof text, "%.*s/%.*s=%lld\n", (int)label_len, label, (int)key_len, key, count);
    spin_add_header(res, "content-type", "text/plain");
    spin_set_text(res, 200, text);
}

SPIN_REALLOC_EXPORT("cabi_realloc")
SPIN_HTTP_EXPORT("fermyon:spin/inbound-http#handle-request", handle)
