;; host-realloc: a guest whose cabi_realloc is not its own code but a host import it re-exports,
;; so the host's allocator function runs inside GuestMemory.allocate and may allocate again
;; (GuestMemoryReallocTest: an allocation made while another is under way gets its own arguments).
(module
  (import "test:host" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (export "cabi_realloc" (func $realloc)))
