;; queue-producer: fills a Redis list queue with jobs through spindle:redis/extended@0.1.0 `push`.
;;
;; produce(n: i32) -> i32
;;   1. fermyon:spin/variables@2.0.0 get("redis_address")
;;   2. fermyon:spin/redis@2.0.0 [static]connection.open(address)
;;   3. builds a list<payload> of n jobs "job-0001", "job-0002", ... (4 digits, n <= 9999)
;;      in its heap and pushes them all with ONE spindle:redis/extended@0.1.0 push("queue:jobs", jobs)
;;      (RPUSH: job-0001 is at the front of the queue)
;;   4. [resource-drop]connection
;;   returns push's u32 result (the queue's new length); on an err result:
;;   -100 when variables.get failed, else -1 - <redis error discriminant>
;;   (-1 invalid-address, -2 too-many-connections, -3 type-error, -4 other).
;;   Calls cabi_realloc itself for the job list, so its heap grows with n.
;;
;; Memory map (memory "memory": 1 page initial, grows on demand):
;;   16   ..   47  constant strings (data segments below)
;;   256  ..  271  return area of variables.get (16, align 4)
;;   272  ..  287  return area of open (16, align 4)
;;   288  ..  303  return area of push (16, align 4)
;;   1024 ..       heap: cabi_realloc's bump allocator (address string, job list, jobs)
(module
  (import "fermyon:spin/variables@2.0.0" "get"
    (func $variables_get (param $name_ptr i32) (param $name_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[static]connection.open"
    (func $open (param $addr_ptr i32) (param $addr_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[resource-drop]connection"
    (func $drop (param $handle i32)))
  (import "spindle:redis/extended@0.1.0" "push"
    (func $push (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $values_ptr i32) (param $values_len i32) (param $retptr i32)))

  (memory (export "memory") 1)

  (data (i32.const 16) "redis_address")   ;; 13 bytes
  (data (i32.const 32) "queue:jobs")      ;; 10 bytes

  (global $heap (mut i32) (i32.const 1024))

  ;; Bump allocator: align must be a power of two; traps when memory cannot grow.
  (func $cabi_realloc (export "cabi_realloc")
    (param $old_ptr i32) (param $old_size i32) (param $align i32) (param $new_size i32)
    (result i32)
    (local $ptr i64) (local $end i64) (local $have i64)
    (if (i32.or (i32.eqz (local.get $align))
                (i32.and (local.get $align) (i32.sub (local.get $align) (i32.const 1))))
      (then unreachable))
    (local.set $ptr
      (i64.and
        (i64.add (i64.extend_i32_u (global.get $heap))
                 (i64.extend_i32_u (i32.sub (local.get $align) (i32.const 1))))
        (i64.sub (i64.const 0) (i64.extend_i32_u (local.get $align)))))
    (local.set $end (i64.add (local.get $ptr) (i64.extend_i32_u (local.get $new_size))))
    (if (i64.gt_u (local.get $end) (i64.const 0xFFFFFFFF)) (then unreachable))
    (local.set $have (i64.shl (i64.extend_i32_u (memory.size)) (i64.const 16)))
    (if (i64.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq
              (memory.grow
                (i32.wrap_i64
                  (i64.shr_u (i64.add (i64.sub (local.get $end) (local.get $have))
                                      (i64.const 65535))
                             (i64.const 16))))
              (i32.const -1))
          (then unreachable))))
    (global.set $heap (i32.wrap_i64 (local.get $end)))
    (if (local.get $old_ptr)
      (then
        (memory.copy
          (i32.wrap_i64 (local.get $ptr))
          (local.get $old_ptr)
          (select (local.get $old_size) (local.get $new_size)
                  (i32.lt_u (local.get $old_size) (local.get $new_size))))))
    (i32.wrap_i64 (local.get $ptr)))

  ;; Writes the decimal digit of (value / divisor) % 10 at addr.
  (func $digit (param $addr i32) (param $value i32) (param $divisor i32)
    (i32.store8 (local.get $addr)
      (i32.add (i32.const 48)
        (i32.rem_u (i32.div_u (local.get $value) (local.get $divisor)) (i32.const 10)))))

  (func (export "produce") (param $n i32) (result i32)
    (local $handle i32) (local $list i32) (local $i i32) (local $job i32) (local $result i32)
    ;; 1. the address
    (call $variables_get (i32.const 16) (i32.const 13) (i32.const 256))
    (if (i32.load8_u (i32.const 256)) (then (return (i32.const -100))))
    ;; 2. open
    (call $open (i32.load (i32.const 260)) (i32.load (i32.const 264)) (i32.const 272))
    (if (i32.load8_u (i32.const 272))
      (then (return (i32.sub (i32.const -1) (i32.load8_u (i32.const 276))))))
    (local.set $handle (i32.load (i32.const 276)))
    ;; 3. the job list: n elements of (ptr, len), each job "job-NNNN"
    (local.set $list (call $cabi_realloc (i32.const 0) (i32.const 0) (i32.const 4)
                                         (i32.mul (local.get $n) (i32.const 8))))
    (block $built
      (loop $next
        (br_if $built (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $job (call $cabi_realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (i32.store8 (local.get $job) (i32.const 106))                   ;; j
        (i32.store8 (i32.add (local.get $job) (i32.const 1)) (i32.const 111)) ;; o
        (i32.store8 (i32.add (local.get $job) (i32.const 2)) (i32.const 98))  ;; b
        (i32.store8 (i32.add (local.get $job) (i32.const 3)) (i32.const 45))  ;; -
        (call $digit (i32.add (local.get $job) (i32.const 4)) (i32.add (local.get $i) (i32.const 1)) (i32.const 1000))
        (call $digit (i32.add (local.get $job) (i32.const 5)) (i32.add (local.get $i) (i32.const 1)) (i32.const 100))
        (call $digit (i32.add (local.get $job) (i32.const 6)) (i32.add (local.get $i) (i32.const 1)) (i32.const 10))
        (call $digit (i32.add (local.get $job) (i32.const 7)) (i32.add (local.get $i) (i32.const 1)) (i32.const 1))
        (i32.store (i32.add (local.get $list) (i32.mul (local.get $i) (i32.const 8))) (local.get $job))
        (i32.store (i32.add (local.get $list) (i32.add (i32.mul (local.get $i) (i32.const 8)) (i32.const 4)))
                   (i32.const 8))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    ;; one push of the whole list
    (call $push (local.get $handle) (i32.const 32) (i32.const 10) (local.get $list) (local.get $n) (i32.const 288))
    (local.set $result
      (if (result i32) (i32.load8_u (i32.const 288))
        (then (i32.sub (i32.const -1) (i32.load8_u (i32.const 292))))
        (else (i32.load (i32.const 292)))))
    ;; 4. done with the connection; forget the heap
    (call $drop (local.get $handle))
    (global.set $heap (i32.const 1024))
    (local.get $result))
)
