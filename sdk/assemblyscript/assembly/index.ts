// Spindle guest SDK for AssemblyScript. See ../README.md.
export { Result } from "./abi";
export {
  Connection, RedisError, RedisErrorKind, RedisParameter, RedisResult, RedisResultKind,
  RateLimitStatus, Command, Reply,
} from "./redis";
export { getVariable, VariablesError, VariablesErrorKind } from "./variables";
export { Method, methodName, Header, Request, Response, onHttpRequest } from "./http";
export { onRedisMessage } from "./message";
