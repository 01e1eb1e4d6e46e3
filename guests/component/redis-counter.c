// A Redis-trigger guest with wit-bindgen-style bindings written by hand (no libc, no WASI), made
// into a component by build.sh. On each message it reads the variable redis_address, opens that
// Redis, INCRs "component:count" and SETs "component:last" to the payload. Any error result from
// the host makes handle-message return error::other("<step> failed").
#include <stdint.h>
#include <stddef.h>

#define IMPORT(m, n) __attribute__((import_module(m), import_name(n)))
#define EXPORT(n) __attribute__((export_name(n)))

IMPORT("fermyon:spin/variables@2.0.0", "get")
void variables_get(const char *name, size_t len, void *ret);
IMPORT("fermyon:spin/redis@2.0.0", "[static]connection.open")
void redis_open(const char *addr, size_t len, void *ret);
IMPORT("fermyon:spin/redis@2.0.0", "[method]connection.incr")
void redis_incr(int32_t self, const char *key, size_t len, void *ret);
IMPORT("fermyon:spin/redis@2.0.0", "[method]connection.set")
void redis_set(int32_t self, const char *key, size_t key_len, const uint8_t *value, size_t value_len, void *ret);
IMPORT("fermyon:spin/redis@2.0.0", "[resource-drop]connection")
void redis_drop(int32_t self);

// A bump allocator over a fixed heap; each invocation runs in a fresh instance.
static uint8_t heap[256 * 1024];
static size_t heap_top;

EXPORT("cabi_realloc")
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
    size_t at = (heap_top + align - 1) & ~(align - 1);
    if (at + new_size > sizeof heap) {
        __builtin_trap();
    }
    heap_top = at + new_size;
    uint8_t *p = heap + at;
    for (size_t i = 0; old && i < old_size && i < new_size; i++) {
        p[i] = ((uint8_t *)old)[i];
    }
    return p;
}

static size_t length(const char *s) {
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

// result<_, error> returned to the host: discriminant at 0, error case at 4, other(string) at 8.
static struct {
    uint8_t is_err;
    uint8_t pad[3];
    uint8_t error_case;
    uint8_t pad2[3];
    const char *ptr;
    size_t len;
} result;

static void *fail(const char *step) {
    result.is_err = 1;
    result.error_case = 3; // other
    result.ptr = step;
    result.len = length(step);
    return &result;
}

EXPORT("fermyon:spin/inbound-redis@2.0.0#handle-message")
void *handle_message(const uint8_t *payload, size_t payload_len) {
    _Alignas(8) uint8_t ret[24];

    variables_get("redis_address", 13, ret);
    if (ret[0] != 0) {
        return fail("variables.get failed");
    }
    const char *address = *(const char **)(ret + 4);
    size_t address_len = *(size_t *)(ret + 8);

    redis_open(address, address_len, ret);
    if (ret[0] != 0) {
        return fail("open failed");
    }
    int32_t connection = *(int32_t *)(ret + 4);

    redis_incr(connection, "component:count", 15, ret);
    if (ret[0] != 0) {
        return fail("incr failed");
    }

    redis_set(connection, "component:last", 14, payload, payload_len, ret);
    if (ret[0] != 0) {
        return fail("set failed");
    }
    redis_drop(connection);
    result.is_err = 0;
    return &result;
}
