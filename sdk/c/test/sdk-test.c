/* sdk-test: drives every wrapper of the C SDK except the extended interface (see
 * ext-test.c) against a real host. Exports, besides cabi_realloc and _initialize:
 *
 *   run-redis-test() -> i32     runs the scenario of docs/guests.md ("SDK conformance
 *                               scenario") and returns a pointer to (ptr, len) of its transcript
 *   handle-request              echoes the request as text (status 201, header x-echo: c)
 *   handle-message              RPUSHes the message onto sdk:messages; the message "fail"
 *                               returns an error
 *
 * The same scenario is implemented by the Rust and AssemblyScript test guests; the host test
 * (runtime/src/test/java/dev/spindle/runtime/SdkGuestsTest.java) expects the same transcript
 * from all three. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spindle.h"

/* ---- transcript ---- */

static char *out;
static size_t out_len, out_cap;

static void put(const char *s, size_t n) {
    if (out_len + n + 1 > out_cap) {
        out_cap = (out_len + n + 1) * 2;
        out = realloc(out, out_cap);
        if (!out) __builtin_trap();
    }
    memcpy(out + out_len, s, n);
    out_len += n;
    out[out_len] = 0;
}
static void puts_(const char *s) { put(s, strlen(s)); }
static void putf(const char *fmt, long long v) {
    char buf[64];
    snprintf(buf, sizeof buf, fmt, v);
    puts_(buf);
}
static void put_bytes(const uint8_t *p, size_t n) { /* printable ASCII as is, else \xNN */
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
            put((const char *)&p[i], 1);
        } else {
            char buf[8];
            snprintf(buf, sizeof buf, "\\x%02x", p[i]);
            puts_(buf);
        }
    }
}
/* " error <kind>" and, when with_message, ": <message>"; then a newline */
static void put_error(spindle_error_t *err, bool with_message) {
    puts_(" error ");
    puts_(spindle_error_kind_name(err->kind));
    if (with_message && err->message.len) {
        puts_(": ");
        put(err->message.ptr, err->message.len);
    }
    puts_("\n");
    spindle_error_free(err);
}

static int cmp_strings(const void *a, const void *b) {
    const spindle_string_t *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->ptr, y->ptr, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void put_results(spindle_redis_results_t *r) {
    for (size_t i = 0; i < r->len; i++) {
        spindle_redis_result_t *x = &r->ptr[i];
        puts_(" ");
        switch (x->tag) {
        case SPINDLE_REDIS_RESULT_NIL: puts_("nil"); break;
        case SPINDLE_REDIS_RESULT_STATUS: puts_("status:"); put(x->val.status.ptr, x->val.status.len); break;
        case SPINDLE_REDIS_RESULT_INT64: putf("int64:%lld", x->val.int64); break;
        case SPINDLE_REDIS_RESULT_BINARY: puts_("binary:"); put_bytes(x->val.binary.ptr, x->val.binary.len); break;
        }
    }
    puts_("\n");
    spindle_redis_results_free(r);
}

static void execute(spindle_redis_t *conn, const char *label, const char *cmd, const spindle_redis_param_t *args,
                    size_t n) {
    spindle_redis_results_t r;
    spindle_error_t err;
    puts_("execute ");
    puts_(label);
    if (spindle_redis_execute(conn, cmd, args, n, &r, &err)) put_results(&r);
    else put_error(&err, false);
}

static void scenario(void) {
    spindle_error_t err;
    spindle_string_t address;

    /* variables */
    if (!spindle_variable_get("redis_address", &address, &err)) {
        puts_("variable redis_address");
        put_error(&err, true);
        return;
    }
    puts_("variable redis_address ok\n");
    spindle_string_t v;
    puts_("variable missing_var");
    if (spindle_variable_get("missing_var", &v, &err)) { puts_(" ok\n"); spindle_string_free(&v); }
    else put_error(&err, false);
    puts_("variable Bad-Name");
    if (spindle_variable_get("Bad-Name", &v, &err)) { puts_(" ok\n"); spindle_string_free(&v); }
    else put_error(&err, true);

    /* open */
    spindle_redis_t conn, denied;
    puts_("open denied");
    if (spindle_redis_open("redis://forbidden.example:6379", &denied, &err)) { puts_(" ok\n"); spindle_redis_close(&denied); }
    else put_error(&err, false);
    bool opened = spindle_redis_open(address.ptr, &conn, &err);
    spindle_string_free(&address);
    puts_("open");
    if (!opened) { put_error(&err, true); return; }
    puts_(" ok\n");

    /* strings and bytes */
    puts_("set sdk:str");
    if (spindle_redis_set(&conn, "sdk:str", "hello", 5, &err)) puts_(" ok\n"); else put_error(&err, true);
    spindle_bytes_t value;
    bool found;
    puts_("get sdk:str");
    if (spindle_redis_get(&conn, "sdk:str", &value, &found, &err)) {
        if (found) { puts_(" some "); put_bytes(value.ptr, value.len); puts_("\n"); spindle_bytes_free(&value); }
        else puts_(" none\n");
    } else put_error(&err, true);
    puts_("get sdk:none");
    if (spindle_redis_get(&conn, "sdk:none", &value, &found, &err)) {
        if (found) { puts_(" some "); put_bytes(value.ptr, value.len); puts_("\n"); spindle_bytes_free(&value); }
        else puts_(" none\n");
    } else put_error(&err, true);
    static const uint8_t bin[] = {0x00, 0xff, 0x01, 'z'};
    puts_("set sdk:bin");
    if (spindle_redis_set(&conn, "sdk:bin", bin, sizeof bin, &err)) puts_(" ok\n"); else put_error(&err, true);
    puts_("get sdk:bin");
    if (spindle_redis_get(&conn, "sdk:bin", &value, &found, &err) && found) {
        puts_(" some "); put_bytes(value.ptr, value.len); puts_("\n"); spindle_bytes_free(&value);
    } else put_error(&err, true);
    puts_("set sdk:empty");
    if (spindle_redis_set(&conn, "sdk:empty", "", 0, &err)) puts_(" ok\n"); else put_error(&err, true);
    puts_("get sdk:empty");
    if (spindle_redis_get(&conn, "sdk:empty", &value, &found, &err)) {
        if (found) { putf(" some len=%lld\n", (long long)value.len); spindle_bytes_free(&value); }
        else puts_(" none\n");
    } else put_error(&err, true);

    /* counters */
    int64_t n;
    for (int i = 0; i < 2; i++) {
        puts_("incr sdk:n");
        if (spindle_redis_incr(&conn, "sdk:n", &n, &err)) putf(" %lld\n", n); else put_error(&err, true);
    }
    puts_("incr sdk:str");
    if (spindle_redis_incr(&conn, "sdk:str", &n, &err)) putf(" %lld\n", n); else put_error(&err, true);

    /* sets */
    const char *members[] = {"b", "a", "", "\xc3\xa9"};
    uint32_t count;
    puts_("sadd sdk:set");
    if (spindle_redis_sadd(&conn, "sdk:set", members, 4, &count, &err)) putf(" %lld\n", count); else put_error(&err, true);
    spindle_string_list_t list;
    puts_("smembers sdk:set");
    if (spindle_redis_smembers(&conn, "sdk:set", &list, &err)) {
        qsort(list.ptr, list.len, sizeof *list.ptr, cmp_strings);
        putf(" %lld", (long long)list.len);
        for (size_t i = 0; i < list.len; i++) { puts_(" ["); put_bytes((const uint8_t *)list.ptr[i].ptr, list.ptr[i].len); puts_("]"); }
        puts_("\n");
        spindle_string_list_free(&list);
    } else put_error(&err, true);
    const char *gone[] = {"a", "zzz"};
    puts_("srem sdk:set");
    if (spindle_redis_srem(&conn, "sdk:set", gone, 2, &count, &err)) putf(" %lld\n", count); else put_error(&err, true);
    puts_("smembers sdk:none");
    if (spindle_redis_smembers(&conn, "sdk:none", &list, &err)) { putf(" %lld\n", (long long)list.len); spindle_string_list_free(&list); }
    else put_error(&err, true);
    puts_("get sdk:set");
    if (spindle_redis_get(&conn, "sdk:set", &value, &found, &err)) { puts_(" ok\n"); spindle_bytes_free(&value); }
    else put_error(&err, false);

    /* del, publish */
    const char *keys[] = {"sdk:str", "sdk:n", "sdk:none"};
    puts_("del sdk:str sdk:n sdk:none");
    if (spindle_redis_del(&conn, keys, 3, &count, &err)) putf(" %lld\n", count); else put_error(&err, true);
    puts_("publish sdk:chan");
    if (spindle_redis_publish(&conn, "sdk:chan", "hi", 2, &err)) puts_(" ok\n"); else put_error(&err, true);

    /* execute */
    spindle_redis_param_t args[3];
    args[0] = spindle_redis_param_str("sdk:e");
    args[1] = spindle_redis_param_int64(42);
    execute(&conn, "SET sdk:e 42", "SET", args, 2);
    execute(&conn, "GET sdk:e", "GET", args, 1);
    args[1] = spindle_redis_param_int64(-50);
    execute(&conn, "INCRBY sdk:e -50", "INCRBY", args, 2);
    args[1] = spindle_redis_param_str("sdk:none");
    execute(&conn, "MGET sdk:e sdk:none", "MGET", args, 2);
    execute(&conn, "PING", "PING", NULL, 0);
    execute(&conn, "NOSUCHCMD", "NOSUCHCMD", NULL, 0);

    spindle_redis_close(&conn);
    puts_("close ok\n");
}

static spindle_string_t report;

__attribute__((export_name("run-redis-test"))) spindle_string_t *run_redis_test(void) {
    out_len = 0;
    scenario();
    report.ptr = out;
    report.len = out_len;
    return &report;
}

/* ---- handle-request: echo ---- */

static void echo(const spindle_http_request_t *req, spindle_http_response_t *res) {
    out_len = 0;
    puts_("method ");
    puts_(spindle_http_method_name(req->method));
    puts_("\nuri ");
    put(req->uri.ptr, req->uri.len);
    puts_("\n");
    for (size_t i = 0; i < req->headers.len; i++) {
        puts_("header ");
        put(req->headers.ptr[i].name.ptr, req->headers.ptr[i].name.len);
        puts_("=");
        put(req->headers.ptr[i].value.ptr, req->headers.ptr[i].value.len);
        puts_("\n");
    }
    for (size_t i = 0; i < req->params.len; i++) {
        puts_("param ");
        put(req->params.ptr[i].name.ptr, req->params.ptr[i].name.len);
        puts_("=");
        put(req->params.ptr[i].value.ptr, req->params.ptr[i].value.len);
        puts_("\n");
    }
    const spindle_string_t *h = spindle_http_request_header(req, "X-Test");
    puts_("lookup x-test ");
    if (h) put(h->ptr, h->len); else puts_("(none)");
    puts_("\n");
    if (req->has_body) { puts_("body "); put_bytes(req->body.ptr, req->body.len); puts_("\n"); }
    else puts_("no body\n");
    spindle_http_response_set_status(res, 201);
    spindle_http_response_add_header(res, "x-echo", "c");
    spindle_http_response_add_header(res, "content-type", "text/plain");
    spindle_http_response_set_body(res, out, out_len);
}

SPINDLE_HTTP_HANDLER(echo)

/* ---- handle-message ---- */

static bool on_message(const spindle_bytes_t *message) {
    if (message->len == 4 && memcmp(message->ptr, "fail", 4) == 0) return false;
    spindle_string_t address;
    if (!spindle_variable_get("redis_address", &address, NULL)) return false;
    spindle_redis_t conn;
    bool ok = spindle_redis_open(address.ptr, &conn, NULL);
    spindle_string_free(&address);
    if (!ok) return false;
    spindle_redis_param_t args[2] = {spindle_redis_param_str("sdk:messages"),
                                     spindle_redis_param_binary(message->ptr, message->len)};
    ok = spindle_redis_execute(&conn, "RPUSH", args, 2, NULL, NULL);
    spindle_redis_close(&conn);
    return ok;
}

SPINDLE_REDIS_HANDLER(on_message)
