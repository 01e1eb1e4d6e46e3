;; wagi-args: a WASI preview1 command that answers a WAGI request with its own argv, one
;; argument per line:
;;   Content-Type: text/plain
;;   <blank line>
;;   <argv[0]>\n<argv[1]>\n...
;;
;; Memory map: 0 iovec (8) + nwritten (4); 16 argc, 20 argv buffer size; 1024 text constants;
;; 4096 argv pointer array (up to 1024 entries); 65536.. argv strings (memory grows to fit).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))

  (memory (export "memory") 2)
  (data (i32.const 1024) "Content-Type: text/plain\n\n")
  (data (i32.const 1060) "\n")

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  (func (export "_start")
    (local $argc i32) (local $size i32) (local $i i32) (local $arg i32)
    (call $write (i32.const 1024) (i32.const 26))
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (local.set $argc (i32.load (i32.const 16)))
    (local.set $size (i32.load (i32.const 20)))
    (if (i32.gt_u (local.get $argc) (i32.const 1024)) (then unreachable))
    ;; grow so that 65536 + size fits
    (if (i32.gt_u (i32.add (i32.const 65536) (local.get $size)) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.shr_u (local.get $size) (i32.const 16)) (i32.const 1))))))
    (drop (call $args_get (i32.const 4096) (i32.const 65536)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $argc)))
        (local.set $arg (i32.load (i32.add (i32.const 4096) (i32.mul (local.get $i) (i32.const 4)))))
        (call $write (local.get $arg) (call $strlen (local.get $arg)))
        (call $write (i32.const 1060) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
)
