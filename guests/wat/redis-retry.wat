;; redis-retry: a reactor that uses Redis the way ordinary application code does when the server
;; is busy, for the invocation-timeout regression tests (a guest must not outlive its deadline by
;; looping on host calls, nor by waiting on a slow server).
;;
;;   retry-open()        reads variable redis_address, then calls open(address) forever: an ok
;;                       result keeps its handle (never dropped), an error is retried at once
;;                       (a plain "retry on too-many-connections" loop). Never returns: only the
;;                       invocation timeout can end it.
;;   get-once() -> i32   reads redis_address, opens it and GETs the key "slow": 0 when both are
;;                       ok, else 1 + the error discriminant of the call that failed.
;;
;; Memory map (1 page, never grows):
;;   0    .. 63     constants: "redis_address" @0 (13 bytes), "slow" @16 (4 bytes)
;;   256  .. 319    return areas: variables.get @256, open @272, get @288
;;   1024 .. 65535  cabi_realloc's bump heap. The address string from variables.get stays at the
;;                  bottom; later allocations (error messages the host hands over, never read)
;;                  wrap back to just above it when the page fills, so retrying forever never
;;                  runs out of memory.
(module
  (import "fermyon:spin/variables@2.0.0" "get"
    (func $variables_get (param i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[static]connection.open"
    (func $open (param i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.get"
    (func $get (param i32 i32 i32 i32)))

  (memory (export "memory") 1)
  (data (i32.const 0) "redis_address")
  (data (i32.const 16) "slow")

  (global $floor (mut i32) (i32.const 1024))
  (global $heap (mut i32) (i32.const 1024))

  (func $align (param $p i32) (param $a i32) (result i32)
    (i32.and (i32.add (local.get $p) (i32.sub (local.get $a) (i32.const 1)))
             (i32.sub (i32.const 0) (local.get $a))))

  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (call $align (global.get $heap) (local.get 2)))
    (if (i32.gt_u (i32.add (local.get $ptr) (local.get 3)) (i32.const 65536))
      (then
        (local.set $ptr (call $align (global.get $floor) (local.get 2)))
        (if (i32.gt_u (i32.add (local.get $ptr) (local.get 3)) (i32.const 65536))
          (then unreachable))))
    (global.set $heap (i32.add (local.get $ptr) (local.get 3)))
    (local.get $ptr))

  ;; variables.get("redis_address") -> ok(string @260/@264); traps on err. Keeps the string below
  ;; the allocator's floor.
  (func $address
    (call $variables_get (i32.const 0) (i32.const 13) (i32.const 256))
    (if (i32.load8_u (i32.const 256)) (then unreachable))
    (global.set $floor (global.get $heap)))

  (func (export "retry-open")
    (call $address)
    (loop $again
      (call $open (i32.load (i32.const 260)) (i32.load (i32.const 264)) (i32.const 272))
      (br $again)))

  (func (export "get-once") (result i32)
    (call $address)
    (call $open (i32.load (i32.const 260)) (i32.load (i32.const 264)) (i32.const 272))
    (if (i32.load8_u (i32.const 272))
      (then (return (i32.add (i32.const 1) (i32.load8_u (i32.const 276))))))
    (call $get (i32.load (i32.const 276)) (i32.const 16) (i32.const 4) (i32.const 288))
    (if (i32.load8_u (i32.const 288))
      (then (return (i32.add (i32.const 1) (i32.load8_u (i32.const 292))))))
    (i32.const 0))
)
