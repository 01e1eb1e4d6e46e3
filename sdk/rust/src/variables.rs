//! `fermyon:spin/variables@2.0.0`

use crate::abi::{self, RetArea};
use std::fmt;

mod wit {
    #[link(wasm_import_module = "fermyon:spin/variables@2.0.0")]
    extern "C" {
        #[link_name = "get"]
        pub fn get(name: *const u8, name_len: usize, ret: *mut u8);
    }
}

/// `fermyon:spin/variables@2.0.0` `error`; every case carries the host's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    InvalidName(String),
    Undefined(String),
    Provider(String),
    Other(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidName(m) => write!(f, "invalid-name: {m}"),
            Error::Undefined(m) => write!(f, "undefined: {m}"),
            Error::Provider(m) => write!(f, "provider: {m}"),
            Error::Other(m) => write!(f, "other: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// The component's variable `name` (lower_snake_case, as in spin.toml).
pub fn get(name: &str) -> Result<String, Error> {
    let mut ret = RetArea::new();
    unsafe {
        wit::get(name.as_ptr(), name.len(), ret.ptr());
        if ret.u8(0) == 0 {
            return Ok(abi::take_string(ret.ptr_at(4), ret.u32(8) as usize));
        }
        let message = abi::take_string(ret.ptr_at(8), ret.u32(12) as usize);
        Err(match ret.u8(4) {
            0 => Error::InvalidName(message),
            1 => Error::Undefined(message),
            2 => Error::Provider(message),
            3 => Error::Other(message),
            _ => std::process::abort(),
        })
    }
}
