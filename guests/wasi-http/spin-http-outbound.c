/*
 * A Spin HTTP component (fermyon:spin/inbound-http, canonical ABI) that sends one outbound request
 * through Spin's pre-wasi:http interfaces, to test them from a real guest:
 *   GET /?iface=spin&url=U     fermyon:spin/http.send-request (unversioned; Rust SDK 1.x)
 *   GET /?iface=legacy&url=U   wasi-outbound-http.request (Spin 0.x/1.x, wit-bindgen 0.2: the host
 *                              allocates results through canonical_abi_realloc)
 *   GET .../hello              200 "hello from inbound-http\n" (the benchmark's baseline handler)
 * U is percent-decoded; a U starting with '/' is a request to the app itself. The request's own
 * method and body are sent on. Answers 200 with x-upstream-status and the upstream body, or 502
 * "error N" with the http-error discriminant (1 destination-not-allowed, 2 invalid-url,
 * 3 request-error, 4 runtime-error, 5 too-many-requests).
 *
 * Hand-written layouts (both interfaces share them):
 *   request (flat): method, uri ptr/len, headers ptr/len, params ptr/len, body option (disc, ptr, len)
 *   result<response, http-error> return area, 32 bytes: disc @0; response: status u16 @4,
 *     headers option<list<tuple<string,string>>> @8 (disc, ptr @12, len @16),
 *     body option<list<u8>> @20 (disc, ptr @24, len @28); or error u8 @4
 *   inbound-http response record (returned pointer), 28 bytes: status u16 @0, headers option @4,
 *     body option @16 (disc, ptr @20, len @24)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
IMPORT("fermyon:spin/http", "send-request")
void spin_send_request(int, const char *, size_t, const void *, size_t, const void *, size_t, int, const uint8_t *, size_t, void *);
IMPORT("wasi-outbound-http", "request")
void legacy_request(int, const char *, size_t, const void *, size_t, const void *, size_t, int, const uint8_t *, size_t, void *);

static _Alignas(8) uint8_t RET[32];
static _Alignas(8) uint8_t RESPONSE[28];

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

/* wit-bindgen 0.2's allocator: the legacy import hands its results over through this one. */
__attribute__((export_name("canonical_abi_realloc")))
void *canonical_abi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
    return cabi_realloc(old, old_size, align, new_size);
}

__attribute__((export_name("canonical_abi_free")))
void canonical_abi_free(void *ptr, size_t size, size_t align) {
    (void)align;
    if (size > 0) {
        free(ptr);
    }
}

static int param(const char *uri, size_t len, const char *key, char *out, size_t cap) {
    size_t klen = strlen(key);
    for (size_t i = 0; i + klen < len; i++) {
        if ((uri[i] == '?' || uri[i] == '&') && strncmp(uri + i + 1, key, klen) == 0 && uri[i + 1 + klen] == '=') {
            size_t j = i + 2 + klen, n = 0;
            while (j < len && uri[j] != '&' && n + 1 < cap) {
                if (uri[j] == '%' && j + 2 < len) {
                    char hex[3] = {uri[j + 1], uri[j + 2], 0};
                    out[n++] = (char)strtol(hex, 0, 16);
                    j += 3;
                } else {
                    out[n++] = uri[j++];
                }
            }
            out[n] = 0;
            return 1;
        }
    }
    return 0;
}

static void respond(int status, const char *h_name, const char *h_value, const uint8_t *body, size_t body_len) {
    memset(RESPONSE, 0, sizeof RESPONSE);
    *(uint16_t *)RESPONSE = (uint16_t)status;
    if (h_name) {
        uint32_t *pair = malloc(16);
        pair[0] = (uint32_t)(uintptr_t)h_name;
        pair[1] = strlen(h_name);
        pair[2] = (uint32_t)(uintptr_t)h_value;
        pair[3] = strlen(h_value);
        RESPONSE[4] = 1;
        *(uint32_t *)(RESPONSE + 8) = (uint32_t)(uintptr_t)pair;
        *(uint32_t *)(RESPONSE + 12) = 1;
    }
    RESPONSE[16] = 1;
    *(uint32_t *)(RESPONSE + 20) = (uint32_t)(uintptr_t)body;
    *(uint32_t *)(RESPONSE + 24) = body_len;
}

static char STATUS[8];
static char TEXT[32];

__attribute__((export_name("fermyon:spin/inbound-http#handle-request")))
void *handle_request(int method, const char *uri, size_t uri_len, const void *headers, size_t headers_len,
                     const void *params, size_t params_len, int has_body, const uint8_t *body, size_t body_len) {
    (void)headers;
    (void)headers_len;
    (void)params;
    (void)params_len;
    static char iface[16], url[1024];
    size_t path_len = 0;
    while (path_len < uri_len && uri[path_len] != '?') {
        path_len++;
    }
    if (path_len >= 6 && memcmp(uri + path_len - 6, "/hello", 6) == 0) {
        static const char hello[] = "hello from inbound-http\n";
        respond(200, "content-type", "text/plain", (const uint8_t *)hello, sizeof hello - 1);
        return RESPONSE;
    }
    if (!param(uri, uri_len, "iface", iface, sizeof iface) || !param(uri, uri_len, "url", url, sizeof url)) {
        respond(400, 0, 0, (const uint8_t *)"need iface and url", 18);
        return RESPONSE;
    }
    memset(RET, 0xAA, sizeof RET); /* the host must write every byte it reports */
    if (strcmp(iface, "legacy") == 0) {
        legacy_request(method, url, strlen(url), 0, 0, 0, 0, has_body, body, body_len, RET);
    } else {
        spin_send_request(method, url, strlen(url), 0, 0, 0, 0, has_body, body, body_len, RET);
    }
    if (RET[0] != 0) {
        TEXT[0] = 0;
        strcpy(TEXT, "error ");
        TEXT[6] = (char)('0' + RET[4]);
        TEXT[7] = 0;
        respond(502, 0, 0, (const uint8_t *)TEXT, 7);
        return RESPONSE;
    }
    int status = *(uint16_t *)(RET + 4);
    STATUS[0] = (char)('0' + status / 100);
    STATUS[1] = (char)('0' + status / 10 % 10);
    STATUS[2] = (char)('0' + status % 10);
    STATUS[3] = 0;
    const uint8_t *upstream = RET[20] ? (const uint8_t *)(uintptr_t)*(uint32_t *)(RET + 24) : (const uint8_t *)"";
    size_t upstream_len = RET[20] ? *(uint32_t *)(RET + 28) : 0;
    respond(200, "x-upstream-status", STATUS, upstream, upstream_len);
    return RESPONSE;
}
