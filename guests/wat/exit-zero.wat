;; exit-zero: a WASI preview1 command whose _start writes "goodbye from guest\n"
;; to stdout and returns normally (exit status 0, no proc_exit call).
;;
;; Memory map: 0..7 iovec {ptr, len}; 8..11 nwritten; 16.. the line.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param $fd i32) (param $iovs i32) (param $iovs_len i32) (param $nwritten i32)
                    (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 16) "goodbye from guest\n")

  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 19))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
