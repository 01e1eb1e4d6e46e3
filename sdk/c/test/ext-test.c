/* ext-test: drives every wrapper of spindle:redis/extended@0.1.0 in the C SDK.
 * Exports run-extended-test() -> i32: a pointer to (ptr, len) of the transcript of the
 * "extended scenario" in docs/guests.md (the Rust and AssemblyScript test guests print the
 * same transcript). Keys start with sdk:x: — run it against an empty database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spindle.h"

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
static void put_bytes(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') put((const char *)&p[i], 1);
        else { char b[8]; snprintf(b, sizeof b, "\\x%02x", p[i]); puts_(b); }
    }
}
static void put_error(spindle_error_t *err) {
    puts_(" error ");
    puts_(spindle_error_kind_name(err->kind));
    puts_("\n");
    spindle_error_free(err);
}
/* a ttl in ms: exact for -2/-1, else whether it is within (0, max] */
static void put_ttl(int64_t ttl, int64_t max) {
    if (ttl < 0) putf(" %lld\n", ttl);
    else puts_(ttl > 0 && ttl <= max ? " in-range\n" : " out-of-range\n");
}
static void put_option(bool found, spindle_bytes_t *v) {
    if (!found) { puts_(" none\n"); return; }
    puts_(" some ");
    put_bytes(v->ptr, v->len);
    puts_("\n");
    spindle_bytes_free(v);
}
static void put_results(const spindle_redis_results_t *r) {
    for (size_t i = 0; i < r->len; i++) {
        const spindle_redis_result_t *x = &r->ptr[i];
        puts_(i ? "," : "");
        switch (x->tag) {
        case SPINDLE_REDIS_RESULT_NIL: puts_("nil"); break;
        case SPINDLE_REDIS_RESULT_STATUS: puts_("status:"); put(x->val.status.ptr, x->val.status.len); break;
        case SPINDLE_REDIS_RESULT_INT64: putf("int64:%lld", x->val.int64); break;
        case SPINDLE_REDIS_RESULT_BINARY: puts_("binary:"); put_bytes(x->val.binary.ptr, x->val.binary.len); break;
        }
    }
}
static void put_rate(spindle_redis_t *c, const char *key, uint32_t max, uint64_t window) {
    spindle_rate_limit_t s;
    spindle_error_t err;
    puts_("rate-limit ");
    puts_(key);
    if (!spindle_redis_rate_limit(c, key, max, window, &s, &err)) { put_error(&err); return; }
    puts_(s.allowed ? " allowed" : " denied");
    putf(" count=%lld", s.count);
    putf(" remaining=%lld", s.remaining);
    puts_(s.reset_ms > 0 && s.reset_ms <= window ? " reset=in-range\n" : " reset=out-of-range\n");
}
static void put_pipeline(spindle_redis_t *c, const char *label, const spindle_redis_command_t *cmds, size_t n,
                         bool transaction) {
    spindle_redis_replies_t replies;
    spindle_error_t err;
    puts_("pipeline ");
    puts_(label);
    if (!spindle_redis_pipeline(c, cmds, n, transaction, &replies, &err)) { put_error(&err); return; }
    for (size_t i = 0; i < replies.len; i++) {
        if (replies.ptr[i].tag == SPINDLE_REDIS_REPLY_OK) { puts_(" ok["); put_results(&replies.ptr[i].val.ok); puts_("]"); }
        else puts_(" err");
    }
    puts_("\n");
    spindle_redis_replies_free(&replies);
}

static void scenario(void) {
    spindle_error_t err;
    spindle_string_t address;
    spindle_redis_t c;
    if (!spindle_variable_get("redis_address", &address, &err)) { puts_("variable"); put_error(&err); return; }
    bool opened = spindle_redis_open(address.ptr, &c, &err);
    spindle_string_free(&address);
    if (!opened) { puts_("open"); put_error(&err); return; }
    puts_("open ok\n");

    bool b;
    int64_t n;
    uint32_t u;
    spindle_bytes_t v;

    puts_("set-with-ttl sdk:x:t 60000");
    if (spindle_redis_set_with_ttl(&c, "sdk:x:t", "v", 1, 60000, &err)) puts_(" ok\n"); else put_error(&err);
    puts_("ttl sdk:x:t");
    if (spindle_redis_ttl(&c, "sdk:x:t", &n, &err)) put_ttl(n, 60000); else put_error(&err);
    puts_("set-with-ttl sdk:x:p 0");
    if (spindle_redis_set_with_ttl(&c, "sdk:x:p", "v", 1, 0, &err)) puts_(" ok\n"); else put_error(&err);
    puts_("ttl sdk:x:p");
    if (spindle_redis_ttl(&c, "sdk:x:p", &n, &err)) put_ttl(n, 0); else put_error(&err);
    puts_("ttl sdk:x:none");
    if (spindle_redis_ttl(&c, "sdk:x:none", &n, &err)) put_ttl(n, 0); else put_error(&err);
    puts_("has sdk:x:t");
    if (spindle_redis_has(&c, "sdk:x:t", &b, &err)) puts_(b ? " true\n" : " false\n"); else put_error(&err);
    puts_("has sdk:x:none");
    if (spindle_redis_has(&c, "sdk:x:none", &b, &err)) puts_(b ? " true\n" : " false\n"); else put_error(&err);

    puts_("incr-by sdk:x:c 5");
    if (spindle_redis_incr_by(&c, "sdk:x:c", 5, &n, &err)) putf(" %lld\n", n); else put_error(&err);
    puts_("incr-by sdk:x:c -7");
    if (spindle_redis_incr_by(&c, "sdk:x:c", -7, &n, &err)) putf(" %lld\n", n); else put_error(&err);
    puts_("decr sdk:x:c");
    if (spindle_redis_decr(&c, "sdk:x:c", &n, &err)) putf(" %lld\n", n); else put_error(&err);
    puts_("decr-by sdk:x:c 10");
    if (spindle_redis_decr_by(&c, "sdk:x:c", 10, &n, &err)) putf(" %lld\n", n); else put_error(&err);
    puts_("incr-by sdk:x:p 1");
    if (spindle_redis_incr_by(&c, "sdk:x:p", 1, &n, &err)) putf(" %lld\n", n); else put_error(&err);
    puts_("expire sdk:x:c 5000");
    if (spindle_redis_expire(&c, "sdk:x:c", 5000, &b, &err)) puts_(b ? " true\n" : " false\n"); else put_error(&err);
    puts_("ttl sdk:x:c");
    if (spindle_redis_ttl(&c, "sdk:x:c", &n, &err)) put_ttl(n, 5000); else put_error(&err);
    puts_("expire sdk:x:none 5000");
    if (spindle_redis_expire(&c, "sdk:x:none", 5000, &b, &err)) puts_(b ? " true\n" : " false\n"); else put_error(&err);

    spindle_bytes_t ab[] = {spindle_bytes_str("a"), spindle_bytes("b\0", 2)};
    spindle_bytes_t z[] = {spindle_bytes_str("z"), spindle_bytes("", 0)};
    puts_("push sdk:x:l a b\\x00");
    if (spindle_redis_push(&c, "sdk:x:l", ab, 2, &u, &err)) putf(" %lld\n", u); else put_error(&err);
    puts_("unshift sdk:x:l z ''");
    if (spindle_redis_unshift(&c, "sdk:x:l", z, 2, &u, &err)) putf(" %lld\n", u); else put_error(&err);
    puts_("count sdk:x:l");
    if (spindle_redis_count(&c, "sdk:x:l", &u, &err)) putf(" %lld\n", u); else put_error(&err);
    spindle_bytes_list_t list;
    puts_("range sdk:x:l 0 -1");
    if (spindle_redis_range(&c, "sdk:x:l", 0, -1, &list, &err)) {
        putf(" %lld", (long long)list.len);
        for (size_t i = 0; i < list.len; i++) { puts_(" ["); put_bytes(list.ptr[i].ptr, list.ptr[i].len); puts_("]"); }
        puts_("\n");
        spindle_bytes_list_free(&list);
    } else put_error(&err);
    puts_("range sdk:x:l -2 -2");
    if (spindle_redis_range(&c, "sdk:x:l", -2, -2, &list, &err)) {
        putf(" %lld", (long long)list.len);
        for (size_t i = 0; i < list.len; i++) { puts_(" ["); put_bytes(list.ptr[i].ptr, list.ptr[i].len); puts_("]"); }
        puts_("\n");
        spindle_bytes_list_free(&list);
    } else put_error(&err);
    puts_("range sdk:x:none 0 -1");
    if (spindle_redis_range(&c, "sdk:x:none", 0, -1, &list, &err)) { putf(" %lld\n", (long long)list.len); spindle_bytes_list_free(&list); }
    else put_error(&err);
    puts_("pop sdk:x:l");
    if (spindle_redis_pop(&c, "sdk:x:l", &v, &b, &err)) put_option(b, &v); else put_error(&err);
    puts_("shift sdk:x:l");
    if (spindle_redis_shift(&c, "sdk:x:l", &v, &b, &err)) put_option(b, &v); else put_error(&err);
    puts_("shift sdk:x:l");
    if (spindle_redis_shift(&c, "sdk:x:l", &v, &b, &err)) put_option(b, &v); else put_error(&err);
    puts_("count sdk:x:l");
    if (spindle_redis_count(&c, "sdk:x:l", &u, &err)) putf(" %lld\n", u); else put_error(&err);
    puts_("pop sdk:x:none");
    if (spindle_redis_pop(&c, "sdk:x:none", &v, &b, &err)) put_option(b, &v); else put_error(&err);
    puts_("push sdk:x:t a");
    if (spindle_redis_push(&c, "sdk:x:t", ab, 1, &u, &err)) putf(" %lld\n", u); else put_error(&err);
    puts_("count sdk:x:t");
    if (spindle_redis_count(&c, "sdk:x:t", &u, &err)) putf(" %lld\n", u); else put_error(&err);

    put_rate(&c, "sdk:x:rl", 2, 60000);
    put_rate(&c, "sdk:x:rl", 2, 60000);
    put_rate(&c, "sdk:x:rl", 2, 60000);

    spindle_redis_param_t set_args[] = {spindle_redis_param_str("sdk:x:pp"), spindle_redis_param_int64(1)};
    spindle_redis_param_t key_arg[] = {spindle_redis_param_str("sdk:x:pp")};
    spindle_redis_param_t range_args[] = {spindle_redis_param_str("sdk:x:l"), spindle_redis_param_int64(0),
                                          spindle_redis_param_int64(-1)};
    spindle_redis_command_t batch[] = {
        spindle_redis_command("SET", 3, set_args, 2),
        spindle_redis_command("INCR", 4, key_arg, 1),
        spindle_redis_command("GET", 3, key_arg, 1),
        spindle_redis_command("LPUSH", 5, key_arg, 1),
        spindle_redis_command("PING", 4, NULL, 0),
    };
    put_pipeline(&c, "SET INCR GET LPUSH PING", batch, 5, false);
    spindle_redis_command_t tx[] = {
        spindle_redis_command("INCR", 4, key_arg, 1),
        spindle_redis_command("LRANGE", 6, range_args, 3),
    };
    put_pipeline(&c, "MULTI INCR LRANGE EXEC", tx, 2, true);
    put_pipeline(&c, "(empty)", NULL, 0, false);

    spindle_redis_close(&c);
    puts_("close ok\n");
}

static spindle_string_t report;

__attribute__((export_name("run-extended-test"))) spindle_string_t *run_extended_test(void) {
    out_len = 0;
    scenario();
    report.ptr = out;
    report.len = out_len;
    return &report;
}
