//! `fermyon:spin/inbound-http#handle-request` (Spin's record-based HTTP handler).
//!
//! ```ignore
//! use spindle_sdk::http::{Request, Response};
//! fn handle(req: Request) -> Response {
//!     Response::new(200).header("content-type", "text/plain").body(format!("you asked for {}", req.uri))
//! }
//! spindle_sdk::http_component!(handle);
//! ```

use crate::abi::{self, load_u32, Slice};
use std::fmt;

/// `method`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
    Patch,
    Head,
    Options,
}

impl Method {
    fn from_disc(d: i32) -> Method {
        match d {
            0 => Method::Get,
            1 => Method::Post,
            2 => Method::Put,
            3 => Method::Delete,
            4 => Method::Patch,
            5 => Method::Head,
            6 => Method::Options,
            _ => std::process::abort(),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `request`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    /// Path and query as received (`/count/a?b=1`); the full URL is the `spin-full-url` header.
    pub uri: String,
    pub headers: Vec<(String, String)>,
    pub params: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl Request {
    /// The first header with this name (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// `response`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Option<Vec<(String, String)>>,
    pub body: Option<Vec<u8>>,
}

impl Response {
    /// A response with this status, no headers and no body.
    pub fn new(status: u16) -> Response {
        Response { status, headers: None, body: None }
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Response {
        self.headers.get_or_insert_with(Vec::new).push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = Some(body.into());
        self
    }
}

/// What a handler may return: a [`Response`], or `Result<Response, E>` where an `Err` becomes
/// a 500 with the error's text as the body.
pub trait IntoResponse {
    fn into_response(self) -> Response;
}

impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

impl<E: fmt::Display> IntoResponse for Result<Response, E> {
    fn into_response(self) -> Response {
        match self {
            Ok(r) => r,
            Err(e) => Response::new(500).header("content-type", "text/plain").body(format!("{e}\n")),
        }
    }
}

/// `option<list<T>>`: disc u8 @0, list @4 (12 bytes, align 4).
#[repr(C)]
struct OptionSlice {
    is_some: u8,
    val: Slice,
}

/// `response` record: 28 bytes, align 4 — status @0, headers @4, body @16.
#[repr(C)]
struct ResponseRecord {
    status: u16,
    headers: OptionSlice,
    body: OptionSlice,
}

/// What the record points into, kept alive until cabi_post.
struct Retained {
    _response: Response,
    _header_slices: Vec<[Slice; 2]>,
}

const NONE: OptionSlice = OptionSlice { is_some: 0, val: Slice { ptr: std::ptr::null(), len: 0 } };
static mut RECORD: ResponseRecord = ResponseRecord { status: 0, headers: NONE, body: NONE };
static mut RETAINED: Option<Retained> = None;

unsafe fn take_tuples(ptr: *mut u8, len: usize) -> Vec<(String, String)> {
    // tuple<string, string>: 16 bytes, align 4
    unsafe {
        abi::take_list(ptr, len, 16, 4, |e| {
            (
                abi::take_string(load_u32(e) as usize as *mut u8, load_u32(e.add(4)) as usize),
                abi::take_string(load_u32(e.add(8)) as usize as *mut u8, load_u32(e.add(12)) as usize),
            )
        })
    }
}

/// Glue for [`crate::http_component!`]: lifts the request, runs the handler, lowers the response.
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub unsafe fn dispatch<R: IntoResponse>(
    handler: fn(Request) -> R,
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
    let request = unsafe {
        Request {
            method: Method::from_disc(method),
            uri: abi::take_string(uri_ptr, uri_len),
            headers: take_tuples(headers_ptr, headers_len),
            params: take_tuples(params_ptr, params_len),
            body: if body_is_some != 0 { Some(abi::take_bytes(body_ptr, body_len)) } else { None },
        }
    };
    let response = handler(request).into_response();
    let header_slices: Vec<[Slice; 2]> = response
        .headers
        .iter()
        .flatten()
        .map(|(k, v)| [Slice::of(k.as_bytes()), Slice::of(v.as_bytes())])
        .collect();
    let record = ResponseRecord {
        status: response.status,
        headers: OptionSlice {
            is_some: response.headers.is_some() as u8,
            val: Slice { ptr: header_slices.as_ptr() as *const u8, len: header_slices.len() },
        },
        body: OptionSlice {
            is_some: response.body.is_some() as u8,
            val: response.body.as_deref().map(Slice::of).unwrap_or(Slice { ptr: 1 as *const u8, len: 0 }),
        },
    };
    unsafe {
        RECORD = record;
        RETAINED = Some(Retained { _response: response, _header_slices: header_slices });
        std::ptr::addr_of_mut!(RECORD) as *mut u8
    }
}

/// `cabi_post_...`: the host has copied the response; free it.
#[doc(hidden)]
pub unsafe fn post(_record: *mut u8) {
    unsafe { RETAINED = None };
}

const _: () = {
    assert!(std::mem::size_of::<OptionSlice>() == 12);
    assert!(std::mem::size_of::<ResponseRecord>() == 28);
    assert!(std::mem::align_of::<ResponseRecord>() == 4);
};
