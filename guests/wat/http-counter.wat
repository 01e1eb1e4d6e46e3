;; http-counter: a Spin HTTP component (fermyon:spin/inbound-http#handle-request) that
;; INCRs the key "spindle:http-counter" on the Redis server named by the variable
;; `redis_address` and answers 200, `content-type: text/plain`, body = the new count in
;; decimal. Any failure (variable missing, open or incr error) traps, so the host answers 500.
;;
;; Memory map (1 fresh instance per request, so fixed scratch addresses are safe):
;;   1024  "redis_address"          1100 "spindle:http-counter"
;;   1200  "content-type"           1220 "text/plain"
;;   2048  variables.get return area (16, align 4)
;;   2064  open return area (16, align 4)
;;   2080  incr return area (24, align 8)
;;   2200  response record (28, align 4)
;;   2300  headers list: one tuple<string,string> (16 bytes)
;;   3000  decimal digits (written backwards from 3031)
;;   65536 heap for cabi_realloc (the host's request strings/lists land here)
(module
  (import "fermyon:spin/variables@2.0.0" "get"
    (func $var_get (param i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[static]connection.open"
    (func $open (param i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[method]connection.incr"
    (func $incr (param i32 i32 i32 i32)))
  (import "fermyon:spin/redis@2.0.0" "[resource-drop]connection"
    (func $drop (param i32)))

  (memory (export "memory") 2)
  (data (i32.const 1024) "redis_address")
  (data (i32.const 1100) "spindle:http-counter")
  (data (i32.const 1200) "content-type")
  (data (i32.const 1220) "text/plain")

  (global $heap (mut i32) (i32.const 65536))

  ;; Bump allocator: cabi_realloc(old_ptr, old_size, align, new_size); never frees.
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $ptr) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1)))
                    (i32.const -1))
          (then unreachable))))
    (if (local.get $old_size)
      (then (memory.copy (local.get $ptr) (local.get $old)
              (select (local.get $old_size) (local.get $size) (i32.lt_u (local.get $old_size) (local.get $size))))))
    (global.set $heap (local.get $end))
    (local.get $ptr))

  (func (export "fermyon:spin/inbound-http#handle-request")
    (param $method i32) (param $uri_ptr i32) (param $uri_len i32)
    (param $headers_ptr i32) (param $headers_len i32) (param $params_ptr i32) (param $params_len i32)
    (param $body_disc i32) (param $body_ptr i32) (param $body_len i32)
    (result i32)
    (local $conn i32) (local $n i64) (local $p i32)
    ;; address = variables.get("redis_address")
    (call $var_get (i32.const 1024) (i32.const 13) (i32.const 2048))
    (if (i32.load8_u (i32.const 2048)) (then unreachable))
    ;; conn = connection.open(address)
    (call $open (i32.load (i32.const 2052)) (i32.load (i32.const 2056)) (i32.const 2064))
    (if (i32.load8_u (i32.const 2064)) (then unreachable))
    (local.set $conn (i32.load (i32.const 2068)))
    ;; n = conn.incr("spindle:http-counter")
    (call $incr (local.get $conn) (i32.const 1100) (i32.const 20) (i32.const 2080))
    (if (i32.load8_u (i32.const 2080)) (then unreachable))
    (local.set $n (i64.load (i32.const 2088)))
    (call $drop (local.get $conn))
    ;; digits of n, backwards from 3032 (n >= 1 after INCR; negatives not expected)
    (local.set $p (i32.const 3032))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $n) (i64.const 0))))
    ;; headers: [("content-type", "text/plain")]
    (i32.store (i32.const 2300) (i32.const 1200))
    (i32.store (i32.const 2304) (i32.const 12))
    (i32.store (i32.const 2308) (i32.const 1220))
    (i32.store (i32.const 2312) (i32.const 10))
    ;; response { status 200, headers some, body some }
    (i32.store16 (i32.const 2200) (i32.const 200))
    (i32.store8 (i32.const 2204) (i32.const 1))
    (i32.store (i32.const 2208) (i32.const 2300))
    (i32.store (i32.const 2212) (i32.const 1))
    (i32.store8 (i32.const 2216) (i32.const 1))
    (i32.store (i32.const 2220) (local.get $p))
    (i32.store (i32.const 2224) (i32.sub (i32.const 3032) (local.get $p)))
    (i32.const 2200))
)
