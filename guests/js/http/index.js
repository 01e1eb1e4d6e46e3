// The JS HTTP test component (guests/js/build.sh builds it with the Spin JS SDK's j2w): plain
// HTTP routes, and routes that reach Redis through fermyon:spin/redis@2.0.0 at the address in
// the component's `redis_address` variable.
import { Connection } from 'fermyon:spin/redis@2.0.0';
import { get as variable } from 'fermyon:spin/variables@2.0.0';

const decoder = new TextDecoder();

function redis() {
  return Connection.open(variable('redis_address'));
}

function text(body, status = 200, headers = {}) {
  return new Response(body, { status, headers: { 'content-type': 'text/plain', ...headers } });
}

async function handle(request) {
  const url = new URL(request.url);
  const q = url.searchParams;
  switch (url.pathname) {
    case '/hello':
      // Echoes what the host lowered: method, path, query, one request header.
      return text(`hello from js: ${request.method} ${url.pathname} name=${q.get('name') ?? ''}\n`, 200,
        { 'x-echo': request.headers.get('x-test') ?? 'none' });
    case '/echo':
      return new Response(await request.arrayBuffer(), { status: 200, headers: { 'content-type': 'application/octet-stream' } });
    case '/status':
      return text(`status ${q.get('code')}\n`, Number(q.get('code')));
    case '/count':
      return text(`${redis().incr(q.get('key') ?? 'js:count')}\n`);
    case '/get': {
      const value = redis().get(q.get('key'));
      return value === undefined ? text('not found\n', 404) : text(decoder.decode(value));
    }
    case '/set':
      redis().set(q.get('key'), new Uint8Array(await request.arrayBuffer()));
      return text('stored\n', 201);
    case '/publish':
      redis().publish(q.get('channel'), new Uint8Array(await request.arrayBuffer()));
      return text('published\n', 202);
    case '/throw':
      throw new Error('the handler failed on purpose');
    default:
      return text('no such route\n', 404);
  }
}

// /throw rejects: the guest never sets a response, and the host answers 500.
addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
