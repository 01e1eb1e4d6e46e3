/* pubsub publisher (HTTP component):
 *   POST /publish   body = a message: PUBLISH <channel> <body>; 202 "published to <channel>"
 *   GET  /messages  every message the recorder has seen (SMEMBERS pubsub:messages), sorted, one a line
 * The channel is the variable `channel`; recorder.c receives the messages through the Redis trigger. */
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

static bool path_is(const spindle_http_request_t *req, const char *path) {
    size_t n = strlen(path);
    return req->uri.len >= n && memcmp(req->uri.ptr, path, n) == 0 && (req->uri.len == n || req->uri.ptr[n] == '?');
}

static int by_bytes(const void *a, const void *b) {
    const spindle_string_t *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->ptr, y->ptr, n);
    return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static void handle(const spindle_http_request_t *req, spindle_http_response_t *res) {
    bool publish = path_is(req, "/publish"), messages = path_is(req, "/messages");
    if (!publish && !messages) return reply(res, 404, "routes: POST /publish, GET /messages\n");
    if (publish && req->method != SPINDLE_HTTP_POST) return reply(res, 405, "use POST\n");
    if (messages && req->method != SPINDLE_HTTP_GET) return reply(res, 405, "use GET\n");
    if (publish && (!req->has_body || req->body.len == 0)) return reply(res, 400, "send the message as the body\n");

    spindle_error_t err;
    spindle_string_t address, channel;
    if (!spindle_variable_get("redis_address", &address, &err)) return fail(res, "redis_address", &err);
    if (!spindle_variable_get("channel", &channel, &err)) {
        spindle_string_free(&address);
        return fail(res, "channel", &err);
    }
    spindle_redis_t conn;
    bool opened = spindle_redis_open(address.ptr, &conn, &err);
    spindle_string_free(&address);
    if (!opened) {
        spindle_string_free(&channel);
        return fail(res, "open", &err);
    }

    if (publish) {
        bool published = spindle_redis_publish(&conn, channel.ptr, req->body.ptr, req->body.len, &err);
        spindle_redis_close(&conn);
        char text[300];
        snprintf(text, sizeof text, "published to %s\n", channel.ptr);
        spindle_string_free(&channel);
        if (!published) return fail(res, "publish", &err);
        return reply(res, 202, text);
    }
    spindle_string_free(&channel);
    spindle_string_list_t members;
    bool listed = spindle_redis_smembers(&conn, "pubsub:messages", &members, &err);
    spindle_redis_close(&conn);
    if (!listed) return fail(res, "smembers", &err);
    if (members.len > 1) qsort(members.ptr, members.len, sizeof *members.ptr, by_bytes);
    size_t size = 1;
    for (size_t i = 0; i < members.len; i++) size += members.ptr[i].len + 1;
    char *body = malloc(size);
    if (!body) abort();
    size_t at = 0;
    for (size_t i = 0; i < members.len; i++) {
        memcpy(body + at, members.ptr[i].ptr, members.ptr[i].len);
        at += members.ptr[i].len;
        body[at++] = '\n';
    }
    body[at] = 0;
    spindle_string_list_free(&members);
    reply(res, 200, body);
    free(body);
}

SPINDLE_HTTP_HANDLER(handle)
