//! sdk-test: drives every wrapper of the Rust SDK except the extended interface (see
//! ext-test) against a real host; the port of sdk/c/test/sdk-test.c, printing the same
//! transcript. Exports run-redis-test() -> i32 (pointer to the transcript's (ptr, len)),
//! an echoing handle-request (status 201, header x-echo: rust) and handle-message (RPUSH onto
//! sdk:messages; the message "fail" is an error).

use spindle_sdk::http::{Request, Response};
use spindle_sdk::redis::{self, Connection, RedisParameter, RedisResult};
use spindle_sdk::variables;
use std::fmt::Write;

/// printable ASCII as is, else \xNN
fn escape(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            s.push(b as char);
        } else {
            write!(s, "\\x{b:02x}").unwrap();
        }
    }
    s
}

fn redis_kind(e: &redis::Error) -> &'static str {
    match e {
        redis::Error::InvalidAddress => "invalid-address",
        redis::Error::TooManyConnections => "too-many-connections",
        redis::Error::TypeError => "type-error",
        redis::Error::Other(_) => "other",
    }
}

/// " error <kind>[: <message>]"
fn redis_error(e: &redis::Error, with_message: bool) -> String {
    match e {
        redis::Error::Other(m) if with_message && !m.is_empty() => format!(" error other: {m}"),
        _ => format!(" error {}", redis_kind(e)),
    }
}

fn variables_error(e: &variables::Error, with_message: bool) -> String {
    let (kind, m) = match e {
        variables::Error::InvalidName(m) => ("invalid-name", m),
        variables::Error::Undefined(m) => ("undefined", m),
        variables::Error::Provider(m) => ("provider", m),
        variables::Error::Other(m) => ("other", m),
    };
    if with_message && !m.is_empty() {
        format!(" error {kind}: {m}")
    } else {
        format!(" error {kind}")
    }
}

fn option(r: Result<Option<Vec<u8>>, redis::Error>) -> String {
    match r {
        Ok(Some(v)) => format!(" some {}", escape(&v)),
        Ok(None) => " none".to_string(),
        Err(e) => redis_error(&e, true),
    }
}

fn results(r: Result<Vec<RedisResult>, redis::Error>) -> String {
    match r {
        Ok(items) => items
            .iter()
            .map(|x| match x {
                RedisResult::Nil => " nil".to_string(),
                RedisResult::Status(s) => format!(" status:{s}"),
                RedisResult::Int64(n) => format!(" int64:{n}"),
                RedisResult::Binary(b) => format!(" binary:{}", escape(b)),
            })
            .collect(),
        Err(e) => redis_error(&e, false),
    }
}

fn number<T: std::fmt::Display>(r: Result<T, redis::Error>) -> String {
    match r {
        Ok(n) => format!(" {n}"),
        Err(e) => redis_error(&e, true),
    }
}

fn unit(r: Result<(), redis::Error>) -> String {
    match r {
        Ok(()) => " ok".to_string(),
        Err(e) => redis_error(&e, true),
    }
}

fn scenario(out: &mut Vec<String>) {
    let address = match variables::get("redis_address") {
        Ok(a) => a,
        Err(e) => return out.push(format!("variable redis_address{}", variables_error(&e, true))),
    };
    out.push("variable redis_address ok".into());
    for (name, with_message) in [("missing_var", false), ("Bad-Name", true)] {
        out.push(match variables::get(name) {
            Ok(_) => format!("variable {name} ok"),
            Err(e) => format!("variable {name}{}", variables_error(&e, with_message)),
        });
    }

    out.push(match Connection::open("redis://forbidden.example:6379") {
        Ok(_) => "open denied ok".into(),
        Err(e) => format!("open denied{}", redis_error(&e, false)),
    });
    let conn = match Connection::open(&address) {
        Ok(c) => c,
        Err(e) => return out.push(format!("open{}", redis_error(&e, true))),
    };
    out.push("open ok".into());

    out.push(format!("set sdk:str{}", unit(conn.set("sdk:str", b"hello"))));
    out.push(format!("get sdk:str{}", option(conn.get("sdk:str"))));
    out.push(format!("get sdk:none{}", option(conn.get("sdk:none"))));
    out.push(format!("set sdk:bin{}", unit(conn.set("sdk:bin", &[0x00, 0xff, 0x01, b'z']))));
    out.push(format!("get sdk:bin{}", option(conn.get("sdk:bin"))));
    out.push(format!("set sdk:empty{}", unit(conn.set("sdk:empty", b""))));
    out.push(match conn.get("sdk:empty") {
        Ok(Some(v)) => format!("get sdk:empty some len={}", v.len()),
        other => format!("get sdk:empty{}", option(other)),
    });

    out.push(format!("incr sdk:n{}", number(conn.incr("sdk:n"))));
    out.push(format!("incr sdk:n{}", number(conn.incr("sdk:n"))));
    out.push(format!("incr sdk:str{}", number(conn.incr("sdk:str"))));

    out.push(format!("sadd sdk:set{}", number(conn.sadd("sdk:set", &["b", "a", "", "\u{e9}"]))));
    out.push(match conn.smembers("sdk:set") {
        Ok(mut members) => {
            members.sort();
            let listed: String = members.iter().map(|m| format!(" [{}]", escape(m.as_bytes()))).collect();
            format!("smembers sdk:set {}{listed}", members.len())
        }
        Err(e) => format!("smembers sdk:set{}", redis_error(&e, true)),
    });
    out.push(format!("srem sdk:set{}", number(conn.srem("sdk:set", &["a", "zzz"]))));
    out.push(format!("smembers sdk:none{}", number(conn.smembers("sdk:none").map(|m| m.len()))));
    out.push(match conn.get("sdk:set") {
        Ok(_) => "get sdk:set ok".into(),
        Err(e) => format!("get sdk:set{}", redis_error(&e, false)),
    });

    out.push(format!("del sdk:str sdk:n sdk:none{}", number(conn.del(&["sdk:str", "sdk:n", "sdk:none"]))));
    out.push(format!("publish sdk:chan{}", unit(conn.publish("sdk:chan", b"hi"))));

    let key = RedisParameter::from("sdk:e");
    out.push(format!("execute SET sdk:e 42{}", results(conn.execute("SET", &[key.clone(), RedisParameter::Int64(42)]))));
    out.push(format!("execute GET sdk:e{}", results(conn.execute("GET", &[key.clone()]))));
    out.push(format!("execute INCRBY sdk:e -50{}", results(conn.execute("INCRBY", &[key.clone(), (-50i64).into()]))));
    out.push(format!("execute MGET sdk:e sdk:none{}", results(conn.execute("MGET", &[key, "sdk:none".into()]))));
    out.push(format!("execute PING{}", results(conn.execute("PING", &[]))));
    out.push(format!("execute NOSUCHCMD{}", results(conn.execute("NOSUCHCMD", &[]))));

    drop(conn);
    out.push("close ok".into());
}

static mut REPORT: (usize, usize) = (0, 0);
static mut TRANSCRIPT: String = String::new();

#[export_name = "run-redis-test"]
pub extern "C" fn run_redis_test() -> *const (usize, usize) {
    let mut lines = Vec::new();
    scenario(&mut lines);
    let mut text = String::new();
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    unsafe {
        TRANSCRIPT = text;
        REPORT = (TRANSCRIPT.as_ptr() as usize, TRANSCRIPT.len());
        std::ptr::addr_of!(REPORT)
    }
}

fn echo(req: Request) -> Response {
    let mut s = format!("method {}\nuri {}\n", req.method, req.uri);
    for (k, v) in &req.headers {
        writeln!(s, "header {k}={v}").unwrap();
    }
    for (k, v) in &req.params {
        writeln!(s, "param {k}={v}").unwrap();
    }
    writeln!(s, "lookup x-test {}", req.header("X-Test").unwrap_or("(none)")).unwrap();
    match &req.body {
        Some(b) => writeln!(s, "body {}", escape(b)).unwrap(),
        None => s.push_str("no body\n"),
    }
    Response::new(201).header("x-echo", "rust").header("content-type", "text/plain").body(s)
}

spindle_sdk::http_component!(echo);

fn on_message(message: Vec<u8>) -> Result<(), String> {
    if message == b"fail" {
        return Err("asked to fail".into());
    }
    let address = variables::get("redis_address").map_err(|e| e.to_string())?;
    let conn = Connection::open(&address).map_err(|e| e.to_string())?;
    conn.execute("RPUSH", &["sdk:messages".into(), RedisParameter::Binary(message)]).map_err(|e| e.to_string())?;
    Ok(())
}

spindle_sdk::redis_component!(on_message);
