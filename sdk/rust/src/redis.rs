//! `fermyon:spin/redis@2.0.0` and `spindle:redis/extended@0.1.0`.
//!
//! ```ignore
//! use spindle_sdk::redis::Connection;
//! let conn = Connection::open("redis://127.0.0.1:6379")?;
//! let n = conn.incr("hits")?;
//! conn.set_with_ttl("session", b"data", 60_000)?;   // extended
//! // dropping `conn` calls [resource-drop]connection
//! ```

use crate::abi::{self, load_u32, RetArea, Slice};
use std::fmt;

mod wit {
    #[link(wasm_import_module = "fermyon:spin/redis@2.0.0")]
    extern "C" {
        #[link_name = "[static]connection.open"]
        pub fn open(addr: *const u8, addr_len: usize, ret: *mut u8);
        #[link_name = "[method]connection.publish"]
        pub fn publish(this: u32, chan: *const u8, chan_len: usize, payload: *const u8, payload_len: usize, ret: *mut u8);
        #[link_name = "[method]connection.get"]
        pub fn get(this: u32, key: *const u8, key_len: usize, ret: *mut u8);
        #[link_name = "[method]connection.set"]
        pub fn set(this: u32, key: *const u8, key_len: usize, value: *const u8, value_len: usize, ret: *mut u8);
        #[link_name = "[method]connection.incr"]
        pub fn incr(this: u32, key: *const u8, key_len: usize, ret: *mut u8);
        #[link_name = "[method]connection.del"]
        pub fn del(this: u32, keys: *const u8, keys_len: usize, ret: *mut u8);
        #[link_name = "[method]connection.sadd"]
        pub fn sadd(this: u32, key: *const u8, key_len: usize, values: *const u8, values_len: usize, ret: *mut u8);
        #[link_name = "[method]connection.smembers"]
        pub fn smembers(this: u32, key: *const u8, key_len: usize, ret: *mut u8);
        #[link_name = "[method]connection.srem"]
        pub fn srem(this: u32, key: *const u8, key_len: usize, values: *const u8, values_len: usize, ret: *mut u8);
        #[link_name = "[method]connection.execute"]
        pub fn execute(this: u32, cmd: *const u8, cmd_len: usize, args: *const u8, args_len: usize, ret: *mut u8);
        #[link_name = "[resource-drop]connection"]
        pub fn drop(handle: u32);
    }

    #[link(wasm_import_module = "spindle:redis/extended@0.1.0")]
    extern "C" {
        #[link_name = "set-with-ttl"]
        pub fn set_with_ttl(conn: u32, key: *const u8, key_len: usize, value: *const u8, value_len: usize, ttl_ms: u64, ret: *mut u8);
        #[link_name = "has"]
        pub fn has(conn: u32, key: *const u8, key_len: usize, ret: *mut u8);
        #[link_name = "incr-by"]
        pub fn incr_by(conn: u32, key: *const u8, key_len: usize, delta: i64, ret: *mut u8);
        #[link_name = "expire"]
        pub fn expire(conn: u32, key: *const u8, key_len: usize, ttl_ms: u64, ret: *mut u8);
        #[link_name = "ttl"]
        pub fn ttl(conn: u32, key: *const u8, key_len: usize, ret: *mut u8);
        #[link_name = "push"]
        pub fn push(conn: u32, key: *const u8, key_len: usize, values: *const u8, values_len: usize, ret: *mut u8);
        #[link_name = "unshift"]
        pub fn unshift(conn: u32, key: *const u8, key_len: usize, values: *const u8, values_len: usize, ret: *mut u8);
        #[link_name = "pop"]
        pub fn pop(conn: u32, key: *const u8, key_len: usize, ret: *mut u8);
        #[link_name = "shift"]
        pub fn shift(conn: u32, key: *const u8, key_len: usize, ret: *mut u8);
        #[link_name = "range"]
        pub fn range(conn: u32, key: *const u8, key_len: usize, start: i64, stop: i64, ret: *mut u8);
        #[link_name = "count"]
        pub fn count(conn: u32, key: *const u8, key_len: usize, ret: *mut u8);
        #[link_name = "rate-limit"]
        pub fn rate_limit(conn: u32, key: *const u8, key_len: usize, max: u32, window_ms: u64, ret: *mut u8);
        #[link_name = "pipeline"]
        pub fn pipeline(conn: u32, commands: *const u8, commands_len: usize, transaction: i32, ret: *mut u8);
    }
}

/// `fermyon:spin/redis@2.0.0` `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The address is not a valid `redis://`/`rediss://` URL, or its host is not in the
    /// component's `allowed_outbound_hosts`.
    InvalidAddress,
    /// The instance holds too many connections, or the server's pool is exhausted.
    TooManyConnections,
    /// The key holds another type (`WRONGTYPE`), or a reply cannot be represented.
    TypeError,
    /// Anything else, with the server's or host's message.
    Other(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidAddress => f.write_str("invalid-address"),
            Error::TooManyConnections => f.write_str("too-many-connections"),
            Error::TypeError => f.write_str("type-error"),
            Error::Other(message) => write!(f, "other: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// An argument of [`Connection::execute`] and [`Command`] (`redis-parameter`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisParameter {
    Int64(i64),
    Binary(Vec<u8>),
}

impl From<i64> for RedisParameter {
    fn from(v: i64) -> Self {
        RedisParameter::Int64(v)
    }
}
impl From<&str> for RedisParameter {
    fn from(v: &str) -> Self {
        RedisParameter::Binary(v.as_bytes().to_vec())
    }
}
impl From<&[u8]> for RedisParameter {
    fn from(v: &[u8]) -> Self {
        RedisParameter::Binary(v.to_vec())
    }
}
impl From<Vec<u8>> for RedisParameter {
    fn from(v: Vec<u8>) -> Self {
        RedisParameter::Binary(v)
    }
}

/// One value of a reply (`redis-result`); nested arrays arrive flattened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisResult {
    Nil,
    Status(String),
    Int64(i64),
    Binary(Vec<u8>),
}

/// `spindle:redis/extended` `rate-limit-status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitStatus {
    /// Whether this hit is within the limit.
    pub allowed: bool,
    /// Hits in the current window, this one included.
    pub count: u32,
    pub remaining: u32,
    /// Milliseconds until the window ends.
    pub reset_ms: u64,
}

/// One command of a [`Connection::pipeline`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub name: String,
    pub arguments: Vec<RedisParameter>,
}

impl Command {
    pub fn new(name: &str, arguments: Vec<RedisParameter>) -> Command {
        Command { name: name.to_string(), arguments }
    }
}

/// The reply to one pipelined command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Ok(Vec<RedisResult>),
    Err(String),
}

/// An open connection (a resource handle owned by this instance). Dropping it calls
/// `[resource-drop]connection`; Spindle also returns every connection to its pool when the
/// invocation ends.
#[derive(Debug)]
pub struct Connection {
    handle: u32,
}

/// Reads a `fermyon:spin/redis` `error` at `off` of a return area.
unsafe fn error_at(ret: &RetArea, off: usize) -> Error {
    match ret.u8(off) {
        0 => Error::InvalidAddress,
        1 => Error::TooManyConnections,
        2 => Error::TypeError,
        3 => Error::Other(unsafe { abi::take_string(ret.ptr_at(off + 4), ret.u32(off + 8) as usize) }),
        _ => std::process::abort(), // not a case of the variant: the host broke the ABI
    }
}

/// `result<_, error>`-shaped areas of size 16 (payload and error at 4).
unsafe fn check4(ret: &RetArea) -> Result<(), Error> {
    if ret.u8(0) == 0 {
        Ok(())
    } else {
        Err(unsafe { error_at(ret, 4) })
    }
}

/// `result<s64, error>` (24 bytes, align 8: payload and error at 8).
unsafe fn s64_result(ret: &RetArea) -> Result<i64, Error> {
    if ret.u8(0) == 0 {
        Ok(ret.i64(8))
    } else {
        Err(unsafe { error_at(ret, 8) })
    }
}

/// `result<option<payload>, error>`
unsafe fn option_bytes_result(ret: &RetArea) -> Result<Option<Vec<u8>>, Error> {
    unsafe { check4(ret)? };
    if ret.u8(4) == 0 {
        Ok(None)
    } else {
        Ok(Some(unsafe { abi::take_bytes(ret.ptr_at(8), ret.u32(12) as usize) }))
    }
}

/// Borrowed strings or byte strings as a `list<string>` / `list<list<u8>>` argument.
fn slices<T: AsRef<[u8]>>(items: &[T]) -> Vec<Slice> {
    items.iter().map(|i| Slice::of(i.as_ref())).collect()
}

/// `redis-parameter` elements: 16 bytes, align 8 (disc @0; i64 or ptr/len @8).
#[repr(C, align(8))]
struct LoweredParameter {
    disc: u8,
    _pad: [u8; 7],
    payload: u64,
}

fn lower_parameters(args: &[RedisParameter]) -> Vec<LoweredParameter> {
    args.iter()
        .map(|a| match a {
            RedisParameter::Int64(v) => LoweredParameter { disc: 0, _pad: [0; 7], payload: *v as u64 },
            RedisParameter::Binary(b) => LoweredParameter {
                disc: 1,
                _pad: [0; 7],
                payload: (b.as_ptr() as usize as u64) | ((b.len() as u64) << 32),
            },
        })
        .collect()
}

/// Takes a host-allocated `list<redis-result>` (elements 16 bytes, align 8).
unsafe fn take_results(ptr: *mut u8, len: usize) -> Vec<RedisResult> {
    unsafe {
        abi::take_list(ptr, len, 16, 8, |e| match *e {
            0 => RedisResult::Nil,
            1 => RedisResult::Status(abi::take_string(load_u32(e.add(8)) as usize as *mut u8, load_u32(e.add(12)) as usize)),
            2 => RedisResult::Int64((e.add(8) as *const i64).read()),
            3 => RedisResult::Binary(abi::take_bytes(load_u32(e.add(8)) as usize as *mut u8, load_u32(e.add(12)) as usize)),
            _ => std::process::abort(),
        })
    }
}

impl Connection {
    /// `[static]connection.open`: `redis://[user:password@]host[:port][/db]` or `rediss://...`.
    pub fn open(address: &str) -> Result<Connection, Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::open(address.as_ptr(), address.len(), ret.ptr());
            check4(&ret)?;
        }
        Ok(Connection { handle: ret.u32(4) })
    }

    /// The resource handle (for code that calls the imports directly).
    pub fn handle(&self) -> u32 {
        self.handle
    }

    /// `PUBLISH channel payload`
    pub fn publish(&self, channel: &str, payload: &[u8]) -> Result<(), Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::publish(self.handle, channel.as_ptr(), channel.len(), payload.as_ptr(), payload.len(), ret.ptr());
            check4(&ret)
        }
    }

    /// `GET key`; `None` when the key does not exist.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::get(self.handle, key.as_ptr(), key.len(), ret.ptr());
            option_bytes_result(&ret)
        }
    }

    /// `SET key value`
    pub fn set(&self, key: &str, value: &[u8]) -> Result<(), Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::set(self.handle, key.as_ptr(), key.len(), value.as_ptr(), value.len(), ret.ptr());
            check4(&ret)
        }
    }

    /// `INCR key`: the new value.
    pub fn incr(&self, key: &str) -> Result<i64, Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::incr(self.handle, key.as_ptr(), key.len(), ret.ptr());
            s64_result(&ret)
        }
    }

    /// `DEL keys...`: how many existed.
    pub fn del<K: AsRef<str>>(&self, keys: &[K]) -> Result<u32, Error> {
        let list: Vec<Slice> = keys.iter().map(|k| Slice::of(k.as_ref().as_bytes())).collect();
        let mut ret = RetArea::new();
        unsafe {
            wit::del(self.handle, list.as_ptr() as *const u8, list.len(), ret.ptr());
            check4(&ret)?;
        }
        Ok(ret.u32(4))
    }

    /// `SADD key values...`: how many were added.
    pub fn sadd<V: AsRef<str>>(&self, key: &str, values: &[V]) -> Result<u32, Error> {
        let list: Vec<Slice> = values.iter().map(|v| Slice::of(v.as_ref().as_bytes())).collect();
        let mut ret = RetArea::new();
        unsafe {
            wit::sadd(self.handle, key.as_ptr(), key.len(), list.as_ptr() as *const u8, list.len(), ret.ptr());
            check4(&ret)?;
        }
        Ok(ret.u32(4))
    }

    /// `SMEMBERS key`
    pub fn smembers(&self, key: &str) -> Result<Vec<String>, Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::smembers(self.handle, key.as_ptr(), key.len(), ret.ptr());
            check4(&ret)?;
            Ok(abi::take_string_list(ret.ptr_at(4), ret.u32(8) as usize))
        }
    }

    /// `SREM key values...`: how many were removed.
    pub fn srem<V: AsRef<str>>(&self, key: &str, values: &[V]) -> Result<u32, Error> {
        let list: Vec<Slice> = values.iter().map(|v| Slice::of(v.as_ref().as_bytes())).collect();
        let mut ret = RetArea::new();
        unsafe {
            wit::srem(self.handle, key.as_ptr(), key.len(), list.as_ptr() as *const u8, list.len(), ret.ptr());
            check4(&ret)?;
        }
        Ok(ret.u32(4))
    }

    /// Any command; array replies arrive flattened (see docs/redis.md).
    pub fn execute(&self, command: &str, arguments: &[RedisParameter]) -> Result<Vec<RedisResult>, Error> {
        let args = lower_parameters(arguments);
        let mut ret = RetArea::new();
        unsafe {
            wit::execute(self.handle, command.as_ptr(), command.len(), args.as_ptr() as *const u8, args.len(), ret.ptr());
            check4(&ret)?;
            Ok(take_results(ret.ptr_at(4), ret.u32(8) as usize))
        }
    }

    // ---- spindle:redis/extended@0.1.0 ----

    /// `SET key value PX ttl_ms` (`ttl_ms = 0`: no expiry).
    pub fn set_with_ttl(&self, key: &str, value: &[u8], ttl_ms: u64) -> Result<(), Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::set_with_ttl(self.handle, key.as_ptr(), key.len(), value.as_ptr(), value.len(), ttl_ms, ret.ptr());
            check4(&ret)
        }
    }

    /// `EXISTS key`
    pub fn has(&self, key: &str) -> Result<bool, Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::has(self.handle, key.as_ptr(), key.len(), ret.ptr());
            check4(&ret)?;
        }
        Ok(ret.u8(4) != 0)
    }

    /// `INCRBY key delta`: the new value.
    pub fn incr_by(&self, key: &str, delta: i64) -> Result<i64, Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::incr_by(self.handle, key.as_ptr(), key.len(), delta, ret.ptr());
            s64_result(&ret)
        }
    }

    /// `INCRBY key -1`
    pub fn decr(&self, key: &str) -> Result<i64, Error> {
        self.incr_by(key, -1)
    }

    /// `INCRBY key -delta`
    pub fn decr_by(&self, key: &str, delta: i64) -> Result<i64, Error> {
        self.incr_by(key, delta.wrapping_neg())
    }

    /// `PEXPIRE key ttl_ms`; `false` when the key does not exist.
    pub fn expire(&self, key: &str, ttl_ms: u64) -> Result<bool, Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::expire(self.handle, key.as_ptr(), key.len(), ttl_ms, ret.ptr());
            check4(&ret)?;
        }
        Ok(ret.u8(4) != 0)
    }

    /// `PTTL key`: -2 no such key, -1 no expiry, else milliseconds left.
    pub fn ttl(&self, key: &str) -> Result<i64, Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::ttl(self.handle, key.as_ptr(), key.len(), ret.ptr());
            s64_result(&ret)
        }
    }

    /// `RPUSH key values...`: the new length.
    pub fn push<V: AsRef<[u8]>>(&self, key: &str, values: &[V]) -> Result<u32, Error> {
        let list = slices(values);
        let mut ret = RetArea::new();
        unsafe {
            wit::push(self.handle, key.as_ptr(), key.len(), list.as_ptr() as *const u8, list.len(), ret.ptr());
            check4(&ret)?;
        }
        Ok(ret.u32(4))
    }

    /// `LPUSH key values...`: the new length.
    pub fn unshift<V: AsRef<[u8]>>(&self, key: &str, values: &[V]) -> Result<u32, Error> {
        let list = slices(values);
        let mut ret = RetArea::new();
        unsafe {
            wit::unshift(self.handle, key.as_ptr(), key.len(), list.as_ptr() as *const u8, list.len(), ret.ptr());
            check4(&ret)?;
        }
        Ok(ret.u32(4))
    }

    /// `RPOP key`
    pub fn pop(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::pop(self.handle, key.as_ptr(), key.len(), ret.ptr());
            option_bytes_result(&ret)
        }
    }

    /// `LPOP key`
    pub fn shift(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::shift(self.handle, key.as_ptr(), key.len(), ret.ptr());
            option_bytes_result(&ret)
        }
    }

    /// `LRANGE key start stop` (inclusive; negative counts from the end).
    pub fn range(&self, key: &str, start: i64, stop: i64) -> Result<Vec<Vec<u8>>, Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::range(self.handle, key.as_ptr(), key.len(), start, stop, ret.ptr());
            check4(&ret)?;
            Ok(abi::take_bytes_list(ret.ptr_at(4), ret.u32(8) as usize))
        }
    }

    /// `LLEN key`
    pub fn count(&self, key: &str) -> Result<u32, Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::count(self.handle, key.as_ptr(), key.len(), ret.ptr());
            check4(&ret)?;
        }
        Ok(ret.u32(4))
    }

    /// Fixed window of `window_ms` from the first hit, at most `max` hits; atomic on the server.
    pub fn rate_limit(&self, key: &str, max: u32, window_ms: u64) -> Result<RateLimitStatus, Error> {
        let mut ret = RetArea::new();
        unsafe {
            wit::rate_limit(self.handle, key.as_ptr(), key.len(), max, window_ms, ret.ptr());
            if ret.u8(0) != 0 {
                return Err(error_at(&ret, 8));
            }
        }
        Ok(RateLimitStatus {
            allowed: ret.u8(8) != 0,
            count: ret.u32(12),
            remaining: ret.u32(16),
            reset_ms: ret.u64(24),
        })
    }

    /// Many commands in one round trip; in `MULTI`/`EXEC` when `transaction` is true.
    pub fn pipeline(&self, commands: &[Command], transaction: bool) -> Result<Vec<Reply>, Error> {
        let lowered_args: Vec<Vec<LoweredParameter>> = commands.iter().map(|c| lower_parameters(&c.arguments)).collect();
        // command: 16 bytes, align 4 — name ptr/len @0, arguments ptr/len @8
        let lowered: Vec<[Slice; 2]> = commands
            .iter()
            .zip(&lowered_args)
            .map(|(c, a)| {
                [Slice::of(c.name.as_bytes()), Slice { ptr: a.as_ptr() as *const u8, len: a.len() }]
            })
            .collect();
        let mut ret = RetArea::new();
        unsafe {
            wit::pipeline(self.handle, lowered.as_ptr() as *const u8, lowered.len(), transaction as i32, ret.ptr());
            check4(&ret)?;
            // reply: 12 bytes, align 4 — disc @0; ok list / err string ptr @4, len @8
            Ok(abi::take_list(ret.ptr_at(4), ret.u32(8) as usize, 12, 4, |e| {
                let ptr = load_u32(e.add(4)) as usize as *mut u8;
                let len = load_u32(e.add(8)) as usize;
                match *e {
                    0 => Reply::Ok(take_results(ptr, len)),
                    1 => Reply::Err(abi::take_string(ptr, len)),
                    _ => std::process::abort(),
                }
            }))
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        unsafe { wit::drop(self.handle) }
    }
}

/// Glue for [`crate::redis_component!`]: result<_, error-enum> is disc u8 @0, enum u8 @1.
#[doc(hidden)]
pub unsafe fn dispatch_message<E: fmt::Display>(handler: fn(Vec<u8>) -> Result<(), E>, ptr: *mut u8, len: usize) -> *mut u8 {
    static mut RESULT: [u8; 2] = [0; 2];
    let message = unsafe { abi::take_bytes(ptr, len) };
    let outcome = match handler(message) {
        Ok(()) => [0, 0],
        Err(e) => {
            eprintln!("handle-message failed: {e}");
            [1, 1]
        }
    };
    unsafe {
        RESULT = outcome;
        std::ptr::addr_of_mut!(RESULT) as *mut u8
    }
}
