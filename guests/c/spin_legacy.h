/*
 * Hand-written bindings for Spin 1.x's host interfaces as wit-bindgen 0.2 generated them:
 * modules `spin-config`, `outbound-redis` and `key-value` (the same WIT is also served under the
 * unversioned names `fermyon:spin/config`, `fermyon:spin/redis`, `fermyon:spin/key-value`).
 * Every function writes its result into a return area the caller passes last:
 *   result<string, config-error>      16 bytes: disc u8 @0; ok string @4/@8; err variant disc @4, string @8/@12
 *   result<s64, redis-error-enum>     16 bytes, align 8: disc @0; ok s64 @8; err enum u8 @8
 *   result<_, redis-error-enum>        2 bytes: disc @0; err enum u8 @1
 *   result<u32, kv-error>             16 bytes: disc @0; ok u32 @4; err variant disc @4 (io's string @8/@12)
 *   result<list<u8>, kv-error>        16 bytes: disc @0; ok list @4/@8; err as above
 *   result<_, kv-error>               16 bytes: disc @0; err as above
 */
#ifndef SPIN_LEGACY_H
#define SPIN_LEGACY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

__attribute__((import_module("spin-config"), import_name("get-config")))
void spin_config_get_config(const char *key, size_t key_len, void *ret);

__attribute__((import_module("fermyon:spin/config"), import_name("get-config")))
void fermyon_config_get_config(const char *key, size_t key_len, void *ret);

__attribute__((import_module("outbound-redis"), import_name("incr")))
void outbound_redis_incr(const char *address, size_t address_len, const char *key, size_t key_len, void *ret);

__attribute__((import_module("outbound-redis"), import_name("set")))
void outbound_redis_set(const char *address, size_t address_len, const char *key, size_t key_len,
                        const void *value, size_t value_len, void *ret);

__attribute__((import_module("key-value"), import_name("open")))
void key_value_open(const char *name, size_t name_len, void *ret);

__attribute__((import_module("key-value"), import_name("get")))
void key_value_get(uint32_t store, const char *key, size_t key_len, void *ret);

__attribute__((import_module("key-value"), import_name("set")))
void key_value_set(uint32_t store, const char *key, size_t key_len, const void *value, size_t value_len, void *ret);

__attribute__((import_module("key-value"), import_name("close")))
void key_value_close(uint32_t store);

static inline uint32_t legacy_u32(const uint8_t *ret, int offset) {
    uint32_t v;
    memcpy(&v, ret + offset, 4);
    return v;
}

static inline int64_t legacy_s64(const uint8_t *ret, int offset) {
    int64_t v;
    memcpy(&v, ret + offset, 8);
    return v;
}

#endif
