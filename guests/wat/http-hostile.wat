;; http-hostile: a Spin HTTP component whose response breaks the ABI in a different way per
;; request method. The host must answer 500 each time and keep serving.
;;   GET    -> returns a response pointer past the end of memory
;;   POST   -> response at 2048 whose headers list points past the end of memory
;;   PUT    -> response at 2048 whose body claims 2 GiB
;;   DELETE -> response at 2048 with a header whose name is not UTF-8
;; (method enum: 0 get, 1 post, 2 put, 3 delete)
(module
  (memory (export "memory") 1)
  (data (i32.const 1024) "\ff\fe")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 8192))
  (func (export "fermyon:spin/inbound-http#handle-request")
    (param $method i32) (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
    (if (i32.eqz (local.get $method)) (then (return (i32.const 0xFFFFFFF0))))
    ;; status 200, no headers, no body
    (i32.store16 (i32.const 2048) (i32.const 200))
    (i32.store8 (i32.const 2052) (i32.const 0))
    (i32.store8 (i32.const 2064) (i32.const 0))
    (if (i32.eq (local.get $method) (i32.const 1))
      (then
        (i32.store8 (i32.const 2052) (i32.const 1))
        (i32.store (i32.const 2056) (i32.const 0xFFFF0000))
        (i32.store (i32.const 2060) (i32.const 1000000))))
    (if (i32.eq (local.get $method) (i32.const 2))
      (then
        (i32.store8 (i32.const 2064) (i32.const 1))
        (i32.store (i32.const 2068) (i32.const 16))
        (i32.store (i32.const 2072) (i32.const 0x7FFFFFFF))))
    (if (i32.eq (local.get $method) (i32.const 3))
      (then
        ;; one header tuple at 3000: name = 2 bytes at 1024 (invalid UTF-8), value = same
        (i32.store (i32.const 3000) (i32.const 1024))
        (i32.store (i32.const 3004) (i32.const 2))
        (i32.store (i32.const 3008) (i32.const 1024))
        (i32.store (i32.const 3012) (i32.const 2))
        (i32.store8 (i32.const 2052) (i32.const 1))
        (i32.store (i32.const 2056) (i32.const 3000))
        (i32.store (i32.const 2060) (i32.const 1))))
    (i32.const 2048))
)
