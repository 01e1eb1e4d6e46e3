/* rate-limit: every request is counted per client with rate-limit (spindle:redis/extended):
 * a fixed window of rate_window_ms starting at the client's first hit, at most rate_limit_max
 * hits in it, counted atomically by Redis.
 *   client = the x-api-key header if present ("key:<value>"), else the caller's address
 *            (the spin-client-addr header the host sets and clients cannot forge; "addr:<ip>")
 *   allowed -> 200, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset-ms
 *   denied  -> 429, the same headers and Retry-After (seconds until the window ends, rounded up) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spindle.h"

static void reply(spindle_http_response_t *res, uint16_t status, const char *body) {
    spindle_http_response_set_status(res, status);
    spindle_http_response_add_header(res, "content-type", "text/plain");
    spindle_http_response_set_body_str(res, body);
}

static void fail(spindle_http_response_t *res, const char *step, spindle_error_t *err) {
    char text[512];
    snprintf(text, sizeof text, "%s: %s\n", step, spindle_error_message(err));
    spindle_error_free(err);
    reply(res, 500, text);
}

/* A numeric variable; false (with a 500) when it is missing or not a positive number. */
static bool number(spindle_http_response_t *res, const char *name, unsigned long long *value) {
    spindle_error_t err;
    spindle_string_t text;
    if (!spindle_variable_get(name, &text, &err)) {
        fail(res, name, &err);
        return false;
    }
    char *end;
    *value = strtoull(text.ptr, &end, 10);
    bool ok = text.len > 0 && *end == 0 && *value > 0;
    spindle_string_free(&text);
    if (!ok) {
        char msg[128];
        snprintf(msg, sizeof msg, "variable %s must be a positive number\n", name);
        reply(res, 500, msg);
    }
    return ok;
}

static void handle(const spindle_http_request_t *req, spindle_http_response_t *res) {
    unsigned long long max, window_ms;
    if (!number(res, "rate_limit_max", &max) || !number(res, "rate_window_ms", &window_ms)) return;
    if (max > UINT32_MAX) max = UINT32_MAX;

    const spindle_string_t *api_key = spindle_http_request_header(req, "x-api-key");
    const spindle_string_t *addr = spindle_http_request_header(req, "spin-client-addr");
    const spindle_string_t *client = api_key && api_key->len > 0 ? api_key : addr;
    if (!client || client->len == 0) return reply(res, 400, "no client address and no x-api-key\n");
    if (client->len > 200) return reply(res, 400, "x-api-key is too long (at most 200 bytes)\n");
    char key[256];
    snprintf(key, sizeof key, "ratelimit:%s:%.*s", client == api_key ? "key" : "addr", (int)client->len, client->ptr);
    if (client == addr) {
        /* "127.0.0.1:54321": the port changes per connection, the address does not */
        char *colon = strrchr(key + strlen("ratelimit:addr:"), ':');
        if (colon) *colon = 0;
    }

    spindle_error_t err;
    spindle_string_t address;
    if (!spindle_variable_get("redis_address", &address, &err)) return fail(res, "redis_address", &err);
    spindle_redis_t conn;
    bool opened = spindle_redis_open(address.ptr, &conn, &err);
    spindle_string_free(&address);
    if (!opened) return fail(res, "open", &err);
    spindle_rate_limit_t status;
    bool limited = spindle_redis_rate_limit(&conn, key, (uint32_t)max, window_ms, &status, &err);
    spindle_redis_close(&conn);
    if (!limited) return fail(res, "rate-limit", &err);

    char value[32];
    snprintf(value, sizeof value, "%llu", max);
    spindle_http_response_add_header(res, "x-ratelimit-limit", value);
    snprintf(value, sizeof value, "%u", (unsigned)status.remaining);
    spindle_http_response_add_header(res, "x-ratelimit-remaining", value);
    snprintf(value, sizeof value, "%llu", (unsigned long long)status.reset_ms);
    spindle_http_response_add_header(res, "x-ratelimit-reset-ms", value);
    char body[400];
    if (status.allowed) {
        snprintf(body, sizeof body, "ok: request %u of %llu in this window for %s\n", (unsigned)status.count, max, key + 10);
        return reply(res, 200, body);
    }
    unsigned long long retry = (status.reset_ms + 999) / 1000;
    if (retry == 0) retry = 1;
    snprintf(value, sizeof value, "%llu", retry);
    spindle_http_response_add_header(res, "retry-after", value);
    snprintf(body, sizeof body, "too many requests for %s: limit %llu per %llu ms, retry in %llu s\n", key + 10, max,
             window_ms, retry);
    reply(res, 429, body);
}

SPINDLE_HTTP_HANDLER(handle)
