/*
 * legacy-http: a Spin 1.x-style HTTP component, as wit-bindgen 0.2 built them: it exports
 * `handle-http-request`, `canonical_abi_realloc` and `canonical_abi_free` (no cabi_realloc).
 *
 * Routes, by `spin-path-info` (the component is mounted at a wildcard route):
 *   /files/<path>   the file at /<path> of its `files` mount, like spin-fileserver (serve_file.h)
 *   /echo           200, headers foo: bar and x-method: <method index>, body
 *                   "<uri>|<request header count>|<body>"
 *   /config/<key>   spin-config.get-config(key): 200 "<value>", or 500 "<error case>: <message>"
 *   /uconfig/<key>  the same through the unversioned fermyon:spin/config
 *   /redis/<key>    outbound-redis.incr(config "redis_address", key): 200 "<n>", or 500 "redis error"
 *   /kv/<key>       key-value "default": get key (absent: 0), set it to n + 1, 200 "<n + 1>"
 *   anything else   200 "hello from a legacy guest\n"
 *
 * canonical_abi_free records every call (ptr, size, align) in a log the host can read back
 * through `free-log-count` and `free-log-entry(i, field)`, so a test can check the host frees
 * each returned list exactly once, with the size and alignment wit-bindgen 0.2 hosts used.
 */
#include <stdio.h>

#include "serve_file.h"
#include "spin_legacy.h"

#define FREE_LOG_MAX 64
static uint32_t free_log[FREE_LOG_MAX][3];
static uint32_t free_log_count;

__attribute__((export_name("canonical_abi_free"))) void canonical_abi_free(void *ptr, size_t size, size_t align) {
    if (free_log_count < FREE_LOG_MAX) {
        free_log[free_log_count][0] = (uint32_t)(uintptr_t)ptr;
        free_log[free_log_count][1] = (uint32_t)size;
        free_log[free_log_count][2] = (uint32_t)align;
    }
    free_log_count++;
    if (size != 0) free(ptr);
}

__attribute__((export_name("free-log-count"))) uint32_t free_log_count_export(void) {
    return free_log_count;
}

/* field 0: ptr, 1: size, 2: align */
__attribute__((export_name("free-log-entry"))) uint32_t free_log_entry(uint32_t i, uint32_t field) {
    if (i >= FREE_LOG_MAX || field > 2) __builtin_trap();
    return free_log[i][field];
}

static uint8_t ret[16] __attribute__((aligned(8)));

static const char *config_case(int disc) {
    static const char *cases[] = {"provider", "invalid-key", "invalid-schema", "other"};
    return disc < 4 ? cases[disc] : "?";
}

/* 0 and the value in *value / *len, or writes the error response and returns -1. */
static int config(int unversioned, const char *key, size_t key_len, const char **value, uint32_t *len, spin_response_t *res) {
    if (unversioned) {
        fermyon_config_get_config(key, key_len, ret);
    } else {
        spin_config_get_config(key, key_len, ret);
    }
    if (ret[0] != 0) {
        char text[600];
        snprintf(text, sizeof text, "%s: %.*s\n", config_case(ret[4]), (int)legacy_u32(ret, 12),
                 (const char *)(uintptr_t)legacy_u32(ret, 8));
        spin_set_text(res, 500, text);
        return -1;
    }
    *value = (const char *)(uintptr_t)legacy_u32(ret, 4);
    *len = legacy_u32(ret, 8);
    return 0;
}

static void redis_incr(const char *key, size_t key_len, spin_response_t *res) {
    const char *address;
    uint32_t address_len;
    if (config(0, "redis_address", 13, &address, &address_len, res) != 0) return;
    outbound_redis_incr(address, address_len, key, key_len, ret);
    if (ret[0] != 0) {
        spin_set_text(res, 500, "redis error\n");
        return;
    }
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)legacy_s64(ret, 8));
    spin_set_text(res, 200, text);
}

static void kv_count(const char *key, size_t key_len, spin_response_t *res) {
    char text[600];
    key_value_open("default", 7, ret);
    if (ret[0] != 0) {
        snprintf(text, sizeof text, "open: error %u\n", ret[4]);
        spin_set_text(res, 500, text);
        return;
    }
    uint32_t store = legacy_u32(ret, 4);
    long long n = 0;
    key_value_get(store, key, key_len, ret);
    if (ret[0] == 0) {
        char digits[32] = {0};
        uint32_t len = legacy_u32(ret, 8) < 31 ? legacy_u32(ret, 8) : 31;
        memcpy(digits, (const char *)(uintptr_t)legacy_u32(ret, 4), len);
        n = atoll(digits);
    } else if (ret[4] != 4) { /* anything but no-such-key */
        snprintf(text, sizeof text, "get: error %u\n", ret[4]);
        spin_set_text(res, 500, text);
        return;
    }
    n++;
    char value[32];
    int value_len = snprintf(value, sizeof value, "%lld", n);
    key_value_set(store, key, key_len, value, (size_t)value_len, ret);
    key_value_close(store);
    if (ret[0] != 0) {
        snprintf(text, sizeof text, "set: error %u\n", ret[4]);
        spin_set_text(res, 500, text);
        return;
    }
    spin_set_text(res, 200, value);
}

static int starts_with(const char *s, uint32_t len, const char *prefix) {
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

static void handle(const spin_request_t *req, spin_response_t *res) {
    uint32_t len = 0;
    const char *path = spin_header(req, "spin-path-info", &len);
    if (path == NULL) {
        path = "";
        len = 0;
    }
    if (starts_with(path, len, "/files/")) {
        serve_file(req, res, path + 6, len - 6);
        return;
    }
    if (len == 5 && memcmp(path, "/echo", 5) == 0) {
        char method[8];
        snprintf(method, sizeof method, "%u", req->method);
        spin_add_header(res, "foo", "bar");
        spin_add_header(res, "x-method", method);
        size_t size = req->uri_len + req->body_len + 32;
        char *body = malloc(size);
        int n = snprintf(body, size, "%.*s|%u|", (int)req->uri_len, req->uri, req->headers_len);
        memcpy(body + n, req->body ? (const char *)req->body : "", req->body_len);
        res->status = 200;
        res->body = (uint8_t *)body;
        res->body_len = (uint32_t)n + req->body_len;
        return;
    }
    const char *value;
    uint32_t value_len;
    if (starts_with(path, len, "/config/") || starts_with(path, len, "/uconfig/")) {
        int unversioned = path[1] == 'u';
        size_t skip = unversioned ? 9 : 8;
        if (config(unversioned, path + skip, len - skip, &value, &value_len, res) == 0) {
            res->status = 200;
            spin_set_body(res, value, value_len);
        }
        return;
    }
    if (starts_with(path, len, "/redis/")) {
        redis_incr(path + 7, len - 7, res);
        return;
    }
    if (starts_with(path, len, "/kv/")) {
        kv_count(path + 4, len - 4, res);
        return;
    }
    spin_set_text(res, 200, "hello from a legacy guest\n");
}

SPIN_REALLOC_EXPORT("canonical_abi_realloc")
SPIN_HTTP_EXPORT("handle-http-request", handle)
