// sdk-test: drives every wrapper of the AssemblyScript SDK except the extended interface (see
// ext-test.ts); the port of sdk/c/test/sdk-test.c, printing the same transcript. Exports
// runRedisTest() -> pointer to the transcript's (ptr, len), an echoing handle-request (status
// 201, header x-echo: assemblyscript) and handle-message (RPUSH onto sdk:messages; the message
// "fail" is an error).
import {
  Connection, RedisError, RedisErrorKind, RedisParameter, RedisResult, RedisResultKind, Result,
  getVariable, VariablesError, onHttpRequest, onRedisMessage, Request, Response, methodName,
} from "../assembly/index";
import { reset, put, line, report, escape, escapeString, bytesOf } from "./transcript";
export { handleRequest, cabi_post_handleRequest, handleMessage, cabi_realloc } from "../assembly/exports";

function redisError(e: RedisError, withMessage: bool): string {
  if (withMessage && e.kind == RedisErrorKind.Other && e.message.length > 0) return " error other: " + e.message;
  return " error " + e.kindName;
}

function unit(r: Result<bool, RedisError>): string {
  return r.isOk ? " ok" : redisError(r.error!, true);
}

function option(r: Result<Uint8Array | null, RedisError>): string {
  if (r.isErr) return redisError(r.error!, true);
  const v = r.unwrap();
  return v === null ? " none" : " some " + escape(v);
}

function num32(r: Result<u32, RedisError>): string {
  return r.isOk ? " " + r.unwrap().toString() : redisError(r.error!, true);
}

function num64(r: Result<i64, RedisError>): string {
  return r.isOk ? " " + r.unwrap().toString() : redisError(r.error!, true);
}

function results(r: Result<RedisResult[], RedisError>): string {
  if (r.isErr) return redisError(r.error!, false);
  const items = r.unwrap();
  let s = "";
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    if (x.kind == RedisResultKind.Nil) s += " nil";
    else if (x.kind == RedisResultKind.Status) s += " status:" + x.status;
    else if (x.kind == RedisResultKind.Int64) s += " int64:" + x.int64.toString();
    else s += " binary:" + escape(x.binary);
  }
  return s;
}

function scenario(): void {
  const address = getVariable("redis_address");
  if (address.isErr) {
    line("variable redis_address error " + address.error!.kindName + ": " + address.error!.message);
    return;
  }
  line("variable redis_address ok");
  const missing = getVariable("missing_var");
  line("variable missing_var" + (missing.isOk ? " ok" : " error " + missing.error!.kindName));
  const bad = getVariable("Bad-Name");
  line("variable Bad-Name" + (bad.isOk ? " ok" : " error " + bad.error!.kindName + ": " + bad.error!.message));

  const denied = Connection.open("redis://forbidden.example:6379");
  line("open denied" + (denied.isOk ? " ok" : redisError(denied.error!, false)));
  const opened = Connection.open(address.unwrap());
  if (opened.isErr) {
    line("open" + redisError(opened.error!, true));
    return;
  }
  line("open ok");
  const conn = opened.unwrap();

  line("set sdk:str" + unit(conn.setString("sdk:str", "hello")));
  line("get sdk:str" + option(conn.get("sdk:str")));
  line("get sdk:none" + option(conn.get("sdk:none")));
  const bin = new Uint8Array(4);
  bin[0] = 0x00; bin[1] = 0xff; bin[2] = 0x01; bin[3] = 0x7a;
  line("set sdk:bin" + unit(conn.set("sdk:bin", bin)));
  line("get sdk:bin" + option(conn.get("sdk:bin")));
  line("set sdk:empty" + unit(conn.set("sdk:empty", new Uint8Array(0))));
  const empty = conn.get("sdk:empty");
  if (empty.isOk && empty.unwrap() !== null) line("get sdk:empty some len=" + empty.unwrap()!.length.toString());
  else line("get sdk:empty" + option(empty));

  line("incr sdk:n" + num64(conn.incr("sdk:n")));
  line("incr sdk:n" + num64(conn.incr("sdk:n")));
  line("incr sdk:str" + num64(conn.incr("sdk:str")));

  line("sadd sdk:set" + num32(conn.sadd("sdk:set", ["b", "a", "", "\u00e9"])));
  const members = conn.smembers("sdk:set");
  if (members.isOk) {
    const m = members.unwrap();
    m.sort();
    put("smembers sdk:set " + m.length.toString());
    for (let i = 0; i < m.length; i++) put(" [" + escapeString(m[i]) + "]");
    line("");
  } else {
    line("smembers sdk:set" + redisError(members.error!, true));
  }
  line("srem sdk:set" + num32(conn.srem("sdk:set", ["a", "zzz"])));
  const none = conn.smembers("sdk:none");
  line("smembers sdk:none" + (none.isOk ? " " + none.unwrap().length.toString() : redisError(none.error!, true)));
  const wrong = conn.get("sdk:set");
  line("get sdk:set" + (wrong.isOk ? " ok" : redisError(wrong.error!, false)));

  line("del sdk:str sdk:n sdk:none" + num32(conn.del(["sdk:str", "sdk:n", "sdk:none"])));
  line("publish sdk:chan" + unit(conn.publish("sdk:chan", bytesOf("hi"))));

  const key = RedisParameter.str("sdk:e");
  line("execute SET sdk:e 42" + results(conn.execute("SET", [key, RedisParameter.int64(42)])));
  line("execute GET sdk:e" + results(conn.execute("GET", [key])));
  line("execute INCRBY sdk:e -50" + results(conn.execute("INCRBY", [key, RedisParameter.int64(-50)])));
  line("execute MGET sdk:e sdk:none" + results(conn.execute("MGET", [key, RedisParameter.str("sdk:none")])));
  line("execute PING" + results(conn.execute("PING")));
  line("execute NOSUCHCMD" + results(conn.execute("NOSUCHCMD", [])));

  conn.close();
  line("close ok");
}

export function runRedisTest(): usize {
  reset();
  scenario();
  return report();
}

onHttpRequest((req: Request): Response => {
  let s = "method " + methodName(req.method) + "\nuri " + req.uri + "\n";
  for (let i = 0; i < req.headers.length; i++) s += "header " + req.headers[i].name + "=" + req.headers[i].value + "\n";
  for (let i = 0; i < req.params.length; i++) s += "param " + req.params[i].name + "=" + req.params[i].value + "\n";
  const test = req.header("X-Test");
  s += "lookup x-test " + (test === null ? "(none)" : test) + "\n";
  const body = req.body;
  s += body === null ? "no body\n" : "body " + escape(body) + "\n";
  return new Response(201).header("x-echo", "assemblyscript").header("content-type", "text/plain").text(s);
});

onRedisMessage((message: Uint8Array): bool => {
  if (message.length == 4 && String.UTF8.decode(message.buffer) == "fail") return false;
  const address = getVariable("redis_address");
  if (address.isErr) return false;
  const opened = Connection.open(address.unwrap());
  if (opened.isErr) return false;
  const conn = opened.unwrap();
  const pushed = conn.execute("RPUSH", [RedisParameter.str("sdk:messages"), RedisParameter.binary(message)]);
  conn.close();
  return pushed.isOk;
});
