;; stream-counter: a Spin Redis-trigger component (fermyon:spin/inbound-redis#handle-message)
;; for the Redis Streams trigger tests and bench/scale-out.sh: it counts how often each
;; payload was handled, so a test can tell "exactly once" from "lost" and "twice".
;;
;; handle-message(payload):
;;   "fail" -> err(error) (disc 1, error 1) without touching Redis: the entry is retried
;;   "trap" -> unreachable
;;   "slow" -> spins about 2^30 loop iterations first (a long-running entry for the shutdown test)
;;   then, on the server named by variable `redis_address`:
;;     INCR "seen:<payload>"   (payload at most 32000 bytes, else err)
;;     INCR "handled"
;;   and returns ok; any Redis or variable error returns err(error).
;;
;; Memory map (fresh instance per message):
;;   1024 "redis_address" (13)   1040 "seen:" (5)   1048 "handled" (7)
;;   1056 "fail"  1064 "trap"  1072 "slow"
;;   2048 variables.get return area (16, align 4)
;;   2080 open return area (16, align 4)
;;   2096 incr return area (24, align 8)
;;   2128 result<_, error> (2 bytes)
;;   4096 key buffer: "seen:" + payload (up to 32005 bytes)
;;   65536 heap for cabi_realloc (the payload and the address land here)
(module
  (import "fermyon:spin/variables@2.0.0" "get"
    (func $var_get (param i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[static]connection.open"
    (func $open (param i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.incr"
    (func $incr (param i32 i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[resource-drop]connection"
    (func $drop (param i32)))

  (memory (export "memory") 2)
  (data (i32.const 1024) "redis_address")
  (data (i32.const 1040) "seen:")
  (data (i32.const 1048) "handled")
  (data (i32.const 1056) "fail")
  (data (i32.const 1064) "trap")
  (data (i32.const 1072) "slow")

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

  (func $result (param $disc i32) (result i32)
    (i32.store8 (i32.const 2128) (local.get $disc))
    (i32.store8 (i32.const 2129) (local.get $disc))
    (i32.const 2128))

  ;; true when the payload is exactly the 4 bytes at $word
  (func $is (param $ptr i32) (param $len i32) (param $word i32) (result i32)
    (if (result i32) (i32.ne (local.get $len) (i32.const 4))
      (then (i32.const 0))
      (else (i32.eq (i32.load align=1 (local.get $ptr)) (i32.load (local.get $word))))))

  (func (export "fermyon:spin/inbound-redis#handle-message") (param $payload_ptr i32) (param $payload_len i32) (result i32)
    (local $conn i32) (local $failed i32) (local $n i32)
    (if (call $is (local.get $payload_ptr) (local.get $payload_len) (i32.const 1056))
      (then (return (call $result (i32.const 1)))))
    (if (call $is (local.get $payload_ptr) (local.get $payload_len) (i32.const 1064))
      (then unreachable))
    (if (call $is (local.get $payload_ptr) (local.get $payload_len) (i32.const 1072))
      (then
        (local.set $n (i32.const 0x40000000))
        (loop $spin
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br_if $spin (local.get $n)))))
    (if (i32.gt_u (local.get $payload_len) (i32.const 32000))
      (then (return (call $result (i32.const 1)))))
    ;; key = "seen:" + payload at 4096
    (memory.copy (i32.const 4096) (i32.const 1040) (i32.const 5))
    (memory.copy (i32.const 4101) (local.get $payload_ptr) (local.get $payload_len))

    (call $var_get (i32.const 1024) (i32.const 13) (i32.const 2048))
    (if (i32.load8_u (i32.const 2048)) (then (return (call $result (i32.const 1)))))
    (call $open (i32.load (i32.const 2052)) (i32.load (i32.const 2056)) (i32.const 2080))
    (if (i32.load8_u (i32.const 2080)) (then (return (call $result (i32.const 1)))))
    (local.set $conn (i32.load (i32.const 2084)))
    (call $incr (local.get $conn) (i32.const 4096) (i32.add (local.get $payload_len) (i32.const 5)) (i32.const 2096))
    (local.set $failed (i32.load8_u (i32.const 2096)))
    (if (i32.eqz (local.get $failed))
      (then
        (call $incr (local.get $conn) (i32.const 1048) (i32.const 7) (i32.const 2096))
        (local.set $failed (i32.load8_u (i32.const 2096)))))
    (call $drop (local.get $conn))
    (call $result (local.get $failed)))
)
