;; The host-api ABI tests' guest: a bump allocator under both conventions' names, counters the
;; tests read back, and small exports whose results the tests place in memory themselves.
;;
;; Fixed addresses (i32 each): 0 cabi_post_echo calls, 4 canonical_abi_free calls, 8/12/16 the
;; last free's (ptr, size, align), 20 the last cabi_post_echo argument, 24 the pointer
;; `returns-at` returns, 32 when nonzero makes the allocator return misaligned pointers,
;; 64..72 echo's return area. The heap starts at 4096.
(module
  (import "test:abi/host" "spilled" (func $spilled (param i32 i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 4096))

  (func $alloc (param $align i32) (param $size i32) (result i32)
    (local $p i32)
    (local.set $p
      (i32.and
        (i32.sub (i32.add (global.get $heap) (local.get $align)) (i32.const 1))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (if (i32.load (i32.const 32))
      (then (return (i32.add (local.get $p) (i32.const 1)))))
    (local.get $p))

  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (call $alloc (local.get 2) (local.get 3)))

  (func (export "canonical_abi_realloc") (param i32 i32 i32 i32) (result i32)
    (call $alloc (local.get 2) (local.get 3)))

  (func (export "canonical_abi_free") (param i32 i32 i32)
    (i32.store (i32.const 4) (i32.add (i32.load (i32.const 4)) (i32.const 1)))
    (i32.store (i32.const 8) (local.get 0))
    (i32.store (i32.const 12) (local.get 1))
    (i32.store (i32.const 16) (local.get 2)))

  (func (export "heap-reset")
    (global.set $heap (i32.const 4096)))

  ;; echo: func(s: string) -> string
  (func (export "echo") (param i32 i32) (result i32)
    (i32.store (i32.const 64) (local.get 0))
    (i32.store (i32.const 68) (local.get 1))
    (i32.const 64))

  (func (export "cabi_post_echo") (param i32)
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
    (i32.store (i32.const 20) (local.get 0)))

  ;; returns-at: func() -> T, T laid out in memory by the test at the address stored at 24
  (func (export "returns-at") (result i32)
    (i32.load (i32.const 24)))

  ;; ident: func(x: u32) -> u32
  (func (export "ident") (param i32) (result i32)
    (local.get 0))

  ;; two-results: a broken export that returns two core values where one is due
  (func (export "two-results") (result i32 i32)
    (i32.const 1) (i32.const 2))

  ;; spill-export: func(17 params) -> u32, returning the pointer to its spilled parameters
  (func (export "spill-export") (param i32) (result i32)
    (local.get 0))

  ;; call-spilled(params_ptr, retptr): calls the import with spilled parameters and a retptr
  (func (export "call-spilled") (param i32 i32)
    (call $spilled (local.get 0) (local.get 1))))
