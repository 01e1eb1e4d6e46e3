;; recurse: every entry point recurses without bound until the call stack is
;; exhausted. The recursive call is not in tail position (its result is used),
;; so no engine can turn it into a loop.
;; Exports run() and _start.
(module
  (memory (export "memory") 1)
  (func $down (param $depth i32) (result i32)
    (i32.add
      (call $down (i32.add (local.get $depth) (i32.const 1)))
      (i32.const 1)))
  (func $run
    (drop (call $down (i32.const 0))))
  (export "run" (func $run))
  (export "_start" (func $run)))
