//! # spindle-sdk
//!
//! Guest SDK for [Spindle](../../../README.md): Spin's WIT interfaces, lowered through the
//! canonical ABI to core WebAssembly imports and exports (see `docs/guests.md` and
//! `docs/guest-abi.md` for every name and byte layout).
//!
//! | interface | here |
//! |---|---|
//! | `fermyon:spin/redis@2.0.0` | [`redis::Connection`] (`open`, `get`, `set`, `incr`, `del`, `sadd`, `smembers`, `srem`, `publish`, `execute`; dropped → `[resource-drop]connection`) |
//! | `spindle:redis/extended@0.1.0` | more [`redis::Connection`] methods (`set_with_ttl`, `has`, `incr_by`, `decr`, `expire`, `ttl`, `push`, `unshift`, `pop`, `shift`, `range`, `count`, `rate_limit`, `pipeline`) |
//! | `fermyon:spin/variables@2.0.0` | [`variables::get`] |
//! | `fermyon:spin/inbound-http#handle-request` | [`http_component!`] with [`http::Request`] → [`http::Response`] |
//! | `fermyon:spin/inbound-redis#handle-message` | [`redis_component!`] |
//! | `cabi_realloc` | exported by this crate |
//!
//! Build handlers as a `cdylib` for `wasm32-wasi` with Debian's rustc 1.63:
//! `PATH=/usr/bin:$PATH cargo build --offline --target wasm32-wasi --release`.

#![deny(unsafe_op_in_unsafe_fn)]

mod abi;
pub mod http;
pub mod redis;
pub mod variables;

#[doc(hidden)]
pub mod __private {
    pub use crate::abi::cabi_realloc;
    pub use crate::http::{dispatch as http_dispatch, post as http_post};
    pub use crate::redis::dispatch_message as redis_dispatch;
}

/// Exports `fermyon:spin/inbound-http#handle-request` (and its `cabi_post_` cleanup) calling
/// `handler`: a `fn(http::Request) -> R` where `R` is [`http::Response`] or
/// `Result<http::Response, E: Display>` (an `Err` becomes a 500 whose body is the message).
///
/// ```ignore
/// fn handle(req: spindle_sdk::http::Request) -> spindle_sdk::http::Response { ... }
/// spindle_sdk::http_component!(handle);
/// ```
///
/// Without the macro, write the two exports by hand with `#[export_name = "..."]` and call
/// `spindle_sdk::__private::http_dispatch` / `http_post` (see docs/guests.md).
#[macro_export]
macro_rules! http_component {
    ($handler:path) => {
        #[export_name = "fermyon:spin/inbound-http#handle-request"]
        pub unsafe extern "C" fn __spindle_handle_request(
            method: i32,
            uri_ptr: *mut u8,
            uri_len: usize,
            headers_ptr: *mut u8,
            headers_len: usize,
            params_ptr: *mut u8,
            params_len: usize,
            body_is_some: i32,
            body_ptr: *mut u8,
            body_len: usize,
        ) -> *mut u8 {
            unsafe {
                $crate::__private::http_dispatch(
                    $handler, method, uri_ptr, uri_len, headers_ptr, headers_len, params_ptr, params_len,
                    body_is_some, body_ptr, body_len,
                )
            }
        }

        #[export_name = "cabi_post_fermyon:spin/inbound-http#handle-request"]
        pub unsafe extern "C" fn __spindle_post_handle_request(response: *mut u8) {
            $crate::__private::http_post(response)
        }
    };
}

/// Exports `fermyon:spin/inbound-redis#handle-message` calling `handler`: a
/// `fn(Vec<u8>) -> Result<(), E: Display>`; an `Err` is printed to stderr and reported to the
/// host as `error`.
#[macro_export]
macro_rules! redis_component {
    ($handler:path) => {
        #[export_name = "fermyon:spin/inbound-redis#handle-message"]
        pub unsafe extern "C" fn __spindle_handle_message(ptr: *mut u8, len: usize) -> *mut u8 {
            unsafe { $crate::__private::redis_dispatch($handler, ptr, len) }
        }
    };
}
