// fermyon:spin/inbound-redis#handle-message (the Redis trigger).
//
//   onRedisMessage((message: Uint8Array): bool => { ...; return true; });
//   export { handleMessage, cabi_realloc } from "<sdk>/assembly/exports";

import { takeBytes } from "./abi";

let handler: ((message: Uint8Array) => bool) | null = null;

/** Registers the handler (return false to report an error); call it at the entry file's top level. */
export function onRedisMessage(h: (message: Uint8Array) => bool): void {
  handler = h;
}

// result<_, error-enum>: disc u8 @0, enum u8 @1 (0 success, 1 error)
const RESULT: usize = memory.data(2, 1);

/** Glue behind the handle-message export (see exports.ts). */
export function dispatch(ptr: usize, len: usize): usize {
  const message = takeBytes(ptr, len);
  const h = handler;
  if (h === null) throw new Error("no Redis handler: call onRedisMessage(...) at the top level of the entry file");
  const ok = h(message);
  store<u8>(RESULT, ok ? 0 : 1);
  store<u8>(RESULT, ok ? 0 : 1, 1);
  return RESULT;
}
