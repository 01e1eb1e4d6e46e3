;; isolation: a reactor that tries to carry a secret from one invocation to the next through
;; every place a core module can keep state, so a test can prove that pooled, pre-initialized
;; instances hand each invocation a fresh copy of the initial state.
;;
;; _initialize (the engine runs it once, before the snapshot): stores 42 at 100, sets $g to 42 and
;; counts its runs at 104 (so a test sees whether the snapshot holds the initialized state).
;;
;; plant(secret i64) writes the secret into:
;;   memory at 4096 (inside a 4 KiB card), 8188 (an i64 spanning two cards), 65528 (the last
;;   bytes of the initial page); the mutable global $g; table entry 1 (set to $secret_fn, which
;;   returns 1337); 3 more table entries (table.grow); one more memory page (memory.grow), with
;;   the secret at 65544.
;; plant_and_trap(secret): plant, then unreachable.     plant_and_loop(secret): plant, then loops forever.
;;
;; Readers: memory_i64(addr) -> i64, global() -> i64, pages() -> i32, table_size() -> i32,
;; entry1_is_null() -> i32, grow_and_read() -> i64 (grows one page, reads 65544: 0 in a fresh memory),
;; init_marker() -> i32 (42 after _initialize), init_runs() -> i32.
;;
;; WASI descriptors: open_file() -> i32 opens "isolation.txt" in the first preopen (fd 3) and
;; returns the new fd (or -errno); fd_is_open(fd) -> i32 is 1 if fd_fdstat_get(fd) succeeds.
;;
;; Memory map: 100 init marker, 104 init run count, 200.. "isolation.txt", 256 fd_out,
;; 300..323 fdstat buffer, 4096 / 8188 / 65528 / 65544 planted secrets.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get"
    (func $fd_fdstat_get (param i32 i32) (result i32)))

  (memory (export "memory") 1 8)
  (global $g (mut i64) (i64.const 0))
  (table $t 2 16 funcref)
  (elem (i32.const 0) $zero_fn)
  (elem declare func $secret_fn)
  (data (i32.const 200) "isolation.txt")

  (func $zero_fn (result i32) (i32.const 0))
  (func $secret_fn (result i32) (i32.const 1337))

  (func (export "_initialize")
    (i32.store (i32.const 100) (i32.const 42))
    (i32.store (i32.const 104) (i32.add (i32.load (i32.const 104)) (i32.const 1)))
    (global.set $g (i64.const 42)))

  (func $plant (export "plant") (param $secret i64)
    (i64.store (i32.const 4096) (local.get $secret))
    (i64.store (i32.const 8188) (local.get $secret))
    (i64.store (i32.const 65528) (local.get $secret))
    (global.set $g (local.get $secret))
    (table.set $t (i32.const 1) (ref.func $secret_fn))
    (drop (table.grow $t (ref.func $secret_fn) (i32.const 3)))
    (if (i32.lt_s (memory.grow (i32.const 1)) (i32.const 0)) (then unreachable))
    (i64.store (i32.const 65544) (local.get $secret)))

  (func (export "plant_and_trap") (param $secret i64)
    (call $plant (local.get $secret))
    unreachable)

  (func (export "plant_and_loop") (param $secret i64)
    (call $plant (local.get $secret))
    (loop $forever (br $forever)))

  (func (export "memory_i64") (param $addr i32) (result i64) (i64.load (local.get $addr)))
  (func (export "global") (result i64) (global.get $g))
  (func (export "pages") (result i32) (memory.size))
  (func (export "table_size") (result i32) (table.size $t))
  (func (export "entry1_is_null") (result i32) (ref.is_null (table.get $t (i32.const 1))))
  (func (export "grow_and_read") (result i64)
    (if (i32.lt_s (memory.grow (i32.const 1)) (i32.const 0)) (then unreachable))
    (i64.load (i32.const 65544)))
  (func (export "init_marker") (result i32) (i32.load (i32.const 100)))
  (func (export "init_runs") (result i32) (i32.load (i32.const 104)))

  ;; rights FD_READ (0x2); the new fd lands at 256
  (func (export "open_file") (result i32)
    (local $errno i32)
    (local.set $errno
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 13)
                       (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 256)))
    (if (result i32) (local.get $errno)
      (then (i32.sub (i32.const 0) (local.get $errno)))
      (else (i32.load (i32.const 256)))))

  (func (export "fd_is_open") (param $fd i32) (result i32)
    (i32.eqz (call $fd_fdstat_get (local.get $fd) (i32.const 300)))))
