;; queue-worker: a WASI preview1 command that drains the queue queue-producer fills.
;;
;; _start:
;;   1. fermyon:spin/variables@2.0.0 get("redis_address")
;;   2. fermyon:spin/redis@2.0.0 [static]connection.open(address)
;;   3. repeatedly spindle:redis/extended@0.1.0 shift("queue:jobs") (LPOP: oldest job first)
;;      until it returns none; for each job:
;;        writes "processed <job>\n" to stdout (one fd_write of three iovecs), then
;;        [method]connection.incr("queue:processed")
;;   4. [resource-drop]connection, then returns normally (exit status 0)
;; On an err result it writes "queue-worker: <step> failed\n" to stderr and calls
;; proc_exit(1) (<step>: variables.get, open, shift or incr).
;; The heap is reset before every shift, so a long queue does not grow memory.
;;
;; Memory map (memory "memory": 1 page initial, grows on demand):
;;   16   ..  175  constant strings (data segments below)
;;   256  ..  271  return area of variables.get (16, align 4)
;;   272  ..  287  return area of open (16, align 4)
;;   288  ..  303  return area of shift (16, align 4)
;;   304  ..  327  return area of incr (24, align 8)
;;   336  ..  359  three iovecs {ptr, len} for fd_write
;;   360  ..  363  nwritten
;;   1024 ..       heap: cabi_realloc's bump allocator (address string, each job)
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param $fd i32) (param $iovs i32) (param $iovs_len i32) (param $nwritten i32)
                    (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param $code i32)))
  (import "fermyon:spin/variables@2.0.0" "get"
    (func $variables_get (param $name_ptr i32) (param $name_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[static]connection.open"
    (func $open (param $addr_ptr i32) (param $addr_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.incr"
    (func $incr (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[resource-drop]connection"
    (func $drop (param $handle i32)))
  (import "spindle:redis/extended@0.1.0" "shift"
    (func $shift (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)))

  (memory (export "memory") 1)

  (data (i32.const 16) "redis_address")                        ;; 13 bytes
  (data (i32.const 32) "queue:jobs")                           ;; 10 bytes
  (data (i32.const 48) "queue:processed")                      ;; 15 bytes
  (data (i32.const 64) "processed ")                           ;; 10 bytes
  (data (i32.const 80) "\n")                                   ;; 1 byte
  (data (i32.const 96) "queue-worker: variables.get failed\n") ;; 35 bytes
  (data (i32.const 136) "queue-worker: open failed\n")         ;; 26 bytes
  (data (i32.const 168) "queue-worker: shift failed\n")        ;; 27 bytes
  (data (i32.const 200) "queue-worker: incr failed\n")         ;; 26 bytes

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

  ;; Writes msg to stderr and exits 1.
  (func $fail (param $msg i32) (param $len i32)
    (i32.store (i32.const 336) (local.get $msg))
    (i32.store (i32.const 340) (local.get $len))
    (drop (call $fd_write (i32.const 2) (i32.const 336) (i32.const 1) (i32.const 360)))
    (call $proc_exit (i32.const 1))
    unreachable)

  (func (export "_start")
    (local $handle i32)
    ;; 1. the address
    (call $variables_get (i32.const 16) (i32.const 13) (i32.const 256))
    (if (i32.load8_u (i32.const 256)) (then (call $fail (i32.const 96) (i32.const 35))))
    ;; 2. open
    (call $open (i32.load (i32.const 260)) (i32.load (i32.const 264)) (i32.const 272))
    (if (i32.load8_u (i32.const 272)) (then (call $fail (i32.const 136) (i32.const 26))))
    (local.set $handle (i32.load (i32.const 276)))
    ;; 3. drain
    (block $empty
      (loop $next
        (global.set $heap (i32.const 1024)) ;; the previous job is no longer needed
        (call $shift (local.get $handle) (i32.const 32) (i32.const 10) (i32.const 288))
        (if (i32.load8_u (i32.const 288))
          (then
            (call $drop (local.get $handle))
            (call $fail (i32.const 168) (i32.const 27))))
        (br_if $empty (i32.eqz (i32.load8_u (i32.const 292)))) ;; none: the queue is empty
        ;; "processed " <job> "\n"
        (i32.store (i32.const 336) (i32.const 64))
        (i32.store (i32.const 340) (i32.const 10))
        (i32.store (i32.const 344) (i32.load (i32.const 296)))
        (i32.store (i32.const 348) (i32.load (i32.const 300)))
        (i32.store (i32.const 352) (i32.const 80))
        (i32.store (i32.const 356) (i32.const 1))
        (drop (call $fd_write (i32.const 1) (i32.const 336) (i32.const 3) (i32.const 360)))
        (call $incr (local.get $handle) (i32.const 48) (i32.const 15) (i32.const 304))
        (if (i32.load8_u (i32.const 304))
          (then
            (call $drop (local.get $handle))
            (call $fail (i32.const 200) (i32.const 26))))
        (br $next)))
    ;; 4. done
    (call $drop (local.get $handle)))
)
