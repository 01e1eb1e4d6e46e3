// fermyon:spin/variables@2.0.0

import { Result, takeString, utf8 } from "./abi";

// @ts-ignore: decorator
@external("fermyon:spin/variables@2.0.0", "get")
declare function wit_get(name: usize, nameLen: usize, ret: usize): void;

const RET: usize = memory.data(16, 4);

export enum VariablesErrorKind {
  InvalidName = 0,
  Undefined = 1,
  Provider = 2,
  Other = 3,
}

/** fermyon:spin/variables `error`; every case carries the host's message. */
export class VariablesError {
  constructor(public readonly kind: VariablesErrorKind, public readonly message: string) {}

  /** "invalid-name", "undefined", "provider" or "other" */
  get kindName(): string {
    switch (this.kind) {
      case VariablesErrorKind.InvalidName: return "invalid-name";
      case VariablesErrorKind.Undefined: return "undefined";
      case VariablesErrorKind.Provider: return "provider";
      default: return "other";
    }
  }

  toString(): string {
    return this.kindName + ": " + this.message;
  }
}

/** The component's variable `name` (lower_snake_case, as in spin.toml). */
export function getVariable(name: string): Result<string, VariablesError> {
  const n = utf8(name);
  wit_get(changetype<usize>(n), n.byteLength, RET);
  if (load<u8>(RET) == 0) return Result.ok<string, VariablesError>(takeString(load<u32>(RET, 4), load<u32>(RET, 8)));
  const disc = load<u8>(RET, 4);
  if (disc > 3) unreachable();
  return Result.err<string, VariablesError>(
    new VariablesError(<VariablesErrorKind>disc, takeString(load<u32>(RET, 8), load<u32>(RET, 12))),
  );
}
