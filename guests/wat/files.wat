;; files: a WASI command that reads a mounted file and tries to write next to it.
;;
;; _start, with the component's `files` preopened as fd 3 (the first preopen):
;;   1. path_open(3, "hello.txt", read) -> fd_read up to 256 bytes -> fd_write them to stdout
;;      (on failure prints "open errno=N\n")
;;   2. path_open(3, "new.txt", CREAT | rights FD_WRITE) and prints "create errno=N\n"
;;      (a read-only mount answers 69, EROFS)
;;   3. path_unlink_file(3, "hello.txt") and prints "unlink errno=N\n"
;;
;; Memory map: 0..15 iovec, 16..19 nwritten/nread, 20..23 opened fd, 32.. constant strings,
;; 128..383 file buffer, 400..415 decimal scratch.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file"
    (func $path_unlink_file (param i32 i32 i32) (result i32)))

  (memory (export "memory") 1)
  (data (i32.const 32) "hello.txt")        ;; 9
  (data (i32.const 48) "new.txt")          ;; 7
  (data (i32.const 64) "open errno=")      ;; 11
  (data (i32.const 80) "create errno=")    ;; 13
  (data (i32.const 96) "unlink errno=")    ;; 13

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))))

  ;; prints label, the number (0..999) and a newline
  (func $report (param $label i32) (param $label_len i32) (param $n i32)
    (call $write (local.get $label) (local.get $label_len))
    (i32.store8 (i32.const 400) (i32.add (i32.const 48) (i32.div_u (local.get $n) (i32.const 100))))
    (i32.store8 (i32.const 401) (i32.add (i32.const 48) (i32.rem_u (i32.div_u (local.get $n) (i32.const 10)) (i32.const 10))))
    (i32.store8 (i32.const 402) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
    (i32.store8 (i32.const 403) (i32.const 10))
    (call $write (i32.const 400) (i32.const 4)))

  (func (export "_start")
    (local $errno i32)
    ;; 1. read hello.txt (rights: FD_READ = 0x2)
    (local.set $errno
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 32) (i32.const 9)
                       (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 20)))
    (if (local.get $errno)
      (then (call $report (i32.const 64) (i32.const 11) (local.get $errno)))
      (else
        (i32.store (i32.const 8) (i32.const 128))
        (i32.store (i32.const 12) (i32.const 256))
        (drop (call $fd_read (i32.load (i32.const 20)) (i32.const 8) (i32.const 1) (i32.const 16)))
        (call $write (i32.const 128) (i32.load (i32.const 16)))))
    ;; 2. create new.txt (oflags CREAT = 1, rights FD_WRITE = 0x40)
    (local.set $errno
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 48) (i32.const 7)
                       (i32.const 1) (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 20)))
    (call $report (i32.const 80) (i32.const 13) (local.get $errno))
    ;; 3. unlink hello.txt
    (local.set $errno (call $path_unlink_file (i32.const 3) (i32.const 32) (i32.const 9)))
    (call $report (i32.const 96) (i32.const 13) (local.get $errno)))
)
