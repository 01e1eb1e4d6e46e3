;; legacy-redis-result: a Redis-trigger component under wit-bindgen 0.2's names (Spin 1.x):
;; exports `handle-redis-message` and `canonical_abi_realloc` (no cabi_realloc). Its result
;; depends on the payload, so a test can tell the host read it:
;;   "ok"    -> ok            (disc 0)
;;   "trap"  -> unreachable
;;   other   -> err(error)    (disc 1, error enum 1 = "error")
;;
;; Memory map: 1024 "ok", 1032 "trap"; 2048 result<_, error> (2 bytes); 65536 heap.
(module
  (memory (export "memory") 2)
  (data (i32.const 1024) "ok")
  (data (i32.const 1032) "trap")
  (global $heap (mut i32) (i32.const 65536))

  (func (export "canonical_abi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
    (if (i32.gt_u (i32.add (local.get $ptr) (local.get $size)) (i32.mul (memory.size) (i32.const 65536)))
      (then unreachable))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (local.get $ptr))

  (func $equals (param $ptr i32) (param $len i32) (param $lit i32) (param $lit_len i32) (result i32)
    (local $i i32)
    (if (i32.ne (local.get $len) (local.get $lit_len)) (then (return (i32.const 0))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.ne (i32.load8_u (i32.add (local.get $ptr) (local.get $i)))
                    (i32.load8_u (i32.add (local.get $lit) (local.get $i))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 1))

  (func (export "handle-redis-message") (param $ptr i32) (param $len i32) (result i32)
    (if (call $equals (local.get $ptr) (local.get $len) (i32.const 1032) (i32.const 4)) (then unreachable))
    (if (call $equals (local.get $ptr) (local.get $len) (i32.const 1024) (i32.const 2))
      (then
        (i32.store8 (i32.const 2048) (i32.const 0))
        (i32.store8 (i32.const 2049) (i32.const 0)))
      (else
        (i32.store8 (i32.const 2048) (i32.const 1))
        (i32.store8 (i32.const 2049) (i32.const 1))))
    (i32.const 2048))
)
