;; redis-proxy: a thin real guest that lets host tests drive every Redis/variables
;; import through the genuine canonical-ABI core signatures of the guest ABI
;; (docs/guest-abi.md: Spin's WIT lowered to core Wasm). Tests write inputs into guest memory, call a
;; proxy-* export, and read the return area back. Each proxy-* export forwards its
;; parameters unchanged to the import of the same shape:
;;
;;   proxy-open            -> fermyon:spin/redis@2.0.0 [static]connection.open
;;   proxy-publish         -> fermyon:spin/redis@2.0.0 [method]connection.publish
;;   proxy-get             -> fermyon:spin/redis@2.0.0 [method]connection.get
;;   proxy-set             -> fermyon:spin/redis@2.0.0 [method]connection.set
;;   proxy-incr            -> fermyon:spin/redis@2.0.0 [method]connection.incr
;;   proxy-del             -> fermyon:spin/redis@2.0.0 [method]connection.del
;;   proxy-sadd            -> fermyon:spin/redis@2.0.0 [method]connection.sadd
;;   proxy-smembers        -> fermyon:spin/redis@2.0.0 [method]connection.smembers
;;   proxy-srem            -> fermyon:spin/redis@2.0.0 [method]connection.srem
;;   proxy-execute         -> fermyon:spin/redis@2.0.0 [method]connection.execute
;;   proxy-drop            -> fermyon:spin/redis@2.0.0 [resource-drop]connection
;;   proxy-variables-get   -> fermyon:spin/variables@2.0.0 get
;;   proxy-set-with-ttl    -> spindle:redis/extended@0.1.0 set-with-ttl
;;   proxy-has             -> spindle:redis/extended@0.1.0 has
;;   proxy-incr-by         -> spindle:redis/extended@0.1.0 incr-by
;;   proxy-expire          -> spindle:redis/extended@0.1.0 expire
;;   proxy-ttl             -> spindle:redis/extended@0.1.0 ttl
;;   proxy-push            -> spindle:redis/extended@0.1.0 push
;;   proxy-unshift         -> spindle:redis/extended@0.1.0 unshift
;;   proxy-pop             -> spindle:redis/extended@0.1.0 pop
;;   proxy-shift           -> spindle:redis/extended@0.1.0 shift
;;   proxy-range           -> spindle:redis/extended@0.1.0 range
;;   proxy-count           -> spindle:redis/extended@0.1.0 count
;;   proxy-rate-limit      -> spindle:redis/extended@0.1.0 rate-limit
;;   proxy-pipeline        -> spindle:redis/extended@0.1.0 pipeline
;;
;; Memory map (memory "memory": 2 pages initial, no maximum, grows on demand):
;;
;;   0     ..  1023   reserved: never touched by this module (keeps pointer 0 and
;;                    small pointers meaningless, so a host bug reading them shows)
;;   1024  .. 65535   scratch for tests: strings, lists, records and return areas
;;                    the test writes/points at before calling a proxy-* export
;;   65536 ..         heap: cabi_realloc's bump allocator (heap-base() = 65536);
;;                    whatever the host allocates for results lands here
;;
;; Exports besides the proxies:
;;   memory
;;   cabi_realloc(old_ptr, old_size, align, new_size) -> ptr
;;       bump allocation at the next `align`-aligned address (align must be a power
;;       of two, else trap); grows memory when needed and traps (unreachable) if
;;       memory.grow fails or the address space (4 GiB) is exhausted; a realloc of
;;       an old block copies min(old_size, new_size) bytes; nothing is ever freed.
;;   heap-base() -> i32    first heap address (65536): scratch lies below it
;;   heap-top()  -> i32    next free heap address (heap-base() until the host allocates)
;;   heap-reset()          forget every allocation: heap-top() = heap-base()
(module
  (import "fermyon:spin/redis@2.0.0" "[static]connection.open"
    (func $open (param $addr_ptr i32) (param $addr_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.publish"
    (func $publish (param $self i32) (param $chan_ptr i32) (param $chan_len i32) (param $payload_ptr i32) (param $payload_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.get"
    (func $get (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.set"
    (func $set (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $value_ptr i32) (param $value_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.incr"
    (func $incr (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.del"
    (func $del (param $self i32) (param $keys_ptr i32) (param $keys_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.sadd"
    (func $sadd (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $values_ptr i32) (param $values_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.smembers"
    (func $smembers (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.srem"
    (func $srem (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $values_ptr i32) (param $values_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.execute"
    (func $execute (param $self i32) (param $cmd_ptr i32) (param $cmd_len i32) (param $args_ptr i32) (param $args_len i32) (param $retptr i32)))
  (import "fermyon:spin/redis@2.0.0" "[resource-drop]connection"
    (func $drop (param $handle i32)))
  (import "fermyon:spin/variables@2.0.0" "get"
    (func $variables_get (param $name_ptr i32) (param $name_len i32) (param $retptr i32)))
  (import "spindle:redis/extended@0.1.0" "set-with-ttl"
    (func $set_with_ttl (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $value_ptr i32) (param $value_len i32) (param $ttl_ms i64) (param $retptr i32)))
  (import "spindle:redis/extended@0.1.0" "has"
    (func $has (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)))
  (import "spindle:redis/extended@0.1.0" "incr-by"
    (func $incr_by (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $delta i64) (param $retptr i32)))
  (import "spindle:redis/extended@0.1.0" "expire"
    (func $expire (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $ttl_ms i64) (param $retptr i32)))
  (import "spindle:redis/extended@0.1.0" "ttl"
    (func $ttl (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)))
  (import "spindle:redis/extended@0.1.0" "push"
    (func $push (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $values_ptr i32) (param $values_len i32) (param $retptr i32)))
  (import "spindle:redis/extended@0.1.0" "unshift"
    (func $unshift (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $values_ptr i32) (param $values_len i32) (param $retptr i32)))
  (import "spindle:redis/extended@0.1.0" "pop"
    (func $pop (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)))
  (import "spindle:redis/extended@0.1.0" "shift"
    (func $shift (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)))
  (import "spindle:redis/extended@0.1.0" "range"
    (func $range (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $start i64) (param $stop i64) (param $retptr i32)))
  (import "spindle:redis/extended@0.1.0" "count"
    (func $count (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)))
  (import "spindle:redis/extended@0.1.0" "rate-limit"
    (func $rate_limit (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $max i32) (param $window_ms i64) (param $retptr i32)))
  (import "spindle:redis/extended@0.1.0" "pipeline"
    (func $pipeline (param $conn i32) (param $commands_ptr i32) (param $commands_len i32) (param $transaction i32) (param $retptr i32)))

  (memory (export "memory") 2)

  ;; First heap address; everything below is reserved/scratch (see the map above).
  (global $heap_base i32 (i32.const 65536))
  (global $heap (mut i32) (i32.const 65536))

  (func (export "heap-base") (result i32) (global.get $heap_base))
  (func (export "heap-top") (result i32) (global.get $heap))
  (func (export "heap-reset") (global.set $heap (global.get $heap_base)))

  (func $cabi_realloc (export "cabi_realloc")
    (param $old_ptr i32) (param $old_size i32) (param $align i32) (param $new_size i32)
    (result i32)
    (local $ptr i64) (local $end i64) (local $have i64)
    ;; align must be a power of two
    (if (i32.or (i32.eqz (local.get $align))
                (i32.and (local.get $align) (i32.sub (local.get $align) (i32.const 1))))
      (then unreachable))
    ;; 64-bit arithmetic so that nothing wraps near 4 GiB
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

  (func (export "proxy-open") (param $addr_ptr i32) (param $addr_len i32) (param $retptr i32)
    (call $open (local.get $addr_ptr) (local.get $addr_len) (local.get $retptr)))

  (func (export "proxy-publish") (param $self i32) (param $chan_ptr i32) (param $chan_len i32) (param $payload_ptr i32) (param $payload_len i32) (param $retptr i32)
    (call $publish (local.get $self) (local.get $chan_ptr) (local.get $chan_len) (local.get $payload_ptr) (local.get $payload_len) (local.get $retptr)))

  (func (export "proxy-get") (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)
    (call $get (local.get $self) (local.get $key_ptr) (local.get $key_len) (local.get $retptr)))

  (func (export "proxy-set") (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $value_ptr i32) (param $value_len i32) (param $retptr i32)
    (call $set (local.get $self) (local.get $key_ptr) (local.get $key_len) (local.get $value_ptr) (local.get $value_len) (local.get $retptr)))

  (func (export "proxy-incr") (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)
    (call $incr (local.get $self) (local.get $key_ptr) (local.get $key_len) (local.get $retptr)))

  (func (export "proxy-del") (param $self i32) (param $keys_ptr i32) (param $keys_len i32) (param $retptr i32)
    (call $del (local.get $self) (local.get $keys_ptr) (local.get $keys_len) (local.get $retptr)))

  (func (export "proxy-sadd") (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $values_ptr i32) (param $values_len i32) (param $retptr i32)
    (call $sadd (local.get $self) (local.get $key_ptr) (local.get $key_len) (local.get $values_ptr) (local.get $values_len) (local.get $retptr)))

  (func (export "proxy-smembers") (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)
    (call $smembers (local.get $self) (local.get $key_ptr) (local.get $key_len) (local.get $retptr)))

  (func (export "proxy-srem") (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $values_ptr i32) (param $values_len i32) (param $retptr i32)
    (call $srem (local.get $self) (local.get $key_ptr) (local.get $key_len) (local.get $values_ptr) (local.get $values_len) (local.get $retptr)))

  (func (export "proxy-execute") (param $self i32) (param $cmd_ptr i32) (param $cmd_len i32) (param $args_ptr i32) (param $args_len i32) (param $retptr i32)
    (call $execute (local.get $self) (local.get $cmd_ptr) (local.get $cmd_len) (local.get $args_ptr) (local.get $args_len) (local.get $retptr)))

  (func (export "proxy-drop") (param $handle i32)
    (call $drop (local.get $handle)))

  (func (export "proxy-variables-get") (param $name_ptr i32) (param $name_len i32) (param $retptr i32)
    (call $variables_get (local.get $name_ptr) (local.get $name_len) (local.get $retptr)))

  (func (export "proxy-set-with-ttl") (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $value_ptr i32) (param $value_len i32) (param $ttl_ms i64) (param $retptr i32)
    (call $set_with_ttl (local.get $conn) (local.get $key_ptr) (local.get $key_len) (local.get $value_ptr) (local.get $value_len) (local.get $ttl_ms) (local.get $retptr)))

  (func (export "proxy-has") (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)
    (call $has (local.get $conn) (local.get $key_ptr) (local.get $key_len) (local.get $retptr)))

  (func (export "proxy-incr-by") (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $delta i64) (param $retptr i32)
    (call $incr_by (local.get $conn) (local.get $key_ptr) (local.get $key_len) (local.get $delta) (local.get $retptr)))

  (func (export "proxy-expire") (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $ttl_ms i64) (param $retptr i32)
    (call $expire (local.get $conn) (local.get $key_ptr) (local.get $key_len) (local.get $ttl_ms) (local.get $retptr)))

  (func (export "proxy-ttl") (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)
    (call $ttl (local.get $conn) (local.get $key_ptr) (local.get $key_len) (local.get $retptr)))

  (func (export "proxy-push") (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $values_ptr i32) (param $values_len i32) (param $retptr i32)
    (call $push (local.get $conn) (local.get $key_ptr) (local.get $key_len) (local.get $values_ptr) (local.get $values_len) (local.get $retptr)))

  (func (export "proxy-unshift") (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $values_ptr i32) (param $values_len i32) (param $retptr i32)
    (call $unshift (local.get $conn) (local.get $key_ptr) (local.get $key_len) (local.get $values_ptr) (local.get $values_len) (local.get $retptr)))

  (func (export "proxy-pop") (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)
    (call $pop (local.get $conn) (local.get $key_ptr) (local.get $key_len) (local.get $retptr)))

  (func (export "proxy-shift") (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)
    (call $shift (local.get $conn) (local.get $key_ptr) (local.get $key_len) (local.get $retptr)))

  (func (export "proxy-range") (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $start i64) (param $stop i64) (param $retptr i32)
    (call $range (local.get $conn) (local.get $key_ptr) (local.get $key_len) (local.get $start) (local.get $stop) (local.get $retptr)))

  (func (export "proxy-count") (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)
    (call $count (local.get $conn) (local.get $key_ptr) (local.get $key_len) (local.get $retptr)))

  (func (export "proxy-rate-limit") (param $conn i32) (param $key_ptr i32) (param $key_len i32) (param $max i32) (param $window_ms i64) (param $retptr i32)
    (call $rate_limit (local.get $conn) (local.get $key_ptr) (local.get $key_len) (local.get $max) (local.get $window_ms) (local.get $retptr)))

  (func (export "proxy-pipeline") (param $conn i32) (param $commands_ptr i32) (param $commands_len i32) (param $transaction i32) (param $retptr i32)
    (call $pipeline (local.get $conn) (local.get $commands_ptr) (local.get $commands_len) (local.get $transaction) (local.get $retptr)))
)
