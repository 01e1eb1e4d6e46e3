;; abuse: a buggy/hostile reactor that misuses fermyon:spin/redis@2.0.0. Each export breaks
;; the ABI in one way; the host must trap that invocation only and stay healthy.
;;
;;   oob-open()      open(address ptr = 0xFFFFFFF0, len = 64): pointer past the end of memory
;;   oob-retptr()    open("redis://x", retptr = 0xFFFFFFF0): return area past the end of memory
;;   drop-twice()    open(variables.get("redis_address")) then drop the handle twice
;;   drop-unknown()  drop(12345), a handle never issued
;;   bad-utf8()      open(address = bytes FF FE)
;;   grow-forever()  memory.grow(1) until it fails, returns the number of pages reached
;;
;; Memory map: 0..63 constants, 256..271 return areas, 1024.. bump heap for cabi_realloc.
(module
  (import "fermyon:spin/variables@2.0.0" "get"
    (func $variables_get (param i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[static]connection.open"
    (func $open (param i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[resource-drop]connection"
    (func $drop (param i32)))

  (memory (export "memory") 1)
  (data (i32.const 0) "redis_address")   ;; 13 bytes
  (data (i32.const 16) "redis://x")      ;; 9 bytes
  (data (i32.const 32) "\ff\fe")         ;; 2 bytes, not UTF-8

  (global $heap (mut i32) (i32.const 1024))

  ;; Bump allocator without growth: this guest never needs more than its first page.
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
               (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $ptr) (local.get 3)))
    (if (i32.gt_u (global.get $heap) (i32.const 65536)) (then unreachable))
    (local.get $ptr))

  (func (export "oob-open")
    (call $open (i32.const 0xFFFFFFF0) (i32.const 64) (i32.const 256)))

  (func (export "oob-retptr")
    (call $open (i32.const 16) (i32.const 9) (i32.const 0xFFFFFFF0)))

  (func (export "bad-utf8")
    (call $open (i32.const 32) (i32.const 2) (i32.const 256)))

  (func (export "drop-unknown")
    (call $drop (i32.const 12345)))

  (func (export "drop-twice")
    ;; variables.get("redis_address") -> ok: string at @4/@8 of the return area at 256
    (call $variables_get (i32.const 0) (i32.const 13) (i32.const 256))
    (if (i32.load8_u (i32.const 256)) (then unreachable))
    ;; open(address) -> ok: handle @4 of the return area at 272
    (call $open (i32.load (i32.const 260)) (i32.load (i32.const 264)) (i32.const 272))
    (if (i32.load8_u (i32.const 272)) (then unreachable))
    (call $drop (i32.load (i32.const 276)))
    (call $drop (i32.load (i32.const 276))))

  (func (export "grow-forever") (result i32)
    (block $done
      (loop $more
        (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $more)))
    (memory.size))
)
