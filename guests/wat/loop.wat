;; loop: every entry point spins forever in a `loop`/`br` with no exit.
;; Exports run() and _start. Hosts need a time limit that actually stops it
;; (with Chicory: the compiler checks thread interruption on backward branches;
;; the interpreter does not).
(module
  (memory (export "memory") 1)
  (func $spin
    (loop $forever
      (br $forever)))
  (export "run" (func $spin))
  (export "_start" (func $spin)))
