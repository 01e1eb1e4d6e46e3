// Canonical-ABI plumbing: cabi_realloc, taking ownership of what the host allocated, and
// lowering strings/bytes/lists into guest memory for import calls.
//
// The host allocates every string and list it hands the guest through cabi_realloc; this SDK
// backs it with the runtime's unmanaged heap (heap.alloc, 16-byte aligned) and frees each block
// with heap.free once its contents have been copied into managed objects.

/** The canonical ABI's allocator (re-export it from your entry file, see README). */
export function cabi_realloc(oldPtr: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (align == 0 || (align & (align - 1)) != 0 || align > 16) unreachable();
  if (newSize == 0) {
    if (oldPtr != 0 && oldSize != 0) heap.free(oldPtr);
    return align; // empty blocks are never allocated
  }
  if (oldPtr != 0 && oldSize != 0) return heap.realloc(oldPtr, newSize);
  return heap.alloc(newSize);
}

/** Frees a host-allocated block (length 0: never allocated). */
export function free(ptr: usize, size: usize): void {
  if (size != 0) heap.free(ptr);
}

/** Takes a host-allocated string. */
export function takeString(ptr: usize, len: usize): string {
  if (len == 0) return "";
  const s = String.UTF8.decodeUnsafe(ptr, len);
  heap.free(ptr);
  return s;
}

/** Takes a host-allocated list<u8>. */
export function takeBytes(ptr: usize, len: usize): Uint8Array {
  const out = new Uint8Array(<i32>len);
  if (len != 0) {
    memory.copy(out.dataStart, ptr, len);
    heap.free(ptr);
  }
  return out;
}

/** Takes a host-allocated list<string> (elements: ptr @0, len @4). */
export function takeStringList(ptr: usize, len: usize): string[] {
  const out = new Array<string>(<i32>len);
  for (let i: usize = 0; i < len; i++) {
    const e = ptr + i * 8;
    out[<i32>i] = takeString(load<u32>(e), load<u32>(e, 4));
  }
  free(ptr, len * 8);
  return out;
}

/** Takes a host-allocated list<list<u8>>. */
export function takeBytesList(ptr: usize, len: usize): Uint8Array[] {
  const out = new Array<Uint8Array>(<i32>len);
  for (let i: usize = 0; i < len; i++) {
    const e = ptr + i * 8;
    out[<i32>i] = takeBytes(load<u32>(e), load<u32>(e, 4));
  }
  free(ptr, len * 8);
  return out;
}

/** UTF-8 bytes of a string, kept alive by the caller for the duration of an import call. */
export function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s);
}

/**
 * An array of (ptr, len) pairs in unmanaged memory, pointing into buffers that `keep` holds
 * alive. Free it with `freeSlices`. An empty list is a dangling 8-aligned pointer.
 */
export function lowerSlices(items: ArrayBuffer[]): usize {
  const n = items.length;
  if (n == 0) return 8;
  const array = heap.alloc(<usize>n * 8);
  for (let i = 0; i < n; i++) {
    store<u32>(array + <usize>i * 8, changetype<usize>(items[i]));
    store<u32>(array + <usize>i * 8, items[i].byteLength, 4);
  }
  return array;
}

export function freeSlices(array: usize, n: i32): void {
  if (n != 0) heap.free(array);
}

/** Returns a zero value of any type (null for references); used for the value of an error result. */
export function zero<T>(): T {
  if (isReference<T>()) {
    return changetype<T>(0);
  } else {
    return <T>0;
  }
}

/** A value or an error. `unwrap()` aborts the invocation on an error (AssemblyScript cannot catch). */
export class Result<T, E> {
  private constructor(private readonly _value: T, public readonly error: E | null) {}

  static ok<T, E>(value: T): Result<T, E> {
    return new Result<T, E>(value, null);
  }

  static err<T, E>(error: E): Result<T, E> {
    return new Result<T, E>(zero<T>(), error);
  }

  get isOk(): bool {
    return this.error === null;
  }

  get isErr(): bool {
    return this.error !== null;
  }

  /** The value; aborts with the error's text if this is an error. */
  unwrap(): T {
    const e = this.error;
    if (e !== null) throw new Error(e.toString());
    return this._value;
  }

  /** The value, or `fallback` if this is an error. */
  unwrapOr(fallback: T): T {
    return this.error === null ? this._value : fallback;
  }
}
