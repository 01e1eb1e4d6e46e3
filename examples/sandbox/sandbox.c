/* sandbox: what happens when a component tries a Redis server its manifest does not allow.
 * GET / opens two addresses and reports, one line each, what the host answered:
 *   redis_address      listed in allowed_outbound_hosts  -> opened, PING answers PONG
 *   forbidden_address  not listed (default redis://10.0.0.5:6379)
 *                      -> invalid-address, decided by the host before any socket is made
 * The host also logs the denial with the allowed_outbound_hosts entry that would permit it. */
#include <stdio.h>
#include <string.h>

#include "spindle.h"

/* Appends a report line about opening `address` to body. */
static void try_open(char *body, size_t cap, const char *what, const char *address) {
    size_t at = strlen(body);
    spindle_error_t err;
    spindle_redis_t conn;
    if (!spindle_redis_open(address, &conn, &err)) {
        if (err.kind == SPINDLE_ERROR_INVALID_ADDRESS) {
            snprintf(body + at, cap - at,
                     "%s %s: denied (invalid-address): it is not in this component's allowed_outbound_hosts,\n"
                     "  so the host refused it without opening a connection; the host's log names the entry to add\n",
                     what, address);
        } else {
            snprintf(body + at, cap - at, "%s %s: open failed (%s): %s\n", what, address,
                     spindle_error_kind_name(err.kind), spindle_error_message(&err));
        }
        spindle_error_free(&err);
        return;
    }
    spindle_redis_results_t results;
    if (spindle_redis_execute(&conn, "PING", NULL, 0, &results, &err)) {
        const char *pong = results.len == 1 && results.ptr[0].tag == SPINDLE_REDIS_RESULT_STATUS ? results.ptr[0].val.status.ptr : "?";
        snprintf(body + at, cap - at, "%s %s: allowed, PING answered %s\n", what, address, pong);
        spindle_redis_results_free(&results);
    } else {
        snprintf(body + at, cap - at, "%s %s: allowed, but PING failed: %s\n", what, address, spindle_error_message(&err));
        spindle_error_free(&err);
    }
    spindle_redis_close(&conn);
}

static void handle(const spindle_http_request_t *req, spindle_http_response_t *res) {
    (void)req;
    char body[2048] = "";
    spindle_error_t err;
    spindle_string_t allowed, forbidden;
    if (!spindle_variable_get("redis_address", &allowed, &err) ||
        !spindle_variable_get("forbidden_address", &forbidden, &err)) {
        snprintf(body, sizeof body, "variables: %s\n", spindle_error_message(&err));
        spindle_error_free(&err);
        spindle_http_response_set_status(res, 500);
        spindle_http_response_set_body_str(res, body);
        return;
    }
    try_open(body, sizeof body, "redis_address", allowed.ptr);
    try_open(body, sizeof body, "forbidden_address", forbidden.ptr);
    spindle_string_free(&allowed);
    spindle_string_free(&forbidden);
    spindle_http_response_add_header(res, "content-type", "text/plain");
    spindle_http_response_set_body_str(res, body);
}

SPINDLE_HTTP_HANDLER(handle)
