// ext-test: drives every spindle:redis/extended@0.1.0 wrapper of the AssemblyScript SDK; the
// port of sdk/c/test/ext-test.c, printing the same transcript. Exports runExtendedTest() ->
// pointer to the transcript's (ptr, len). Keys start with sdk:x: — use an empty database.
import {
  Command, Connection, RedisError, RedisParameter, RedisResult, RedisResultKind, Reply, Result,
  getVariable,
} from "../assembly/index";
import { reset, line, report, escape, bytesOf } from "./transcript";
export { cabi_realloc } from "../assembly/exports";

function err(e: RedisError): string {
  return " error " + e.kindName;
}

function unit(r: Result<bool, RedisError>): string {
  return r.isOk ? " ok" : err(r.error!);
}

function flag(r: Result<bool, RedisError>): string {
  return r.isOk ? (r.unwrap() ? " true" : " false") : err(r.error!);
}

function n64(r: Result<i64, RedisError>): string {
  return r.isOk ? " " + r.unwrap().toString() : err(r.error!);
}

function n32(r: Result<u32, RedisError>): string {
  return r.isOk ? " " + r.unwrap().toString() : err(r.error!);
}

/** exact for -2/-1, else whether it is within (0, max] */
function ttl(r: Result<i64, RedisError>, max: i64): string {
  if (r.isErr) return err(r.error!);
  const t = r.unwrap();
  if (t < 0) return " " + t.toString();
  return t > 0 && t <= max ? " in-range" : " out-of-range";
}

function option(r: Result<Uint8Array | null, RedisError>): string {
  if (r.isErr) return err(r.error!);
  const v = r.unwrap();
  return v === null ? " none" : " some " + escape(v);
}

function list(r: Result<Uint8Array[], RedisError>): string {
  if (r.isErr) return err(r.error!);
  const items = r.unwrap();
  let s = " " + items.length.toString();
  for (let i = 0; i < items.length; i++) s += " [" + escape(items[i]) + "]";
  return s;
}

function results(items: RedisResult[]): string {
  let s = "";
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    if (i > 0) s += ",";
    if (x.kind == RedisResultKind.Nil) s += "nil";
    else if (x.kind == RedisResultKind.Status) s += "status:" + x.status;
    else if (x.kind == RedisResultKind.Int64) s += "int64:" + x.int64.toString();
    else s += "binary:" + escape(x.binary);
  }
  return s;
}

function pipeline(c: Connection, label: string, commands: Command[], transaction: bool): void {
  const r = c.pipeline(commands, transaction);
  if (r.isErr) {
    line("pipeline " + label + err(r.error!));
    return;
  }
  const replies: Reply[] = r.unwrap();
  let s = "pipeline " + label;
  for (let i = 0; i < replies.length; i++) s += replies[i].ok ? " ok[" + results(replies[i].results) + "]" : " err";
  line(s);
}

function rate(c: Connection, key: string, max: u32, window: u64): void {
  const r = c.rateLimit(key, max, window);
  if (r.isErr) {
    line("rate-limit " + key + err(r.error!));
    return;
  }
  const s = r.unwrap();
  line("rate-limit " + key + (s.allowed ? " allowed" : " denied") + " count=" + s.count.toString() +
    " remaining=" + s.remaining.toString() + " reset=" + (s.resetMs > 0 && s.resetMs <= window ? "in-range" : "out-of-range"));
}

function scenario(): void {
  const address = getVariable("redis_address");
  if (address.isErr) {
    line("variable error");
    return;
  }
  const opened = Connection.open(address.unwrap());
  if (opened.isErr) {
    line("open" + err(opened.error!));
    return;
  }
  line("open ok");
  const c = opened.unwrap();

  line("set-with-ttl sdk:x:t 60000" + unit(c.setWithTtl("sdk:x:t", bytesOf("v"), 60000)));
  line("ttl sdk:x:t" + ttl(c.ttl("sdk:x:t"), 60000));
  line("set-with-ttl sdk:x:p 0" + unit(c.setWithTtl("sdk:x:p", bytesOf("v"), 0)));
  line("ttl sdk:x:p" + ttl(c.ttl("sdk:x:p"), 0));
  line("ttl sdk:x:none" + ttl(c.ttl("sdk:x:none"), 0));
  line("has sdk:x:t" + flag(c.has("sdk:x:t")));
  line("has sdk:x:none" + flag(c.has("sdk:x:none")));

  line("incr-by sdk:x:c 5" + n64(c.incrBy("sdk:x:c", 5)));
  line("incr-by sdk:x:c -7" + n64(c.incrBy("sdk:x:c", -7)));
  line("decr sdk:x:c" + n64(c.decr("sdk:x:c")));
  line("decr-by sdk:x:c 10" + n64(c.decrBy("sdk:x:c", 10)));
  line("incr-by sdk:x:p 1" + n64(c.incrBy("sdk:x:p", 1)));
  line("expire sdk:x:c 5000" + flag(c.expire("sdk:x:c", 5000)));
  line("ttl sdk:x:c" + ttl(c.ttl("sdk:x:c"), 5000));
  line("expire sdk:x:none 5000" + flag(c.expire("sdk:x:none", 5000)));

  const b0 = new Uint8Array(2);
  b0[0] = 0x62; // "b\0"
  line("push sdk:x:l a b\\x00" + n32(c.push("sdk:x:l", [bytesOf("a"), b0])));
  line("unshift sdk:x:l z ''" + n32(c.unshift("sdk:x:l", [bytesOf("z"), new Uint8Array(0)])));
  line("count sdk:x:l" + n32(c.count("sdk:x:l")));
  line("range sdk:x:l 0 -1" + list(c.range("sdk:x:l", 0, -1)));
  line("range sdk:x:l -2 -2" + list(c.range("sdk:x:l", -2, -2)));
  const none = c.range("sdk:x:none", 0, -1);
  line("range sdk:x:none 0 -1" + (none.isOk ? " " + none.unwrap().length.toString() : err(none.error!)));
  line("pop sdk:x:l" + option(c.pop("sdk:x:l")));
  line("shift sdk:x:l" + option(c.shift("sdk:x:l")));
  line("shift sdk:x:l" + option(c.shift("sdk:x:l")));
  line("count sdk:x:l" + n32(c.count("sdk:x:l")));
  line("pop sdk:x:none" + option(c.pop("sdk:x:none")));
  line("push sdk:x:t a" + n32(c.push("sdk:x:t", [bytesOf("a")])));
  line("count sdk:x:t" + n32(c.count("sdk:x:t")));

  rate(c, "sdk:x:rl", 2, 60000);
  rate(c, "sdk:x:rl", 2, 60000);
  rate(c, "sdk:x:rl", 2, 60000);

  const key = RedisParameter.str("sdk:x:pp");
  pipeline(c, "SET INCR GET LPUSH PING", [
    new Command("SET", [key, RedisParameter.int64(1)]),
    new Command("INCR", [key]),
    new Command("GET", [key]),
    new Command("LPUSH", [key]),
    new Command("PING"),
  ], false);
  pipeline(c, "MULTI INCR LRANGE EXEC", [
    new Command("INCR", [key]),
    new Command("LRANGE", [RedisParameter.str("sdk:x:l"), RedisParameter.int64(0), RedisParameter.int64(-1)]),
  ], true);
  pipeline(c, "(empty)", [], false);

  c.close();
  line("close ok");
}

export function runExtendedTest(): usize {
  reset();
  scenario();
  return report();
}
