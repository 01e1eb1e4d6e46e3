//! ext-test: drives every spindle:redis/extended@0.1.0 wrapper of the Rust SDK; the port of
//! sdk/c/test/ext-test.c, printing the same transcript. Exports run-extended-test() -> i32
//! (pointer to the transcript's (ptr, len)). Keys start with sdk:x: — use an empty database.

use spindle_sdk::redis::{self, Command, Connection, RedisParameter, RedisResult, Reply};
use spindle_sdk::variables;
use std::fmt::Write;

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

fn err(e: &redis::Error) -> String {
    let kind = match e {
        redis::Error::InvalidAddress => "invalid-address",
        redis::Error::TooManyConnections => "too-many-connections",
        redis::Error::TypeError => "type-error",
        redis::Error::Other(_) => "other",
    };
    format!(" error {kind}")
}

fn show<T>(r: Result<T, redis::Error>, f: impl FnOnce(T) -> String) -> String {
    match r {
        Ok(v) => f(v),
        Err(e) => err(&e),
    }
}

/// exact for -2/-1, else whether it is within (0, max]
fn ttl(t: i64, max: i64) -> String {
    if t < 0 {
        format!(" {t}")
    } else if t > 0 && t <= max {
        " in-range".into()
    } else {
        " out-of-range".into()
    }
}

fn option(v: Option<Vec<u8>>) -> String {
    match v {
        Some(b) => format!(" some {}", escape(&b)),
        None => " none".into(),
    }
}

fn list(items: Vec<Vec<u8>>) -> String {
    let mut s = format!(" {}", items.len());
    for i in items {
        write!(s, " [{}]", escape(&i)).unwrap();
    }
    s
}

fn results(items: &[RedisResult]) -> String {
    items
        .iter()
        .map(|x| match x {
            RedisResult::Nil => "nil".to_string(),
            RedisResult::Status(s) => format!("status:{s}"),
            RedisResult::Int64(n) => format!("int64:{n}"),
            RedisResult::Binary(b) => format!("binary:{}", escape(b)),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn pipeline(c: &Connection, label: &str, commands: &[Command], transaction: bool) -> String {
    format!(
        "pipeline {label}{}",
        show(c.pipeline(commands, transaction), |replies| replies
            .iter()
            .map(|r| match r {
                Reply::Ok(items) => format!(" ok[{}]", results(items)),
                Reply::Err(_) => " err".to_string(),
            })
            .collect())
    )
}

fn rate(c: &Connection, key: &str, max: u32, window: u64) -> String {
    format!(
        "rate-limit {key}{}",
        show(c.rate_limit(key, max, window), |s| format!(
            " {} count={} remaining={} reset={}",
            if s.allowed { "allowed" } else { "denied" },
            s.count,
            s.remaining,
            if s.reset_ms > 0 && s.reset_ms <= window { "in-range" } else { "out-of-range" }
        ))
    )
}

fn scenario(out: &mut Vec<String>) {
    let address = match variables::get("redis_address") {
        Ok(a) => a,
        Err(_) => return out.push("variable error".into()),
    };
    let c = match Connection::open(&address) {
        Ok(c) => c,
        Err(e) => return out.push(format!("open{}", err(&e))),
    };
    out.push("open ok".into());
    let b = |v: bool| if v { " true".to_string() } else { " false".to_string() };
    let n = |v: i64| format!(" {v}");
    let u = |v: u32| format!(" {v}");

    out.push(format!("set-with-ttl sdk:x:t 60000{}", show(c.set_with_ttl("sdk:x:t", b"v", 60000), |_| " ok".into())));
    out.push(format!("ttl sdk:x:t{}", show(c.ttl("sdk:x:t"), |t| ttl(t, 60000))));
    out.push(format!("set-with-ttl sdk:x:p 0{}", show(c.set_with_ttl("sdk:x:p", b"v", 0), |_| " ok".into())));
    out.push(format!("ttl sdk:x:p{}", show(c.ttl("sdk:x:p"), |t| ttl(t, 0))));
    out.push(format!("ttl sdk:x:none{}", show(c.ttl("sdk:x:none"), |t| ttl(t, 0))));
    out.push(format!("has sdk:x:t{}", show(c.has("sdk:x:t"), b)));
    out.push(format!("has sdk:x:none{}", show(c.has("sdk:x:none"), b)));

    out.push(format!("incr-by sdk:x:c 5{}", show(c.incr_by("sdk:x:c", 5), n)));
    out.push(format!("incr-by sdk:x:c -7{}", show(c.incr_by("sdk:x:c", -7), n)));
    out.push(format!("decr sdk:x:c{}", show(c.decr("sdk:x:c"), n)));
    out.push(format!("decr-by sdk:x:c 10{}", show(c.decr_by("sdk:x:c", 10), n)));
    out.push(format!("incr-by sdk:x:p 1{}", show(c.incr_by("sdk:x:p", 1), n)));
    out.push(format!("expire sdk:x:c 5000{}", show(c.expire("sdk:x:c", 5000), b)));
    out.push(format!("ttl sdk:x:c{}", show(c.ttl("sdk:x:c"), |t| ttl(t, 5000))));
    out.push(format!("expire sdk:x:none 5000{}", show(c.expire("sdk:x:none", 5000), b)));

    let ab: [&[u8]; 2] = [b"a", b"b\0"];
    let z: [&[u8]; 2] = [b"z", b""];
    out.push(format!("push sdk:x:l a b\\x00{}", show(c.push("sdk:x:l", &ab), u)));
    out.push(format!("unshift sdk:x:l z ''{}", show(c.unshift("sdk:x:l", &z), u)));
    out.push(format!("count sdk:x:l{}", show(c.count("sdk:x:l"), u)));
    out.push(format!("range sdk:x:l 0 -1{}", show(c.range("sdk:x:l", 0, -1), list)));
    out.push(format!("range sdk:x:l -2 -2{}", show(c.range("sdk:x:l", -2, -2), list)));
    out.push(format!("range sdk:x:none 0 -1{}", show(c.range("sdk:x:none", 0, -1), |l| format!(" {}", l.len()))));
    out.push(format!("pop sdk:x:l{}", show(c.pop("sdk:x:l"), option)));
    out.push(format!("shift sdk:x:l{}", show(c.shift("sdk:x:l"), option)));
    out.push(format!("shift sdk:x:l{}", show(c.shift("sdk:x:l"), option)));
    out.push(format!("count sdk:x:l{}", show(c.count("sdk:x:l"), u)));
    out.push(format!("pop sdk:x:none{}", show(c.pop("sdk:x:none"), option)));
    out.push(format!("push sdk:x:t a{}", show(c.push("sdk:x:t", &ab[..1]), u)));
    out.push(format!("count sdk:x:t{}", show(c.count("sdk:x:t"), u)));

    for _ in 0..3 {
        out.push(rate(&c, "sdk:x:rl", 2, 60000));
    }

    let key = || RedisParameter::from("sdk:x:pp");
    let batch = [
        Command::new("SET", vec![key(), RedisParameter::Int64(1)]),
        Command::new("INCR", vec![key()]),
        Command::new("GET", vec![key()]),
        Command::new("LPUSH", vec![key()]),
        Command::new("PING", vec![]),
    ];
    out.push(pipeline(&c, "SET INCR GET LPUSH PING", &batch, false));
    let tx = [
        Command::new("INCR", vec![key()]),
        Command::new("LRANGE", vec!["sdk:x:l".into(), 0i64.into(), (-1i64).into()]),
    ];
    out.push(pipeline(&c, "MULTI INCR LRANGE EXEC", &tx, true));
    out.push(pipeline(&c, "(empty)", &[], false));

    drop(c);
    out.push("close ok".into());
}

static mut REPORT: (usize, usize) = (0, 0);
static mut TRANSCRIPT: String = String::new();

#[export_name = "run-extended-test"]
pub extern "C" fn run_extended_test() -> *const (usize, usize) {
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
