/* queue worker: a WASI command the cron trigger runs every second (spin.toml: [[trigger.cron]]).
 * It shifts jobs off queue:jobs (LPOP: oldest first, each job to exactly one worker) until the
 * list is empty or it has done MAX_PER_RUN, and for each job:
 *   - "processes" it: the result is the job upper-cased, with its sequence number,
 *   - INCRs queue:processed, and
 *   - pushes the result onto queue:results (trimmed to the last 100 entries).
 * Each job is logged by the host as "[worker] processed job N: ...". Exit code 1 on a Redis error. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "spindle.h"

#define MAX_PER_RUN 1000

static int fail(const char *step, spindle_error_t *err) {
    fprintf(stderr, "%s: %s\n", step, spindle_error_message(err));
    spindle_error_free(err);
    return 1;
}

int main(void) {
    spindle_error_t err;
    spindle_string_t address;
    if (!spindle_variable_get("redis_address", &address, &err)) return fail("redis_address", &err);
    spindle_redis_t conn;
    bool opened = spindle_redis_open(address.ptr, &conn, &err);
    spindle_string_free(&address);
    if (!opened) return fail("open", &err);

    int status = 0;
    for (int done = 0; done < MAX_PER_RUN; done++) {
        spindle_bytes_t job;
        bool found;
        if (!spindle_redis_shift(&conn, "queue:jobs", &job, &found, &err)) { status = fail("shift", &err); break; }
        if (!found) break;
        int64_t n;
        if (!spindle_redis_incr(&conn, "queue:processed", &n, &err)) {
            spindle_bytes_free(&job);
            status = fail("incr", &err);
            break;
        }
        size_t cap = job.len + 32;
        char *result = malloc(cap);
        if (!result) abort();
        int head = snprintf(result, cap, "job %lld: ", (long long)n);
        for (size_t i = 0; i < job.len; i++) result[head + i] = (char)toupper(job.ptr[i]);
        size_t len = (size_t)head + job.len;
        spindle_bytes_t value = spindle_bytes(result, len);
        uint32_t kept;
        bool stored = spindle_redis_push(&conn, "queue:results", &value, 1, &kept, &err);
        if (stored && kept > 100) {
            spindle_redis_param_t args[] = {spindle_redis_param_str("queue:results"), spindle_redis_param_int64(-100),
                                            spindle_redis_param_int64(-1)};
            spindle_redis_results_t ignored;
            stored = spindle_redis_execute(&conn, "LTRIM", args, 3, &ignored, &err);
            if (stored) spindle_redis_results_free(&ignored);
        }
        printf("processed job %lld: %.*s\n", (long long)n, (int)job.len, (const char *)job.ptr);
        free(result);
        spindle_bytes_free(&job);
        if (!stored) { status = fail("push result", &err); break; }
    }
    spindle_redis_close(&conn);
    return status;
}
