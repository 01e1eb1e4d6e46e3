;; unknown-import: imports env.mystery, which no Spindle host provides. The host
;; must refuse it at load time, naming the import.
;; Exports memory, run() and _start (both call mystery).
(module
  (import "env" "mystery" (func $mystery (param i32) (result i32)))

  (memory (export "memory") 1)

  (func $run
    (drop (call $mystery (i32.const 42))))
  (export "run" (func $run))
  (export "_start" (func $run)))
