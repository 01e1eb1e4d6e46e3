;; redis-sequence: a Redis-trigger component (fermyon:spin/inbound-redis#handle-message) that
;; appends each message payload to the string at key "sequence" by a read-modify-write:
;; GET sequence, then SET sequence = old + "," + payload (just payload when the key is absent),
;; then INCR "handled". Only a host that delivers one channel's messages one at a time and in
;; order ends with "1,2,...,N" after publishing 1..N: two handlers running at once both read the
;; same old value and one append is lost; a reordered delivery shows up as a swapped pair.
;; The server is the variable `redis_address`. Returns ok (disc 0), or err(error) on any failure.
;;
;; Memory map (fresh instance per message):
;;   1024 "redis_address"  1040 "sequence"  1056 "handled"
;;   2048 variables.get return area (16, align 4)
;;   2080 open return area (16, align 4)
;;   2096 get return area (16, align 4): result<option<list<u8>>, error>
;;   2112 set return area (16, align 4)
;;   2128 incr return area (24, align 8)
;;   2160 result<_, error> of handle-message (2 bytes)
;;   65536 heap for cabi_realloc (and the new value)
(module
  (import "fermyon:spin/variables@2.0.0" "get"
    (func $var_get (param i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[static]connection.open"
    (func $open (param i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.get"
    (func $get (param i32 i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.set"
    (func $set (param i32 i32 i32 i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.incr"
    (func $incr (param i32 i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[resource-drop]connection"
    (func $drop (param i32)))

  (memory (export "memory") 2)
  (data (i32.const 1024) "redis_address")
  (data (i32.const 1040) "sequence")
  (data (i32.const 1056) "handled")

  (global $heap (mut i32) (i32.const 65536))

  (func $alloc (param $align i32) (param $size i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $ptr) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1)))
                    (i32.const -1))
          (then unreachable))))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (call $alloc (local.get $align) (local.get $size)))
    (if (local.get $old_size)
      (then (memory.copy (local.get $ptr) (local.get $old)
              (select (local.get $old_size) (local.get $size) (i32.lt_u (local.get $old_size) (local.get $size))))))
    (local.get $ptr))

  (func $result (param $disc i32) (result i32)
    (i32.store8 (i32.const 2160) (local.get $disc))
    (i32.store8 (i32.const 2161) (local.get $disc))
    (i32.const 2160))

  (func (export "fermyon:spin/inbound-redis#handle-message") (param $payload_ptr i32) (param $payload_len i32) (result i32)
    (local $conn i32) (local $old_ptr i32) (local $old_len i32) (local $new_ptr i32) (local $new_len i32) (local $failed i32)
    (call $var_get (i32.const 1024) (i32.const 13) (i32.const 2048))
    (if (i32.load8_u (i32.const 2048)) (then (return (call $result (i32.const 1)))))
    (call $open (i32.load (i32.const 2052)) (i32.load (i32.const 2056)) (i32.const 2080))
    (if (i32.load8_u (i32.const 2080)) (then (return (call $result (i32.const 1)))))
    (local.set $conn (i32.load (i32.const 2084)))

    ;; old = GET sequence
    (call $get (local.get $conn) (i32.const 1040) (i32.const 8) (i32.const 2096))
    (if (i32.load8_u (i32.const 2096))
      (then (call $drop (local.get $conn)) (return (call $result (i32.const 1)))))
    (if (i32.load8_u (i32.const 2100))
      (then
        (local.set $old_ptr (i32.load (i32.const 2104)))
        (local.set $old_len (i32.load (i32.const 2108)))))

    ;; new = old "," payload, or payload alone
    (if (local.get $old_len)
      (then
        (local.set $new_len (i32.add (i32.add (local.get $old_len) (i32.const 1)) (local.get $payload_len)))
        (local.set $new_ptr (call $alloc (i32.const 1) (local.get $new_len)))
        (memory.copy (local.get $new_ptr) (local.get $old_ptr) (local.get $old_len))
        (i32.store8 (i32.add (local.get $new_ptr) (local.get $old_len)) (i32.const 44))
        (memory.copy (i32.add (i32.add (local.get $new_ptr) (local.get $old_len)) (i32.const 1))
                     (local.get $payload_ptr) (local.get $payload_len)))
      (else
        (local.set $new_ptr (local.get $payload_ptr))
        (local.set $new_len (local.get $payload_len))))

    (call $set (local.get $conn) (i32.const 1040) (i32.const 8) (local.get $new_ptr) (local.get $new_len) (i32.const 2112))
    (local.set $failed (i32.load8_u (i32.const 2112)))
    (if (i32.eqz (local.get $failed))
      (then
        (call $incr (local.get $conn) (i32.const 1056) (i32.const 7) (i32.const 2128))
        (local.set $failed (i32.load8_u (i32.const 2128)))))
    (call $drop (local.get $conn))
    (call $result (local.get $failed)))
)
