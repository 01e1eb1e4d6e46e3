;; wagi-hello: a WASI preview1 command serving HTTP the WAGI (CGI) way. It writes
;;   Status: 201 Created
;;   Content-Type: text/plain
;;   X-Custom: yes
;;   <blank line>
;;   hello from wagi, path=<PATH_INFO>
;; to stdout, taking PATH_INFO from its environment (environ_get); empty if unset.
;;
;; Memory map: 0 iovec (8) + nwritten (4); 16 environ count, 20 environ buf size;
;; 1024 text constants; 4096 environ pointer array (up to 2048 entries);
;; 65536.. environ strings (memory grows to fit).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))

  (memory (export "memory") 2)
  (data (i32.const 1024) "Status: 201 Created\nContent-Type: text/plain\nX-Custom: yes\n\nhello from wagi, path=")
  (data (i32.const 1200) "PATH_INFO=")
  (data (i32.const 1220) "\n")

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; 1 if the NUL-terminated string at $s starts with "PATH_INFO=".
  (func $is_path_info (param $s i32) (result i32)
    (local $i i32)
    (block $no
      (loop $cmp
        (br_if $no (i32.ne (i32.load8_u (i32.add (local.get $s) (local.get $i)))
                           (i32.load8_u (i32.add (i32.const 1200) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $cmp (i32.lt_u (local.get $i) (i32.const 10))))
      (return (i32.const 1)))
    (i32.const 0))

  (func $strlen (param $s i32) (result i32)
    (local $n i32)
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $scan)))
    (local.get $n))

  (func (export "_start")
    (local $count i32) (local $size i32) (local $i i32) (local $s i32) (local $need i32)
    (call $write (i32.const 1024) (i32.const 82))
    (drop (call $environ_sizes_get (i32.const 16) (i32.const 20)))
    (local.set $count (i32.load (i32.const 16)))
    (local.set $size (i32.load (i32.const 20)))
    (if (i32.gt_u (local.get $count) (i32.const 2048)) (then (local.set $count (i32.const 0))))
    (if (local.get $count)
      (then
        ;; make room for the strings at 65536
        (local.set $need (i32.add (i32.const 65536) (local.get $size)))
        (if (i32.gt_u (local.get $need) (i32.mul (memory.size) (i32.const 65536)))
          (then (drop (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $need) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1))))))
        (drop (call $environ_get (i32.const 4096) (i32.const 65536)))
        (block $found
          (loop $each
            (local.set $s (i32.load (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 2)))))
            (if (call $is_path_info (local.get $s))
              (then
                (call $write (i32.add (local.get $s) (i32.const 10)) (call $strlen (i32.add (local.get $s) (i32.const 10))))
                (br $found)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $each (i32.lt_u (local.get $i) (local.get $count)))))))
    (call $write (i32.const 1220) (i32.const 1)))
)
