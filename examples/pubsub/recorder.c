/* pubsub recorder (Redis-trigger component): every message published on the channel the
 * trigger subscribes to is added to the set pubsub:messages (SADD), so GET /messages on the
 * publisher lists each distinct message once. The payload is taken as UTF-8 text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spindle.h"

static bool record(const spindle_bytes_t *message) {
    spindle_error_t err;
    spindle_string_t address;
    if (!spindle_variable_get("redis_address", &address, &err)) {
        fprintf(stderr, "redis_address: %s\n", spindle_error_message(&err));
        spindle_error_free(&err);
        return false;
    }
    spindle_redis_t conn;
    bool ok = spindle_redis_open(address.ptr, &conn, &err);
    spindle_string_free(&address);
    char *text = malloc(message->len + 1);
    if (!text) abort();
    memcpy(text, message->ptr, message->len);
    text[message->len] = 0;
    const char *values[] = {text};
    uint32_t added = 0;
    if (ok) ok = spindle_redis_sadd(&conn, "pubsub:messages", values, 1, &added, &err);
    spindle_redis_close(&conn);
    if (!ok) {
        fprintf(stderr, "recording \"%s\": %s\n", text, spindle_error_message(&err));
        spindle_error_free(&err);
    }
    free(text);
    return ok;
}

SPINDLE_REDIS_HANDLER(record)
