// Types of the WIT imports index.ts uses (wit/spin.wit), as componentize-js binds them: a
// `result<T, error>` returns T or throws the error; an `option<T>` is T or undefined.
declare module 'fermyon:spin/redis@2.0.0' {
  export type Payload = Uint8Array;
  export class Connection {
    static open(address: string): Connection;
    get(key: string): Payload | undefined;
    set(key: string, value: Payload): void;
    incr(key: string): bigint;
  }
}

declare module 'fermyon:spin/variables@2.0.0' {
  export function get(name: string): string;
}

// StarlingMonkey's fetch event (a service-worker-style global).
interface FetchEvent extends Event {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}
declare function addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
