;; redis-poll: redis-recorder as a Rust SDK 2.x+ Redis guest would link it: besides Spin's
;; interfaces it imports wasi:io/poll@0.2.0 and wasi:clocks/monotonic-clock@0.2.0 (the SDK's
;; executor waits on pollables). Before recording, it subscribes to a zero-length duration,
;; polls the one pollable (poll must answer [0]), checks pollable.ready = 1 and drops it; any
;; other answer returns err(error). Then, as redis-recorder, it SADDs the payload into the set
;; named by `set_key` on `redis_address`.
;;
;; Memory map (fresh instance per message):
;;   1024 "redis_address"   1100 "set_key"
;;   2048 variables.get return area for the address (16, align 4)
;;   2064 variables.get return area for the key (16, align 4)
;;   2080 open return area (16, align 4)
;;   2096 sadd return area (16, align 4)
;;   2112 values list: one string (8 bytes)
;;   2128 result<_, error> (2 bytes)
;;   2144 poll return area: list<u32> (8 bytes)
;;   65536 heap for cabi_realloc
(module
  (import "fermyon:spin/variables@2.0.0" "get"
    (func $var_get (param i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[static]connection.open"
    (func $open (param i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.sadd"
    (func $sadd (param i32 i32 i32 i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[resource-drop]connection"
    (func $drop (param i32)))
  (import "wasi:clocks/monotonic-clock@0.2.0" "subscribe-duration"
    (func $subscribe_duration (param i64) (result i32)))
  (import "wasi:io/poll@0.2.0" "poll"
    (func $poll (param i32 i32 i32)))
  (import "wasi:io/poll@0.2.0" "[method]pollable.ready"
    (func $ready (param i32) (result i32)))
  (import "wasi:io/poll@0.2.0" "[resource-drop]pollable"
    (func $drop_pollable (param i32)))

  (memory (export "memory") 2)
  (data (i32.const 1024) "redis_address")
  (data (i32.const 1100) "set_key")

  (global $heap (mut i32) (i32.const 65536))

  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $ptr) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1)))
                    (i32.const -1))
          (then unreachable))))
    (if (local.get $old_size)
      (then (memory.copy (local.get $ptr) (local.get $old)
              (select (local.get $old_size) (local.get $size) (i32.lt_u (local.get $old_size) (local.get $size))))))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  (func $fail (result i32)
    (i32.store8 (i32.const 2128) (i32.const 1))
    (i32.store8 (i32.const 2129) (i32.const 1))
    (i32.const 2128))

  (func (export "fermyon:spin/inbound-redis#handle-message") (param $payload_ptr i32) (param $payload_len i32) (result i32)
    (local $conn i32) (local $failed i32) (local $p i32)
    ;; wait on a zero-length timer the way an async executor does
    (local.set $p (call $subscribe_duration (i64.const 0)))
    (i32.store (i32.const 2112) (local.get $p))
    (call $poll (i32.const 2112) (i32.const 1) (i32.const 2144))
    (if (i32.ne (i32.load (i32.const 2148)) (i32.const 1)) (then (return (call $fail))))
    (if (i32.ne (i32.load (i32.load (i32.const 2144))) (i32.const 0)) (then (return (call $fail))))
    (if (i32.ne (call $ready (local.get $p)) (i32.const 1)) (then (return (call $fail))))
    (call $drop_pollable (local.get $p))
    (call $var_get (i32.const 1024) (i32.const 13) (i32.const 2048))
    (if (i32.load8_u (i32.const 2048)) (then (return (call $fail))))
    (call $var_get (i32.const 1100) (i32.const 7) (i32.const 2064))
    (if (i32.load8_u (i32.const 2064)) (then (return (call $fail))))
    (call $open (i32.load (i32.const 2052)) (i32.load (i32.const 2056)) (i32.const 2080))
    (if (i32.load8_u (i32.const 2080)) (then (return (call $fail))))
    (local.set $conn (i32.load (i32.const 2084)))
    (i32.store (i32.const 2112) (local.get $payload_ptr))
    (i32.store (i32.const 2116) (local.get $payload_len))
    (call $sadd (local.get $conn) (i32.load (i32.const 2068)) (i32.load (i32.const 2072))
                (i32.const 2112) (i32.const 1) (i32.const 2096))
    (local.set $failed (i32.load8_u (i32.const 2096)))
    (call $drop (local.get $conn))
    (if (local.get $failed) (then (return (call $fail))))
    (i32.store8 (i32.const 2128) (i32.const 0))
    (i32.store8 (i32.const 2129) (i32.const 0))
    (i32.const 2128))
)
