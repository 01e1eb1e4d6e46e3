//! session-cache: logins that expire. Sessions live in Redis under `session:<token>` with a TTL
//! (`set-with-ttl` of `spindle:redis/extended`), so Redis forgets them by itself.
//!
//! * `POST /login`, body = a user name → `200`, body = a new random token (also in the
//!   `x-session-token` header); the session lasts `session_ttl_ms` milliseconds.
//! * `GET /me` with `Authorization: Bearer <token>` → `200`, body = the user name, header
//!   `x-session-ttl-ms` = milliseconds left; `401` when the token is missing, unknown or expired.
//! * `POST /logout` with the same header → `204`, the session is deleted.

use spindle_sdk::http::{Method, Request, Response};
use spindle_sdk::redis::Connection;
use spindle_sdk::variables;

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    /// WASI's CSPRNG (the same import wasi-libc uses).
    #[link_name = "random_get"]
    fn wasi_random_get(buf: *mut u8, len: usize) -> i32;
}

const TOKEN_BYTES: usize = 16;

fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; TOKEN_BYTES];
    let errno = unsafe { wasi_random_get(bytes.as_mut_ptr(), bytes.len()) };
    if errno != 0 {
        return Err(format!("random_get failed (errno {errno})"));
    }
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn text(status: u16, body: &str) -> Response {
    Response::new(status).header("content-type", "text/plain").body(format!("{body}\n"))
}

fn unauthorized(why: &str) -> Response {
    text(401, why).header("www-authenticate", "Bearer")
}

fn connect() -> Result<Connection, String> {
    let address = variables::get("redis_address").map_err(|e| format!("redis_address: {e}"))?;
    Connection::open(&address).map_err(|e| format!("open: {e}"))
}

/// The token of an `Authorization: Bearer <token>` header, if it has the shape of one of ours.
fn bearer(req: &Request) -> Option<&str> {
    let value = req.header("authorization")?.trim();
    let token = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))?.trim();
    let ours = token.len() == 2 * TOKEN_BYTES && token.bytes().all(|b| b.is_ascii_hexdigit());
    if ours {
        Some(token)
    } else {
        None
    }
}

fn login(req: &Request) -> Result<Response, String> {
    let body = req.body.as_deref().unwrap_or_default();
    let user = match std::str::from_utf8(body) {
        Ok(s) if !s.trim().is_empty() && s.trim().len() <= 256 => s.trim().to_string(),
        _ => return Ok(text(400, "send a user name (1-256 bytes of UTF-8) as the body")),
    };
    let ttl_ms: u64 = variables::get("session_ttl_ms")
        .map_err(|e| format!("session_ttl_ms: {e}"))?
        .parse()
        .map_err(|_| "session_ttl_ms must be a number of milliseconds".to_string())?;
    let token = new_token()?;
    let conn = connect()?;
    conn.set_with_ttl(&format!("session:{token}"), user.as_bytes(), ttl_ms)
        .map_err(|e| format!("set-with-ttl: {e}"))?;
    Ok(text(200, &token)
        .header("x-session-token", token.as_str())
        .header("x-session-ttl-ms", ttl_ms.to_string()))
}

fn me(req: &Request) -> Result<Response, String> {
    let token = match bearer(req) {
        Some(t) => t,
        None => return Ok(unauthorized("missing or malformed Authorization: Bearer <token>; log in with POST /login")),
    };
    let conn = connect()?;
    let key = format!("session:{token}");
    let user = match conn.get(&key).map_err(|e| format!("get: {e}"))? {
        Some(user) => String::from_utf8_lossy(&user).into_owned(),
        None => return Ok(unauthorized("no such session (expired or logged out); log in with POST /login")),
    };
    let left = conn.ttl(&key).map_err(|e| format!("ttl: {e}"))?;
    Ok(text(200, &user).header("x-session-ttl-ms", left.max(0).to_string()))
}

fn logout(req: &Request) -> Result<Response, String> {
    let token = match bearer(req) {
        Some(t) => t,
        None => return Ok(unauthorized("missing or malformed Authorization: Bearer <token>")),
    };
    connect()?.del(&[format!("session:{token}")]).map_err(|e| format!("del: {e}"))?;
    Ok(Response::new(204))
}

fn handle(req: Request) -> Result<Response, String> {
    let path = req.uri.split('?').next().unwrap_or("").to_string();
    match (req.method, path.as_str()) {
        (Method::Post, "/login") => login(&req),
        (Method::Get, "/me") => me(&req),
        (Method::Post, "/logout") => logout(&req),
        (_, "/login") | (_, "/logout") => Ok(text(405, "use POST").header("allow", "POST")),
        (_, "/me") => Ok(text(405, "use GET").header("allow", "GET")),
        _ => Ok(text(404, "routes: POST /login, GET /me, POST /logout")),
    }
}

spindle_sdk::http_component!(handle);
