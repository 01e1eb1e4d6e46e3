// fermyon:spin/redis@2.0.0 and spindle:redis/extended@0.1.0.
//
//   const conn = Connection.open(address).unwrap();
//   const n = conn.incr("hits").unwrap();
//   conn.close();   // [resource-drop]connection

import {
  Result, takeString, takeBytes, takeStringList, takeBytesList, utf8, lowerSlices, freeSlices, free,
} from "./abi";

// ---- imports (core signatures from docs/guest-abi.md; usize = i32, u64/i64 = i64) ----

// @ts-ignore: decorator
@external("fermyon:spin/redis@2.0.0", "[static]connection.open")
declare function wit_open(addr: usize, addrLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("fermyon:spin/redis@2.0.0", "[method]connection.publish")
declare function wit_publish(self: u32, chan: usize, chanLen: usize, payload: usize, payloadLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("fermyon:spin/redis@2.0.0", "[method]connection.get")
declare function wit_get(self: u32, key: usize, keyLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("fermyon:spin/redis@2.0.0", "[method]connection.set")
declare function wit_set(self: u32, key: usize, keyLen: usize, value: usize, valueLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("fermyon:spin/redis@2.0.0", "[method]connection.incr")
declare function wit_incr(self: u32, key: usize, keyLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("fermyon:spin/redis@2.0.0", "[method]connection.del")
declare function wit_del(self: u32, keys: usize, keysLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("fermyon:spin/redis@2.0.0", "[method]connection.sadd")
declare function wit_sadd(self: u32, key: usize, keyLen: usize, values: usize, valuesLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("fermyon:spin/redis@2.0.0", "[method]connection.smembers")
declare function wit_smembers(self: u32, key: usize, keyLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("fermyon:spin/redis@2.0.0", "[method]connection.srem")
declare function wit_srem(self: u32, key: usize, keyLen: usize, values: usize, valuesLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("fermyon:spin/redis@2.0.0", "[method]connection.execute")
declare function wit_execute(self: u32, cmd: usize, cmdLen: usize, args: usize, argsLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("fermyon:spin/redis@2.0.0", "[resource-drop]connection")
declare function wit_drop(handle: u32): void;

// @ts-ignore: decorator
@external("spindle:redis/extended@0.1.0", "set-with-ttl")
declare function wit_set_with_ttl(conn: u32, key: usize, keyLen: usize, value: usize, valueLen: usize, ttlMs: u64, ret: usize): void;
// @ts-ignore: decorator
@external("spindle:redis/extended@0.1.0", "has")
declare function wit_has(conn: u32, key: usize, keyLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("spindle:redis/extended@0.1.0", "incr-by")
declare function wit_incr_by(conn: u32, key: usize, keyLen: usize, delta: i64, ret: usize): void;
// @ts-ignore: decorator
@external("spindle:redis/extended@0.1.0", "expire")
declare function wit_expire(conn: u32, key: usize, keyLen: usize, ttlMs: u64, ret: usize): void;
// @ts-ignore: decorator
@external("spindle:redis/extended@0.1.0", "ttl")
declare function wit_ttl(conn: u32, key: usize, keyLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("spindle:redis/extended@0.1.0", "push")
declare function wit_push(conn: u32, key: usize, keyLen: usize, values: usize, valuesLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("spindle:redis/extended@0.1.0", "unshift")
declare function wit_unshift(conn: u32, key: usize, keyLen: usize, values: usize, valuesLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("spindle:redis/extended@0.1.0", "pop")
declare function wit_pop(conn: u32, key: usize, keyLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("spindle:redis/extended@0.1.0", "shift")
declare function wit_shift(conn: u32, key: usize, keyLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("spindle:redis/extended@0.1.0", "range")
declare function wit_range(conn: u32, key: usize, keyLen: usize, start: i64, stop: i64, ret: usize): void;
// @ts-ignore: decorator
@external("spindle:redis/extended@0.1.0", "count")
declare function wit_count(conn: u32, key: usize, keyLen: usize, ret: usize): void;
// @ts-ignore: decorator
@external("spindle:redis/extended@0.1.0", "rate-limit")
declare function wit_rate_limit(conn: u32, key: usize, keyLen: usize, max: u32, windowMs: u64, ret: usize): void;
// @ts-ignore: decorator
@external("spindle:redis/extended@0.1.0", "pipeline")
declare function wit_pipeline(conn: u32, commands: usize, commandsLen: usize, transaction: bool, ret: usize): void;

/** One return area for every import (32 bytes, 8-aligned): calls never nest. */
const RET: usize = memory.data(32, 8);

// ---- types ----

/** fermyon:spin/redis@2.0.0 `error` cases. */
export enum RedisErrorKind {
  /** not a redis:// / rediss:// URL, or the host is not in allowed_outbound_hosts */
  InvalidAddress = 0,
  /** the instance holds too many connections, or the server's pool is exhausted */
  TooManyConnections = 1,
  /** WRONGTYPE: the key holds another type */
  TypeError = 2,
  /** anything else; `message` says what */
  Other = 3,
}

export class RedisError {
  constructor(public readonly kind: RedisErrorKind, public readonly message: string) {}

  /** "invalid-address", "too-many-connections", "type-error" or "other" */
  get kindName(): string {
    switch (this.kind) {
      case RedisErrorKind.InvalidAddress: return "invalid-address";
      case RedisErrorKind.TooManyConnections: return "too-many-connections";
      case RedisErrorKind.TypeError: return "type-error";
      default: return "other";
    }
  }

  toString(): string {
    return this.message.length > 0 ? this.kindName + ": " + this.message : this.kindName;
  }
}

/** A redis-parameter of execute and pipeline commands. */
export class RedisParameter {
  private constructor(public readonly isInt64: bool, public readonly int64: i64, public readonly binary: Uint8Array) {}

  static int64(value: i64): RedisParameter {
    return new RedisParameter(true, value, new Uint8Array(0));
  }

  static binary(value: Uint8Array): RedisParameter {
    return new RedisParameter(false, 0, value);
  }

  static str(value: string): RedisParameter {
    return new RedisParameter(false, 0, Uint8Array.wrap(String.UTF8.encode(value)));
  }
}

export enum RedisResultKind {
  Nil = 0,
  Status = 1,
  Int64 = 2,
  Binary = 3,
}

/** One value of a reply (redis-result); nested arrays arrive flattened. */
export class RedisResult {
  constructor(
    public readonly kind: RedisResultKind,
    public readonly status: string,
    public readonly int64: i64,
    public readonly binary: Uint8Array,
  ) {}
}

/** spindle:redis/extended rate-limit-status */
export class RateLimitStatus {
  constructor(
    /** whether this hit is within the limit */
    public readonly allowed: bool,
    /** hits in the current window, this one included */
    public readonly count: u32,
    public readonly remaining: u32,
    /** milliseconds until the window ends */
    public readonly resetMs: u64,
  ) {}
}

/** One command of a pipeline. */
export class Command {
  constructor(public readonly name: string, public readonly args: RedisParameter[] = []) {}
}

/** The reply to one pipelined command: `ok` with results, or an error message. */
export class Reply {
  constructor(public readonly ok: bool, public readonly results: RedisResult[], public readonly error: string) {}
}

// ---- lifting results ----

/** Reads an `error` variant at `at`. */
function errorAt(at: usize): RedisError {
  const disc = load<u8>(at);
  if (disc > 3) unreachable(); // not a case of the variant: the host broke the ABI
  const message = disc == 3 ? takeString(load<u32>(at, 4), load<u32>(at, 8)) : "";
  return new RedisError(<RedisErrorKind>disc, message);
}

function unitResult(): Result<bool, RedisError> {
  if (load<u8>(RET) != 0) return Result.err<bool, RedisError>(errorAt(RET + 4));
  return Result.ok<bool, RedisError>(true);
}

function u32Result(): Result<u32, RedisError> {
  if (load<u8>(RET) != 0) return Result.err<u32, RedisError>(errorAt(RET + 4));
  return Result.ok<u32, RedisError>(load<u32>(RET, 4));
}

function boolResult(): Result<bool, RedisError> {
  if (load<u8>(RET) != 0) return Result.err<bool, RedisError>(errorAt(RET + 4));
  return Result.ok<bool, RedisError>(load<u8>(RET, 4) != 0);
}

/** result<s64, error>: 24 bytes, align 8, payload and error at 8 */
function s64Result(): Result<i64, RedisError> {
  if (load<u8>(RET) != 0) return Result.err<i64, RedisError>(errorAt(RET + 8));
  return Result.ok<i64, RedisError>(load<i64>(RET, 8));
}

/** result<option<payload>, error>: null when none */
function optionBytesResult(): Result<Uint8Array | null, RedisError> {
  if (load<u8>(RET) != 0) return Result.err<Uint8Array | null, RedisError>(errorAt(RET + 4));
  if (load<u8>(RET, 4) == 0) return Result.ok<Uint8Array | null, RedisError>(null);
  return Result.ok<Uint8Array | null, RedisError>(takeBytes(load<u32>(RET, 8), load<u32>(RET, 12)));
}

/** Takes a host-allocated list<redis-result> (elements 16 bytes, align 8). */
function takeResults(ptr: usize, len: usize): RedisResult[] {
  const out = new Array<RedisResult>(<i32>len);
  for (let i: usize = 0; i < len; i++) {
    const e = ptr + i * 16;
    const disc = load<u8>(e);
    if (disc == 0) out[<i32>i] = new RedisResult(RedisResultKind.Nil, "", 0, new Uint8Array(0));
    else if (disc == 1) out[<i32>i] = new RedisResult(RedisResultKind.Status, takeString(load<u32>(e, 8), load<u32>(e, 12)), 0, new Uint8Array(0));
    else if (disc == 2) out[<i32>i] = new RedisResult(RedisResultKind.Int64, "", load<i64>(e, 8), new Uint8Array(0));
    else if (disc == 3) out[<i32>i] = new RedisResult(RedisResultKind.Binary, "", 0, takeBytes(load<u32>(e, 8), load<u32>(e, 12)));
    else unreachable();
  }
  free(ptr, len * 16);
  return out;
}

// ---- lowering arguments ----

/** redis-parameter elements: 16 bytes, align 8 (disc @0; i64 or ptr/len @8); empty: dangling 8. */
function lowerParameters(args: RedisParameter[]): usize {
  const n = args.length;
  if (n == 0) return 8;
  const array = heap.alloc(<usize>n * 16); // heap blocks are 16-aligned
  for (let i = 0; i < n; i++) {
    const e = array + <usize>i * 16;
    const a = args[i];
    store<u64>(e, 0);
    if (a.isInt64) {
      store<i64>(e, a.int64, 8);
    } else {
      store<u8>(e, 1);
      store<u32>(e, a.binary.dataStart, 8);
      store<u32>(e, a.binary.length, 12);
    }
  }
  return array;
}

function stringBuffers(items: string[]): ArrayBuffer[] {
  const out = new Array<ArrayBuffer>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = utf8(items[i]);
  return out;
}

function byteBuffers(items: Uint8Array[]): ArrayBuffer[] {
  // a Uint8Array may be a view: copy views that do not start at their buffer's start
  const out = new Array<ArrayBuffer>(items.length);
  for (let i = 0; i < items.length; i++) {
    const b = items[i];
    out[i] = b.byteOffset == 0 && b.byteLength == b.buffer.byteLength ? b.buffer : b.slice().buffer;
  }
  return out;
}

/**
 * An open connection: a resource handle owned by this instance. `close()` calls
 * [resource-drop]connection; Spindle also returns every connection to its pool when the
 * invocation ends.
 */
export class Connection {
  private closed: bool = false;

  private constructor(public readonly handle: u32) {}

  /** redis://[user:password@]host[:port][/db] or rediss://... */
  static open(address: string): Result<Connection, RedisError> {
    const a = utf8(address);
    wit_open(changetype<usize>(a), a.byteLength, RET);
    if (load<u8>(RET) != 0) return Result.err<Connection, RedisError>(errorAt(RET + 4));
    return Result.ok<Connection, RedisError>(new Connection(load<u32>(RET, 4)));
  }

  /** [resource-drop]connection; safe to call twice. */
  close(): void {
    if (!this.closed) {
      this.closed = true;
      wit_drop(this.handle);
    }
  }

  private h(): u32 {
    if (this.closed) unreachable(); // a dropped handle: the host would trap too
    return this.handle;
  }

  /** PUBLISH channel payload */
  publish(channel: string, payload: Uint8Array): Result<bool, RedisError> {
    const c = utf8(channel);
    wit_publish(this.h(), changetype<usize>(c), c.byteLength, payload.dataStart, payload.length, RET);
    return unitResult();
  }

  /** GET key: null when the key does not exist */
  get(key: string): Result<Uint8Array | null, RedisError> {
    const k = utf8(key);
    wit_get(this.h(), changetype<usize>(k), k.byteLength, RET);
    return optionBytesResult();
  }

  /** SET key value */
  set(key: string, value: Uint8Array): Result<bool, RedisError> {
    const k = utf8(key);
    wit_set(this.h(), changetype<usize>(k), k.byteLength, value.dataStart, value.length, RET);
    return unitResult();
  }

  /** SET key value, with the value as UTF-8 */
  setString(key: string, value: string): Result<bool, RedisError> {
    return this.set(key, Uint8Array.wrap(String.UTF8.encode(value)));
  }

  /** INCR key: the new value */
  incr(key: string): Result<i64, RedisError> {
    const k = utf8(key);
    wit_incr(this.h(), changetype<usize>(k), k.byteLength, RET);
    return s64Result();
  }

  /** DEL keys...: how many existed */
  del(keys: string[]): Result<u32, RedisError> {
    const buffers = stringBuffers(keys);
    const list = lowerSlices(buffers);
    wit_del(this.h(), list, keys.length, RET);
    freeSlices(list, keys.length);
    return u32Result();
  }

  /** SADD key values...: how many were added */
  sadd(key: string, values: string[]): Result<u32, RedisError> {
    const k = utf8(key);
    const buffers = stringBuffers(values);
    const list = lowerSlices(buffers);
    wit_sadd(this.h(), changetype<usize>(k), k.byteLength, list, values.length, RET);
    freeSlices(list, values.length);
    return u32Result();
  }

  /** SMEMBERS key */
  smembers(key: string): Result<string[], RedisError> {
    const k = utf8(key);
    wit_smembers(this.h(), changetype<usize>(k), k.byteLength, RET);
    if (load<u8>(RET) != 0) return Result.err<string[], RedisError>(errorAt(RET + 4));
    return Result.ok<string[], RedisError>(takeStringList(load<u32>(RET, 4), load<u32>(RET, 8)));
  }

  /** SREM key values...: how many were removed */
  srem(key: string, values: string[]): Result<u32, RedisError> {
    const k = utf8(key);
    const buffers = stringBuffers(values);
    const list = lowerSlices(buffers);
    wit_srem(this.h(), changetype<usize>(k), k.byteLength, list, values.length, RET);
    freeSlices(list, values.length);
    return u32Result();
  }

  /** Any command; array replies arrive flattened (docs/redis.md). */
  execute(command: string, args: RedisParameter[] = []): Result<RedisResult[], RedisError> {
    const c = utf8(command);
    const lowered = lowerParameters(args);
    wit_execute(this.h(), changetype<usize>(c), c.byteLength, lowered, args.length, RET);
    freeSlices(lowered, args.length);
    if (load<u8>(RET) != 0) return Result.err<RedisResult[], RedisError>(errorAt(RET + 4));
    return Result.ok<RedisResult[], RedisError>(takeResults(load<u32>(RET, 4), load<u32>(RET, 8)));
  }

  // ---- spindle:redis/extended@0.1.0 ----

  /** SET key value PX ttlMs (ttlMs = 0: no expiry) */
  setWithTtl(key: string, value: Uint8Array, ttlMs: u64): Result<bool, RedisError> {
    const k = utf8(key);
    wit_set_with_ttl(this.h(), changetype<usize>(k), k.byteLength, value.dataStart, value.length, ttlMs, RET);
    return unitResult();
  }

  /** EXISTS key */
  has(key: string): Result<bool, RedisError> {
    const k = utf8(key);
    wit_has(this.h(), changetype<usize>(k), k.byteLength, RET);
    return boolResult();
  }

  /** INCRBY key delta: the new value */
  incrBy(key: string, delta: i64): Result<i64, RedisError> {
    const k = utf8(key);
    wit_incr_by(this.h(), changetype<usize>(k), k.byteLength, delta, RET);
    return s64Result();
  }

  /** INCRBY key -1 */
  decr(key: string): Result<i64, RedisError> {
    return this.incrBy(key, -1);
  }

  /** INCRBY key -delta */
  decrBy(key: string, delta: i64): Result<i64, RedisError> {
    return this.incrBy(key, 0 - delta);
  }

  /** PEXPIRE key ttlMs: false when the key does not exist */
  expire(key: string, ttlMs: u64): Result<bool, RedisError> {
    const k = utf8(key);
    wit_expire(this.h(), changetype<usize>(k), k.byteLength, ttlMs, RET);
    return boolResult();
  }

  /** PTTL key: -2 no such key, -1 no expiry, else milliseconds left */
  ttl(key: string): Result<i64, RedisError> {
    const k = utf8(key);
    wit_ttl(this.h(), changetype<usize>(k), k.byteLength, RET);
    return s64Result();
  }

  /** RPUSH key values...: the new length */
  push(key: string, values: Uint8Array[]): Result<u32, RedisError> {
    const k = utf8(key);
    const buffers = byteBuffers(values);
    const list = lowerSlices(buffers);
    wit_push(this.h(), changetype<usize>(k), k.byteLength, list, values.length, RET);
    freeSlices(list, values.length);
    return u32Result();
  }

  /** LPUSH key values...: the new length */
  unshift(key: string, values: Uint8Array[]): Result<u32, RedisError> {
    const k = utf8(key);
    const buffers = byteBuffers(values);
    const list = lowerSlices(buffers);
    wit_unshift(this.h(), changetype<usize>(k), k.byteLength, list, values.length, RET);
    freeSlices(list, values.length);
    return u32Result();
  }

  /** RPOP key: null on an empty or missing list */
  pop(key: string): Result<Uint8Array | null, RedisError> {
    const k = utf8(key);
    wit_pop(this.h(), changetype<usize>(k), k.byteLength, RET);
    return optionBytesResult();
  }

  /** LPOP key: null on an empty or missing list */
  shift(key: string): Result<Uint8Array | null, RedisError> {
    const k = utf8(key);
    wit_shift(this.h(), changetype<usize>(k), k.byteLength, RET);
    return optionBytesResult();
  }

  /** LRANGE key start stop (inclusive; negative counts from the end) */
  range(key: string, start: i64, stop: i64): Result<Uint8Array[], RedisError> {
    const k = utf8(key);
    wit_range(this.h(), changetype<usize>(k), k.byteLength, start, stop, RET);
    if (load<u8>(RET) != 0) return Result.err<Uint8Array[], RedisError>(errorAt(RET + 4));
    return Result.ok<Uint8Array[], RedisError>(takeBytesList(load<u32>(RET, 4), load<u32>(RET, 8)));
  }

  /** LLEN key */
  count(key: string): Result<u32, RedisError> {
    const k = utf8(key);
    wit_count(this.h(), changetype<usize>(k), k.byteLength, RET);
    return u32Result();
  }

  /** Fixed window of windowMs from the first hit, at most max hits; atomic on the server. */
  rateLimit(key: string, max: u32, windowMs: u64): Result<RateLimitStatus, RedisError> {
    const k = utf8(key);
    wit_rate_limit(this.h(), changetype<usize>(k), k.byteLength, max, windowMs, RET);
    // result<rate-limit-status, error>: 32 bytes, align 8; record / error at 8
    if (load<u8>(RET) != 0) return Result.err<RateLimitStatus, RedisError>(errorAt(RET + 8));
    return Result.ok<RateLimitStatus, RedisError>(
      new RateLimitStatus(load<u8>(RET, 8) != 0, load<u32>(RET, 12), load<u32>(RET, 16), load<u64>(RET, 24)),
    );
  }

  /** Many commands in one round trip; in MULTI/EXEC when transaction is true. */
  pipeline(commands: Command[], transaction: bool = false): Result<Reply[], RedisError> {
    const n = commands.length;
    // command: 16 bytes, align 4 — name ptr/len @0, arguments ptr/len @8
    const names = new Array<ArrayBuffer>(n);
    const array: usize = n == 0 ? 8 : heap.alloc(<usize>n * 16);
    const lowered = new Array<usize>(n);
    for (let i = 0; i < n; i++) {
      names[i] = utf8(commands[i].name);
      lowered[i] = lowerParameters(commands[i].args);
      const e = array + <usize>i * 16;
      store<u32>(e, changetype<usize>(names[i]));
      store<u32>(e, names[i].byteLength, 4);
      store<u32>(e, lowered[i], 8);
      store<u32>(e, commands[i].args.length, 12);
    }
    wit_pipeline(this.h(), array, n, transaction, RET);
    for (let i = 0; i < n; i++) freeSlices(lowered[i], commands[i].args.length);
    freeSlices(array, n);
    if (load<u8>(RET) != 0) return Result.err<Reply[], RedisError>(errorAt(RET + 4));
    // reply: 12 bytes, align 4 — disc @0; ok list / err string ptr @4, len @8
    const ptr: usize = load<u32>(RET, 4);
    const len: usize = load<u32>(RET, 8);
    const replies = new Array<Reply>(<i32>len);
    for (let i: usize = 0; i < len; i++) {
      const e = ptr + i * 12;
      const disc = load<u8>(e);
      if (disc == 0) replies[<i32>i] = new Reply(true, takeResults(load<u32>(e, 4), load<u32>(e, 8)), "");
      else if (disc == 1) replies[<i32>i] = new Reply(false, [], takeString(load<u32>(e, 4), load<u32>(e, 8)));
      else unreachable();
    }
    free(ptr, len * 12);
    return Result.ok<Reply[], RedisError>(replies);
  }
}
