//! counter: an HTTP handler that INCRs a counter in Redis and returns the new value.
//! The Redis address comes from the component variable `redis_address`; the key is
//! "spindle:rust-counter". Errors become a 500 with the error's message.

use spindle_sdk::http::{Request, Response};
use spindle_sdk::redis::Connection;
use spindle_sdk::variables;

fn handle(_req: Request) -> Result<Response, String> {
    let address = variables::get("redis_address").map_err(|e| format!("redis_address: {e}"))?;
    let conn = Connection::open(&address).map_err(|e| format!("open: {e}"))?;
    let count = conn.incr("spindle:rust-counter").map_err(|e| format!("incr: {e}"))?;
    Ok(Response::new(200).header("content-type", "text/plain").body(format!("{count}\n")))
}

spindle_sdk::http_component!(handle);
