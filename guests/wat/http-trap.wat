;; http-trap: a Spin HTTP component whose handle-request executes `unreachable`.
;; The host must answer 500 and keep serving other requests.
(module
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
  (func (export "fermyon:spin/inbound-http#handle-request")
    (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
    unreachable)
)
