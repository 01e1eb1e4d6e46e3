// counter: an HTTP handler that INCRs a counter in Redis and returns the new value.
// The Redis address comes from the component variable `redis_address`; the key is
// "spindle:as-counter". Errors become a 500 with the error's message.
import { Connection, getVariable, onHttpRequest, Request, Response } from "../assembly/index";
export { handleRequest, cabi_post_handleRequest, cabi_realloc } from "../assembly/exports";

function fail(step: string, error: string): Response {
  return new Response(500).header("content-type", "text/plain").text(step + ": " + error + "\n");
}

onHttpRequest((req: Request): Response => {
  const address = getVariable("redis_address");
  if (address.isErr) return fail("redis_address", address.error!.toString());
  const conn = Connection.open(address.unwrap());
  if (conn.isErr) return fail("open", conn.error!.toString());
  const count = conn.unwrap().incr("spindle:as-counter");
  conn.unwrap().close();
  if (count.isErr) return fail("incr", count.error!.toString());
  return new Response(200).header("content-type", "text/plain").text(count.unwrap().toString() + "\n");
});
