/* queue producer: the HTTP side of a job queue kept in a Redis list.
 *   POST /jobs     body = a job: RPUSH queue:jobs <body> (push); 202, body "queued, N waiting"
 *   GET  /stats    {"queued": LLEN queue:jobs, "processed": GET queue:processed}
 *   GET  /results  the last 10 results the worker stored (LRANGE queue:results -10 -1), one a line
 * The worker (worker.c) runs every second on the cron trigger and drains the list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spindle.h"

static void reply(spindle_http_response_t *res, uint16_t status, const char *type, const char *body) {
    spindle_http_response_set_status(res, status);
    spindle_http_response_add_header(res, "content-type", type);
    spindle_http_response_set_body_str(res, body);
}

static void fail(spindle_http_response_t *res, const char *step, spindle_error_t *err) {
    char text[512];
    snprintf(text, sizeof text, "%s: %s\n", step, spindle_error_message(err));
    spindle_error_free(err);
    reply(res, 500, "text/plain", text);
}

static bool path_is(const spindle_http_request_t *req, const char *path) {
    size_t n = strlen(path);
    return req->uri.len >= n && memcmp(req->uri.ptr, path, n) == 0 && (req->uri.len == n || req->uri.ptr[n] == '?');
}

static void handle(const spindle_http_request_t *req, spindle_http_response_t *res) {
    bool jobs = path_is(req, "/jobs"), stats = path_is(req, "/stats"), results = path_is(req, "/results");
    if (!jobs && !stats && !results) return reply(res, 404, "text/plain", "routes: POST /jobs, GET /stats, GET /results\n");
    if (jobs && req->method != SPINDLE_HTTP_POST) return reply(res, 405, "text/plain", "use POST\n");
    if (!jobs && req->method != SPINDLE_HTTP_GET) return reply(res, 405, "text/plain", "use GET\n");
    if (jobs && (!req->has_body || req->body.len == 0)) return reply(res, 400, "text/plain", "send the job as the body\n");

    spindle_error_t err;
    spindle_string_t address;
    if (!spindle_variable_get("redis_address", &address, &err)) return fail(res, "redis_address", &err);
    spindle_redis_t conn;
    bool opened = spindle_redis_open(address.ptr, &conn, &err);
    spindle_string_free(&address);
    if (!opened) return fail(res, "open", &err);

    char text[128];
    if (jobs) {
        uint32_t length;
        bool pushed = spindle_redis_push(&conn, "queue:jobs", &req->body, 1, &length, &err);
        spindle_redis_close(&conn);
        if (!pushed) return fail(res, "push", &err);
        snprintf(text, sizeof text, "queued, %u waiting\n", (unsigned)length);
        return reply(res, 202, "text/plain", text);
    }
    if (stats) {
        uint32_t queued;
        spindle_bytes_t processed;
        bool found;
        if (!spindle_redis_count(&conn, "queue:jobs", &queued, &err) ||
            !spindle_redis_get(&conn, "queue:processed", &processed, &found, &err)) {
            spindle_redis_close(&conn);
            return fail(res, "stats", &err);
        }
        spindle_redis_close(&conn);
        snprintf(text, sizeof text, "{\"queued\":%u,\"processed\":%s}\n", (unsigned)queued,
                 found ? (const char *)processed.ptr : "0");
        spindle_bytes_free(&processed);
        return reply(res, 200, "application/json", text);
    }
    spindle_bytes_list_t last;
    bool ranged = spindle_redis_range(&conn, "queue:results", -10, -1, &last, &err);
    spindle_redis_close(&conn);
    if (!ranged) return fail(res, "range", &err);
    size_t size = 1;
    for (size_t i = 0; i < last.len; i++) size += last.ptr[i].len + 1;
    char *body = malloc(size);
    size_t at = 0;
    for (size_t i = 0; body && i < last.len; i++) {
        memcpy(body + at, last.ptr[i].ptr, last.ptr[i].len);
        at += last.ptr[i].len;
        body[at++] = '\n';
    }
    if (body) body[at] = 0;
    spindle_bytes_list_free(&last);
    reply(res, 200, "text/plain", body ? body : "");
    free(body);
}

SPINDLE_HTTP_HANDLER(handle)
