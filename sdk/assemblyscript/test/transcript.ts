// Shared by the test guests: a transcript buffer and the escaping rule of the C and Rust ports.

let text: string = "";
let encoded: ArrayBuffer = new ArrayBuffer(0);
const REPORT: usize = memory.data(8, 4);

export function reset(): void {
  text = "";
}

export function put(s: string): void {
  text += s;
}

export function line(s: string): void {
  text += s + "\n";
}

/** The transcript as (ptr, len) of UTF-8, for the host to read. */
export function report(): usize {
  encoded = String.UTF8.encode(text);
  store<u32>(REPORT, <u32>changetype<usize>(encoded));
  store<u32>(REPORT, <u32>encoded.byteLength, 4);
  return REPORT;
}

const HEX = "0123456789abcdef";

/** printable ASCII as is, else \xNN */
export function escape(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b >= 0x20 && b < 0x7f && b != 0x5c) s += String.fromCharCode(b);
    else s += "\\x" + HEX.charAt(b >> 4) + HEX.charAt(b & 15);
  }
  return s;
}

export function escapeString(s: string): string {
  return escape(Uint8Array.wrap(String.UTF8.encode(s)));
}

export function bytesOf(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}
