// api-cache: cache-aside with a TTL, in AssemblyScript.
//
// GET /products/<category> answers a JSON list of products. The list is "expensive" to compute
// (here: a deterministic fake, made slow on purpose), so the handler first looks in Redis:
//   hit  -> the cached JSON, header x-cache: HIT (x-cache-ttl-ms: milliseconds left)
//   miss -> compute it, store it with set-with-ttl (cache_ttl_ms), header x-cache: MISS
// Every computation also INCRs api-cache:computed, so you can see how often the cache missed.
import { Connection, getVariable, Method, onHttpRequest, Request, Response } from "../../sdk/assemblyscript/assembly/index";
export { handleRequest, cabi_post_handleRequest, cabi_realloc } from "../../sdk/assemblyscript/assembly/exports";

const PREFIX = "/products/";

function plain(status: u16, body: string): Response {
  return new Response(status).header("content-type", "text/plain").text(body + "\n");
}

function validCategory(c: string): bool {
  if (c.length < 1 || c.length > 32) return false;
  for (let i = 0; i < c.length; i++) {
    const ch = c.charCodeAt(i);
    const ok = (ch >= 97 && ch <= 122) || (ch >= 48 && ch <= 57) || ch == 45; // a-z 0-9 -
    if (!ok) return false;
  }
  return true;
}

// FNV-1a: the fake data depends only on the category.
function fnv1a(s: string): u32 {
  let h: u32 = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= <u32>s.charCodeAt(i);
    h *= 16777619;
  }
  return h;
}

// The "expensive" backend call: a few million rounds of mixing, then three fake products.
function computeProducts(category: string): string {
  let h = fnv1a(category);
  for (let i = 0; i < 3000000; i++) {
    h = (h ^ (h >>> 15)) * 2246822519 + <u32>i;
  }
  const seed = fnv1a(category);
  let json = '{"category":"' + category + '","products":[';
  for (let i: u32 = 1; i <= 3; i++) {
    const price = (seed / i + i * 977) % 10000;
    if (i > 1) json += ",";
    json += '{"id":"' + category + "-" + i.toString() + '","name":"' + category + " item " + i.toString() +
      '","price_cents":' + price.toString() + "}";
  }
  json += '],"checksum":' + h.toString() + "}";
  return json;
}

onHttpRequest((req: Request): Response => {
  const path = req.uri.split("?")[0];
  if (!path.startsWith(PREFIX)) return plain(404, "try GET /products/<category>");
  if (req.method != Method.Get) return plain(405, "use GET").header("allow", "GET");
  const category = path.substring(PREFIX.length);
  if (!validCategory(category)) return plain(400, "a category is 1-32 characters of a-z, 0-9 and -");

  const address = getVariable("redis_address");
  if (address.isErr) return plain(500, "redis_address: " + address.error!.toString());
  const ttlText = getVariable("cache_ttl_ms");
  if (ttlText.isErr) return plain(500, "cache_ttl_ms: " + ttlText.error!.toString());
  const ttlMs = U64.parseInt(ttlText.unwrap());
  const opened = Connection.open(address.unwrap());
  if (opened.isErr) return plain(500, "open: " + opened.error!.toString());
  const conn = opened.unwrap();
  const key = "api-cache:products:" + category;

  const cached = conn.get(key);
  if (cached.isErr) return plain(500, "get: " + cached.error!.toString());
  const hit = cached.unwrap();
  if (hit !== null) {
    const left = conn.ttl(key);
    const response = new Response(200).header("content-type", "application/json").header("x-cache", "HIT");
    if (left.isOk) response.header("x-cache-ttl-ms", left.unwrap().toString());
    conn.close();
    return response.bytes(hit);
  }

  const body = computeProducts(category);
  const stored = conn.setWithTtl(key, Uint8Array.wrap(String.UTF8.encode(body)), ttlMs);
  if (stored.isErr) return plain(500, "set-with-ttl: " + stored.error!.toString());
  conn.incr("api-cache:computed");
  conn.close();
  return new Response(200).header("content-type", "application/json").header("x-cache", "MISS")
    .header("x-cache-ttl-ms", ttlMs.toString()).text(body);
});
