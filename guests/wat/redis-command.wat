;; redis-command: a WASI preview1 command that uses Redis through the canonical ABI.
;;
;; _start:
;;   1. fermyon:spin/variables@2.0.0 get("redis_address")
;;   2. fermyon:spin/redis@2.0.0 [static]connection.open(address)
;;   3. [method]connection.incr("spindle:command-runs")
;;   4. writes "count=N\n" (N = the new value, decimal) to stdout in one fd_write
;;   5. [resource-drop]connection, then returns normally (exit status 0)
;; On an err result it writes one line to stderr and calls proc_exit(1):
;;   "redis-command: <step> error <discriminant>[: <message>]\n"
;; with <step> one of variables.get, open, incr; the message is printed for every
;; variables error (all its cases carry a string) and for redis error `other`
;; (discriminant 3). Redis error discriminants: 0 invalid-address,
;; 1 too-many-connections, 2 type-error, 3 other. (After an incr error the
;; connection is dropped before exiting.)
;;
;; Memory map (memory "memory": 1 page initial, grows on demand):
;;   0    ..    7  iovec {ptr, len} for fd_write
;;   8    ..   11  nwritten
;;   16   ..  159  constant strings (data segments below)
;;   160  ..  241  "count=" + decimal digits + "\n" (digits end at 240)
;;   256  ..  271  return area of variables.get (16, align 4)
;;   272  ..  287  return area of open (16, align 4)
;;   288  ..  311  return area of incr (24, align 8)
;;   1024 ..       heap: cabi_realloc's bump allocator (the address string lands here)
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

  (memory (export "memory") 1)

  (data (i32.const 16) "redis_address")          ;; 13 bytes
  (data (i32.const 32) "spindle:command-runs")   ;; 20 bytes
  (data (i32.const 64) "count=")                 ;; 6 bytes
  (data (i32.const 72) "\n")                     ;; 1 byte
  (data (i32.const 80) "redis-command: ")        ;; 15 bytes
  (data (i32.const 96) " error ")                ;; 7 bytes
  (data (i32.const 104) ": ")                    ;; 2 bytes
  (data (i32.const 112) "variables.get")         ;; 13 bytes
  (data (i32.const 128) "open")                  ;; 4 bytes
  (data (i32.const 136) "incr")                  ;; 4 bytes

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

  ;; Writes all of [ptr, ptr+len) to fd; gives up silently on an error or a 0-byte write.
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (block $done
      (loop $more
        (br_if $done (i32.eqz (local.get $len)))
        (i32.store (i32.const 0) (local.get $ptr))
        (i32.store (i32.const 4) (local.get $len))
        (br_if $done
          (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
        (br_if $done (i32.eqz (i32.load (i32.const 8))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.load (i32.const 8))))
        (local.set $len (i32.sub (local.get $len) (i32.load (i32.const 8))))
        (br $more))))

  ;; Writes v in decimal so that it ends just before address 240; returns its first address.
  (func $decimal (param $v i64) (result i32)
    (local $p i32) (local $mag i64)
    (local.set $p (i32.const 240))
    ;; |v| as unsigned (0 - MIN wraps to 2^63, which is right when read unsigned)
    (local.set $mag
      (select (i64.sub (i64.const 0) (local.get $v)) (local.get $v)
              (i64.lt_s (local.get $v) (i64.const 0))))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p)
        (i64.add (i64.const 48) (i64.rem_u (local.get $mag) (i64.const 10))))
      (local.set $mag (i64.div_u (local.get $mag) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $mag) (i64.const 0))))
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i32.store8 (local.get $p) (i32.const 45))))
    (local.get $p))

  ;; "redis-command: <step> error <disc>[: <msg>]\n" on stderr, then proc_exit(1).
  (func $fail (param $step_ptr i32) (param $step_len i32) (param $disc i32)
              (param $msg_ptr i32) (param $msg_len i32) (param $has_msg i32)
    (local $p i32)
    (call $write (i32.const 2) (i32.const 80) (i32.const 15))
    (call $write (i32.const 2) (local.get $step_ptr) (local.get $step_len))
    (call $write (i32.const 2) (i32.const 96) (i32.const 7))
    (local.set $p (call $decimal (i64.extend_i32_u (local.get $disc))))
    (call $write (i32.const 2) (local.get $p) (i32.sub (i32.const 240) (local.get $p)))
    (if (local.get $has_msg)
      (then
        (call $write (i32.const 2) (i32.const 104) (i32.const 2))
        (call $write (i32.const 2) (local.get $msg_ptr) (local.get $msg_len))))
    (call $write (i32.const 2) (i32.const 72) (i32.const 1))
    (call $proc_exit (i32.const 1))
    unreachable)

  (func (export "_start")
    (local $handle i32) (local $p i32)

    ;; 1. variables.get("redis_address") -> result<string, error> at 256
    (call $variables_get (i32.const 16) (i32.const 13) (i32.const 256))
    (if (i32.load8_u (i32.const 256))
      (then
        (call $fail (i32.const 112) (i32.const 13)
          (i32.load8_u (i32.const 260)) (i32.load (i32.const 264)) (i32.load (i32.const 268))
          (i32.const 1))))

    ;; 2. open(address) -> result<connection, error> at 272
    (call $open (i32.load (i32.const 260)) (i32.load (i32.const 264)) (i32.const 272))
    (if (i32.load8_u (i32.const 272))
      (then
        (call $fail (i32.const 128) (i32.const 4)
          (i32.load8_u (i32.const 276)) (i32.load (i32.const 280)) (i32.load (i32.const 284))
          (i32.eq (i32.load8_u (i32.const 276)) (i32.const 3)))))
    (local.set $handle (i32.load (i32.const 276)))

    ;; 3. incr("spindle:command-runs") -> result<s64, error> at 288 (payload at 296)
    (call $incr (local.get $handle) (i32.const 32) (i32.const 20) (i32.const 288))
    (if (i32.load8_u (i32.const 288))
      (then
        (call $drop (local.get $handle))
        (call $fail (i32.const 136) (i32.const 4)
          (i32.load8_u (i32.const 296)) (i32.load (i32.const 300)) (i32.load (i32.const 304))
          (i32.eq (i32.load8_u (i32.const 296)) (i32.const 3)))))

    ;; 4. "count=N\n" in one write: digits end at 240, "\n" at 240, "count=" before them
    (local.set $p (call $decimal (i64.load (i32.const 296))))
    (i32.store8 (i32.const 240) (i32.const 10))
    (local.set $p (i32.sub (local.get $p) (i32.const 6)))
    (memory.copy (local.get $p) (i32.const 64) (i32.const 6))
    (call $write (i32.const 1) (local.get $p) (i32.sub (i32.const 241) (local.get $p)))

    ;; 5. drop the connection; returning from _start is exit status 0
    (call $drop (local.get $handle))))
