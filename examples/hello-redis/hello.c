/* hello-redis: an HTTP counter. Every GET / INCRs "hello-redis:count" in Redis and answers
 * with the new value (the body is the number and a newline). The Redis address is the component variable `redis_address`
 * (spin.toml: application variable of the same name, default redis://127.0.0.1:6379). */
#include <stdio.h>

#include "spindle.h"

static void fail(spindle_http_response_t *res, const char *step, spindle_error_t *err) {
    char text[512];
    snprintf(text, sizeof text, "%s: %s\n", step, spindle_error_message(err));
    spindle_error_free(err);
    spindle_http_response_set_status(res, 500);
    spindle_http_response_add_header(res, "content-type", "text/plain");
    spindle_http_response_set_body_str(res, text);
}

static void handle(const spindle_http_request_t *req, spindle_http_response_t *res) {
    if (req->method != SPINDLE_HTTP_GET) {
        spindle_http_response_set_status(res, 405);
        spindle_http_response_add_header(res, "allow", "GET");
        return;
    }
    spindle_error_t err;
    spindle_string_t address;
    if (!spindle_variable_get("redis_address", &address, &err)) return fail(res, "redis_address", &err);

    spindle_redis_t conn;
    bool opened = spindle_redis_open(address.ptr, &conn, &err);
    spindle_string_free(&address);
    if (!opened) return fail(res, "open", &err);

    int64_t count;
    bool counted = spindle_redis_incr(&conn, "hello-redis:count", &count, &err);
    spindle_redis_close(&conn);
    if (!counted) return fail(res, "incr", &err);

    char body[32];
    snprintf(body, sizeof body, "%lld\n", (long long)count);
    spindle_http_response_add_header(res, "content-type", "text/plain");
    spindle_http_response_set_body_str(res, body);
}

SPINDLE_HTTP_HANDLER(handle)
