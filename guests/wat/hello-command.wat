;; hello-command: a WASI preview1 command.
;; _start writes "hello from guest\n" to stdout (fd 1), "oops on stderr\n" to
;; stderr (fd 2), then calls proc_exit(3). Checks stdout/stderr capture and exit
;; codes.
;;
;; Memory map: 0..7 iovec {ptr, len}; 8..11 nwritten; 16.. "hello from guest\n";
;; 48.. "oops on stderr\n".
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param $fd i32) (param $iovs i32) (param $iovs_len i32) (param $nwritten i32)
                    (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param $code i32)))

  (memory (export "memory") 1)
  (data (i32.const 16) "hello from guest\n")
  (data (i32.const 48) "oops on stderr\n")

  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_start")
    (call $write (i32.const 1) (i32.const 16) (i32.const 17))
    (call $write (i32.const 2) (i32.const 48) (i32.const 15))
    (call $proc_exit (i32.const 3))))
