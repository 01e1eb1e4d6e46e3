/*
 * legacy-http: a Spin 1.x-style HTTP component, as wit-bindgen 0.2 built them: it exports
 * `handle-http-request`, `canonical_abi_realloc` and `canonical_abi_free` (no cabi_realloc).
 *
 * Routes, by `spin-path-info` (the component is mounted at a wildcard route):
 *   /files/<path>  the file at /<path> of its `files` mount, like spin-fileserver (serve_file.h)
 *   /echo          200, headers foo: bar and x-method: <method index>, body
 *                  "<uri>|<request header count>|<body>"
 *   anything else  200 "hello from a legacy guest\n"
 *
 * canonical_abi_free records every call (ptr, size, align) in a log the host can read back
 * through `free-log-count` and `free-log-entry(i, field)`, so a test can check the host frees
 * each returned list exactly once, with the size and alignment wit-bindgen 0.2 hosts used.
 */
#include <stdio.h>

#include "serve_file.h"

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
    spin_set_text(res, 200, "hello from a legacy guest\n");
}

SPIN_REALLOC_EXPORT("canonical_abi_realloc")
SPIN_HTTP_EXPORT("handle-http-request", handle)
