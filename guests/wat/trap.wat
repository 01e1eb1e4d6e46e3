;; trap: every entry point executes `unreachable`.
;; Exports run() (reactor-style entry) and _start (so it also loads as a command).
;; Hosts must turn the trap into a clean failure of that one call/instance.
(module
  (memory (export "memory") 1)
  (func $trap unreachable)
  (export "run" (func $trap))
  (export "_start" (func $trap)))
