;; no-realloc: imports fermyon:spin/redis@2.0.0 [method]connection.get (which
;; returns an option<list<u8>> the host must allocate in guest memory) but does
;; NOT export cabi_realloc. The host must refuse it at load time with a clear
;; message, before running anything.
;; Exports memory, run() and _start (both call get(handle 1, "k", retptr 32)).
(module
  (import "fermyon:spin/redis@2.0.0" "[method]connection.get"
    (func $get (param $self i32) (param $key_ptr i32) (param $key_len i32) (param $retptr i32)))

  (memory (export "memory") 1)
  (data (i32.const 16) "k")

  (func $run
    (call $get (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32)))
  (export "run" (func $run))
  (export "_start" (func $run)))
