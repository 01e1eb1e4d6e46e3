// The export glue. AssemblyScript exports only what the entry file exports, and cannot name an
// export "fermyon:spin/inbound-http#handle-request"; so the entry file re-exports these, and
// the SDK's transform (transform/exports.js, enabled in asconfig.json) renames them:
//
//   handleRequest            -> fermyon:spin/inbound-http#handle-request
//   cabi_post_handleRequest  -> cabi_post_fermyon:spin/inbound-http#handle-request
//   handleMessage            -> fermyon:spin/inbound-redis#handle-message
//   cabi_realloc             (unchanged)
//
//   export { handleRequest, cabi_post_handleRequest, cabi_realloc } from "<sdk>/assembly/exports";

import { dispatch as httpDispatch, post as httpPost } from "./http";
import { dispatch as messageDispatch } from "./message";

export { cabi_realloc } from "./abi";

export function handleRequest(
  method: i32, uriPtr: usize, uriLen: usize, headersPtr: usize, headersLen: usize,
  paramsPtr: usize, paramsLen: usize, bodyIsSome: i32, bodyPtr: usize, bodyLen: usize,
): usize {
  return httpDispatch(method, uriPtr, uriLen, headersPtr, headersLen, paramsPtr, paramsLen, bodyIsSome, bodyPtr, bodyLen);
}

export function cabi_post_handleRequest(record: usize): void {
  httpPost(record);
}

export function handleMessage(ptr: usize, len: usize): usize {
  return messageDispatch(ptr, len);
}
