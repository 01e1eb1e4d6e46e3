// fermyon:spin/inbound-http#handle-request (Spin's record-based HTTP handler).
//
//   onHttpRequest((req: Request): Response => new Response(200).text("hello"));
//   export { handleRequest, cabi_post_handleRequest, cabi_realloc } from "<sdk>/assembly/exports";

import { takeString, takeBytes, free } from "./abi";

export enum Method {
  Get = 0,
  Post = 1,
  Put = 2,
  Delete = 3,
  Patch = 4,
  Head = 5,
  Options = 6,
}

export function methodName(m: Method): string {
  switch (m) {
    case Method.Get: return "GET";
    case Method.Post: return "POST";
    case Method.Put: return "PUT";
    case Method.Delete: return "DELETE";
    case Method.Patch: return "PATCH";
    case Method.Head: return "HEAD";
    default: return "OPTIONS";
  }
}

export class Header {
  constructor(public readonly name: string, public readonly value: string) {}
}

export class Request {
  constructor(
    public readonly method: Method,
    /** path and query as received ("/count/a?b=1"); the full URL is the spin-full-url header */
    public readonly uri: string,
    public readonly headers: Header[],
    public readonly params: Header[],
    /** null when the request has no body */
    public readonly body: Uint8Array | null,
  ) {}

  /** The first header with this name (ASCII case-insensitive), or null. */
  header(name: string): string | null {
    const wanted = name.toLowerCase();
    for (let i = 0; i < this.headers.length; i++) {
      if (this.headers[i].name.toLowerCase() == wanted) return this.headers[i].value;
    }
    return null;
  }

  /** The body as UTF-8 text ("" without a body). */
  text(): string {
    const b = this.body;
    return b === null ? "" : String.UTF8.decode(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
}

export class Response {
  headers: Header[] | null = null;
  body: Uint8Array | null = null;

  constructor(public status: u16 = 200) {}

  /** Adds a header; returns this. */
  header(name: string, value: string): Response {
    let h = this.headers;
    if (h === null) {
      h = [];
      this.headers = h;
    }
    h.push(new Header(name, value));
    return this;
  }

  /** Sets the body to bytes; returns this. */
  bytes(body: Uint8Array): Response {
    this.body = body;
    return this;
  }

  /** Sets the body to UTF-8 text; returns this. */
  text(body: string): Response {
    this.body = Uint8Array.wrap(String.UTF8.encode(body));
    return this;
  }
}

let handler: ((req: Request) => Response) | null = null;

/** Registers the handler; call it from your entry file's top level (runs in _initialize). */
export function onHttpRequest(h: (req: Request) => Response): void {
  handler = h;
}

/** tuple<string, string>: 16 bytes, align 4 */
function takeHeaders(ptr: usize, len: usize): Header[] {
  const out = new Array<Header>(<i32>len);
  for (let i: usize = 0; i < len; i++) {
    const e = ptr + i * 16;
    out[<i32>i] = new Header(takeString(load<u32>(e), load<u32>(e, 4)), takeString(load<u32>(e, 8), load<u32>(e, 12)));
  }
  free(ptr, len * 16);
  return out;
}

// response record: 28 bytes, align 4 — status u16 @0; headers option @4 (list @8); body option @16 (list @20)
const RECORD: usize = memory.data(28, 4);
// what the record points into, kept alive (and reachable for the GC) until cabi_post
let retainedStrings: ArrayBuffer[] = [];
let retainedBody: Uint8Array | null = null;
let retainedHeaders: usize = 0;
let retainedHeaderCount: i32 = 0;

/** Glue behind the handle-request export (see exports.ts). */
export function dispatch(
  method: i32, uriPtr: usize, uriLen: usize, headersPtr: usize, headersLen: usize,
  paramsPtr: usize, paramsLen: usize, bodyIsSome: i32, bodyPtr: usize, bodyLen: usize,
): usize {
  if (method < 0 || method > 6) unreachable();
  const req = new Request(
    <Method>method,
    takeString(uriPtr, uriLen),
    takeHeaders(headersPtr, headersLen),
    takeHeaders(paramsPtr, paramsLen),
    bodyIsSome != 0 ? takeBytes(bodyPtr, bodyLen) : null,
  );
  const h = handler;
  if (h === null) throw new Error("no HTTP handler: call onHttpRequest(...) at the top level of the entry file");
  const res = h(req);

  store<u64>(RECORD, 0);
  store<u64>(RECORD, 0, 8);
  store<u64>(RECORD, 0, 16);
  store<u32>(RECORD, 0, 24);
  store<u16>(RECORD, res.status);
  const headers = res.headers;
  if (headers !== null) {
    const n = headers.length;
    const strings = new Array<ArrayBuffer>(n * 2);
    for (let i = 0; i < n; i++) {
      strings[2 * i] = String.UTF8.encode(headers[i].name);
      strings[2 * i + 1] = String.UTF8.encode(headers[i].value);
    }
    const array: usize = n == 0 ? 4 : heap.alloc(<usize>n * 16);
    for (let i = 0; i < n * 2; i++) {
      store<u32>(array + <usize>i * 8, changetype<usize>(strings[i]));
      store<u32>(array + <usize>i * 8, strings[i].byteLength, 4);
    }
    retainedStrings = strings;
    retainedHeaders = array;
    retainedHeaderCount = n;
    store<u8>(RECORD, 1, 4);
    store<u32>(RECORD, array, 8);
    store<u32>(RECORD, n, 12);
  }
  const body = res.body;
  if (body !== null) {
    retainedBody = body;
    store<u8>(RECORD, 1, 16);
    const bodyPtr: usize = body.length == 0 ? 1 : body.dataStart; // empty: any non-null pointer
    store<u32>(RECORD, <u32>bodyPtr, 20);
    store<u32>(RECORD, body.length, 24);
  }
  return RECORD;
}

/** Glue behind cabi_post_...: the host has copied the response; release it. */
export function post(record: usize): void {
  if (retainedHeaderCount != 0) heap.free(retainedHeaders);
  retainedHeaders = 0;
  retainedHeaderCount = 0;
  retainedStrings = [];
  retainedBody = null;
}
