/*
 * A wasi:http test handler, the same logic for every binding (shim.h). Routes, by path:
 *   /hello                 200 "hello from wasi:http <version>\n"
 *   /echo?status=N         status N (default 200); headers x-method, x-path-with-query,
 *                          x-authority, x-scheme, x-version, x-header-count and, for every
 *                          request header named x-* or spin-*, x-echo-<name> with the same value(s);
 *                          the request body streamed back in 64 KiB chunks
 *   /sum                   reads the body in chunks; 200 "bytes=N fnv1a=XXXXXXXX\n" (500 if a read fails)
 *   /big?bytes=N           streams N bytes of 'a'..'z' in 64 KiB writes
 *   /trailers              reads the body, then its trailers; the body lists them
 *                          ("bytes=N\n" then "trailer NAME: VALUE\n" each, or "no trailers\n");
 *                          response trailers x-body-bytes and x-fnv1a
 *   /trap-mid-body         starts a 200, writes 64 KiB, flushes, then traps
 *   /no-response           returns without setting the response
 *   /error                 response-outparam.set(err(internal-error("guest says no")))
 *   /immutable             tries to append to the request's headers: "header-error=N\n"
 *   /outbound?url=U&timeout=MS   sends the request's method and body to U; answers the
 *                          upstream status in x-upstream-status with its body (x-upstream-body:
 *                          complete, or failed when reading it failed, e.g. past the host's limit), or
 *                          502 "outbound error: CODE\n"
 * Anything else: 404 "no route PATH\n". Routing looks at the path's last segment only, so one app
 * can mount each version under its own prefix (/v020/hello, /rc1018/hello).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "shim.h"

#define CHUNK 65536
static uint8_t BUF[CHUNK];

void free_fields(field_list_t f) {
    for (size_t i = 0; i < f.len; i++) {
        free(f.items[i].name);
        if (f.items[i].value_len > 0) {
            free(f.items[i].value);
        }
    }
    free(f.items);
}

static field_t field(const char *name, const char *value) {
    field_t f = {(char *)name, strlen(name), (uint8_t *)value, strlen(value)};
    return f;
}

/* The value of query parameter `key` in `pq` (a path-with-query), copied into out; 0 if absent. */
static int query_param(const char *pq, const char *key, char *out, size_t cap) {
    const char *q = strchr(pq, '?');
    size_t klen = strlen(key);
    while (q) {
        q++;
        if (strncmp(q, key, klen) == 0 && q[klen] == '=') {
            const char *v = q + klen + 1;
            size_t n = strcspn(v, "&");
            if (n >= cap) {
                n = cap - 1;
            }
            memcpy(out, v, n);
            out[n] = 0;
            return 1;
        }
        q = strchr(q, '&');
    }
    return 0;
}

static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static void simple(handle_t outparam, int status, const char *body) {
    field_t h[1] = {field("content-type", "text/plain")};
    out_body_t ob;
    if (resp_start(outparam, status, h, 1, &ob) != 0) {
        __builtin_trap();
    }
    out_write_all(ob.stream, (const uint8_t *)body, strlen(body));
    resp_finish(ob, 0, -1);
}

static void echo(handle_t req, handle_t outparam, const char *pq) {
    char status_text[8];
    int status = query_param(pq, "status", status_text, sizeof status_text) ? atoi(status_text) : 200;
    str_t method = req_method(req);
    str_t authority = {"", 0}, scheme = {"", 0};
    int has_authority = req_authority(req, &authority);
    int has_scheme = req_scheme(req, &scheme);
    field_list_t in = req_headers(req);

    size_t cap = in.len + 8, n = 0;
    field_t *out = calloc(cap, sizeof(field_t));
    char **names = calloc(in.len + 1, sizeof(char *));
    char count[16];
    snprintf(count, sizeof count, "%zu", in.len);
    out[n++] = field("x-method", method.ptr);
    out[n++] = field("x-path-with-query", pq);
    out[n++] = field("x-authority", has_authority ? authority.ptr : "(none)");
    out[n++] = field("x-scheme", has_scheme ? scheme.ptr : "(none)");
    out[n++] = field("x-version", SHIM_VERSION);
    out[n++] = field("x-header-count", count);
    for (size_t i = 0; i < in.len; i++) {
        if ((in.items[i].name_len > 2 && strncmp(in.items[i].name, "x-", 2) == 0)
            || (in.items[i].name_len > 5 && strncmp(in.items[i].name, "spin-", 5) == 0)) {
            names[i] = malloc(in.items[i].name_len + 8);
            memcpy(names[i], "x-echo-", 7);
            memcpy(names[i] + 7, in.items[i].name, in.items[i].name_len);
            out[n].name = names[i];
            out[n].name_len = in.items[i].name_len + 7;
            out[n].value = in.items[i].value;
            out[n].value_len = in.items[i].value_len;
            n++;
        }
    }
    handle_t body, stream;
    if (req_body(req, &body, &stream) != 0) {
        __builtin_trap();
    }
    out_body_t ob;
    if (resp_start(outparam, status, out, n, &ob) != 0) {
        __builtin_trap();
    }
    long got;
    while ((got = in_read(stream, BUF, CHUNK)) > 0) {
        if (out_write_all(ob.stream, BUF, (size_t)got) != 0) {
            break;
        }
    }
    in_drop(stream);
    int present;
    free_fields(body_finish(body, &present));
    resp_finish(ob, 0, -1);
}

static void sum(handle_t req, handle_t outparam, int with_trailers) {
    handle_t body, stream;
    if (req_body(req, &body, &stream) != 0) {
        __builtin_trap();
    }
    size_t total = 0;
    uint32_t h = 2166136261u;
    long got;
    while ((got = in_read(stream, BUF, CHUNK)) > 0) {
        total += (size_t)got;
        h = fnv1a(h, BUF, (size_t)got);
    }
    in_drop(stream);
    if (got < 0) { /* as an SDK handler returning its read error would */
        simple(outparam, 500, "reading the request body failed\n");
        return;
    }
    int present;
    field_list_t trailers = body_finish(body, &present);
    char text[4096];
    if (!with_trailers) {
        snprintf(text, sizeof text, "bytes=%zu fnv1a=%08x\n", total, h);
        simple(outparam, 200, text);
        free_fields(trailers);
        return;
    }
    size_t len = (size_t)snprintf(text, sizeof text, "bytes=%zu\n", total);
    if (!present) {
        len += (size_t)snprintf(text + len, sizeof text - len, "no trailers\n");
    }
    for (size_t i = 0; i < trailers.len && len < sizeof text; i++) {
        len += (size_t)snprintf(text + len, sizeof text - len, "trailer %.*s: %.*s\n",
                                (int)trailers.items[i].name_len, trailers.items[i].name,
                                (int)trailers.items[i].value_len, (const char *)trailers.items[i].value);
    }
    free_fields(trailers);
    field_t hs[1] = {field("content-type", "text/plain")};
    out_body_t ob;
    if (resp_start(outparam, 200, hs, 1, &ob) != 0) {
        __builtin_trap();
    }
    out_write_all(ob.stream, (const uint8_t *)text, strlen(text));
    char bytes[24], hash[12];
    snprintf(bytes, sizeof bytes, "%zu", total);
    snprintf(hash, sizeof hash, "%08x", h);
    field_t ts[2] = {field("x-body-bytes", bytes), field("x-fnv1a", hash)};
    resp_finish(ob, ts, 2);
}

static void big(handle_t outparam, const char *pq) {
    char text[24];
    unsigned long long want = query_param(pq, "bytes", text, sizeof text) ? strtoull(text, 0, 10) : 0;
    for (size_t i = 0; i < CHUNK; i++) {
        BUF[i] = (uint8_t)('a' + i % 26);
    }
    field_t h[1] = {field("content-type", "application/octet-stream")};
    out_body_t ob;
    if (resp_start(outparam, 200, h, 1, &ob) != 0) {
        __builtin_trap();
    }
    /* Chunks start at multiples of CHUNK, and CHUNK % 26 != 0, so shift the pattern per chunk. */
    unsigned long long sent = 0;
    while (sent < want) {
        size_t n = want - sent < CHUNK ? (size_t)(want - sent) : CHUNK;
        size_t phase = (size_t)(sent % 26);
        for (size_t i = 0; i < n; i++) {
            BUF[i] = (uint8_t)('a' + (phase + i) % 26);
        }
        if (out_write_all(ob.stream, BUF, n) != 0) {
            return; /* the host cut the stream off: stop, as a real guest would */
        }
        sent += n;
    }
    resp_finish(ob, 0, -1);
}

static void trap_mid_body(handle_t outparam) {
    memset(BUF, 'x', CHUNK);
    field_t h[1] = {field("content-type", "text/plain")};
    out_body_t ob;
    if (resp_start(outparam, 200, h, 1, &ob) != 0) {
        return;
    }
    out_write_all(ob.stream, BUF, CHUNK);
    __builtin_trap();
}

/* Splits scheme://authority/path?query; 0 if it is not such a URL. */
static int split_url(const char *url, char *scheme, char *authority, char *pq) {
    const char *sep = strstr(url, "://");
    if (!sep || sep - url > 15) {
        return 0;
    }
    memcpy(scheme, url, (size_t)(sep - url));
    scheme[sep - url] = 0;
    const char *a = sep + 3;
    size_t alen = strcspn(a, "/?");
    if (alen > 255) {
        return 0;
    }
    memcpy(authority, a, alen);
    authority[alen] = 0;
    const char *rest = a + alen;
    if (*rest == 0) {
        strcpy(pq, "/");
    } else if (*rest == '?') {
        pq[0] = '/';
        strncpy(pq + 1, rest, 1022);
        pq[1023] = 0;
    } else {
        strncpy(pq, rest, 1023);
        pq[1023] = 0;
    }
    return 1;
}

static void percent_decode(char *s) {
    char *o = s;
    for (; *s; s++) {
        if (*s == '%' && s[1] && s[2]) {
            char hex[3] = {s[1], s[2], 0};
            *o++ = (char)strtol(hex, 0, 16);
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = 0;
}

static void do_outbound(handle_t req, handle_t outparam, const char *pq) {
    static char url[1024], scheme[16], authority[256], path[1024], timeout[16];
    if (!query_param(pq, "url", url, sizeof url)) {
        simple(outparam, 400, "missing url\n");
        return;
    }
    percent_decode(url);
    if (!split_url(url, scheme, authority, path)) {
        simple(outparam, 400, "bad url\n");
        return;
    }
    uint32_t timeout_ms = query_param(pq, "timeout", timeout, sizeof timeout) ? (uint32_t)atoi(timeout) : 0;
    str_t method = req_method(req);
    handle_t body, stream;
    size_t len = 0;
    const size_t cap = 1 << 20; /* on the heap: a static buffer would make every instance's memory 1 MiB larger */
    uint8_t *payload = malloc(cap);
    if (req_body(req, &body, &stream) == 0) {
        long got;
        while (len < cap && (got = in_read(stream, payload + len, cap - len)) > 0) {
            len += (size_t)got;
        }
        in_drop(stream);
        int present;
        free_fields(body_finish(body, &present));
    }
    outbound_result_t r;
    outbound(method.ptr, scheme, authority, path, payload, len, timeout_ms, 4 << 20, &r);
    free(payload);
    if (r.status == 0) {
        char text[256];
        snprintf(text, sizeof text, "outbound error: %s\n", r.error);
        simple(outparam, 502, text);
        return;
    }
    char status[8];
    snprintf(status, sizeof status, "%d", r.status);
    field_t h[3] = {field("content-type", "application/octet-stream"), field("x-upstream-status", status),
                    field("x-upstream-body", r.body_failed ? "failed" : "complete")};
    out_body_t ob;
    if (resp_start(outparam, 200, h, 3, &ob) != 0) {
        __builtin_trap();
    }
    out_write_all(ob.stream, r.body, r.body_len);
    resp_finish(ob, 0, -1);
    free(r.body);
    free_fields(r.headers);
}

void app_handle(handle_t req, handle_t outparam) {
    str_t pq = {"/", 1};
    if (!req_path_with_query(req, &pq)) {
        pq.ptr = "/";
    }
    size_t plen = strcspn(pq.ptr, "?");
    const char *last = pq.ptr;
    for (size_t i = 0; i < plen; i++) {
        if (pq.ptr[i] == '/') {
            last = pq.ptr + i;
        }
    }
    plen -= (size_t)(last - pq.ptr);
    char path[256];
    if (plen >= sizeof path) {
        plen = sizeof path - 1;
    }
    memcpy(path, last, plen);
    path[plen] = 0;

    if (strcmp(path, "/hello") == 0) {
        char text[64];
        snprintf(text, sizeof text, "hello from wasi:http %s\n", SHIM_VERSION);
        simple(outparam, 200, text);
    } else if (strcmp(path, "/echo") == 0) {
        echo(req, outparam, pq.ptr);
    } else if (strcmp(path, "/sum") == 0) {
        sum(req, outparam, 0);
    } else if (strcmp(path, "/trailers") == 0) {
        sum(req, outparam, 1);
    } else if (strcmp(path, "/big") == 0) {
        big(outparam, pq.ptr);
    } else if (strcmp(path, "/trap-mid-body") == 0) {
        trap_mid_body(outparam);
    } else if (strcmp(path, "/no-response") == 0) {
        /* never sets the outparam: the host must answer 500 */
    } else if (strcmp(path, "/error") == 0) {
        resp_error(outparam, "guest says no");
    } else if (strcmp(path, "/immutable") == 0) {
        char text[32];
        snprintf(text, sizeof text, "header-error=%d\n", fields_try_mutate_request_headers(req));
        simple(outparam, 200, text);
    } else if (strcmp(path, "/outbound") == 0) {
        do_outbound(req, outparam, pq.ptr);
    } else {
        char text[300];
        snprintf(text, sizeof text, "no route %s\n", path);
        simple(outparam, 404, text);
    }
    req_drop(req);
}
