// ts-visits: an HTTP handler in TypeScript, built with the Spin JS SDK (see README.md).
//   GET  /           counts the visit in Redis (INCR ts-visits:count) and returns the count as JSON
//   PUT  /message    stores the request body as the message of the day (SET ts-visits:message)
//   GET  /message    returns it (GET ts-visits:message), 404 while there is none
// Redis is reached through Spin's fermyon:spin/redis@2.0.0 interface, at the address in the
// component variable `redis_address`; the manifest's allowed_outbound_hosts must allow it.
import { Connection } from 'fermyon:spin/redis@2.0.0';
import { get as variable } from 'fermyon:spin/variables@2.0.0';

const COUNT_KEY = 'ts-visits:count';
const MESSAGE_KEY = 'ts-visits:message';

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value) + '\n', { status, headers: { 'content-type': 'application/json' } });
}

async function handle(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  const redis = Connection.open(variable('redis_address'));
  if (path === '/' && request.method === 'GET') {
    return json({ visits: Number(redis.incr(COUNT_KEY)) });
  }
  if (path === '/message' && request.method === 'PUT') {
    redis.set(MESSAGE_KEY, new Uint8Array(await request.arrayBuffer()));
    return json({ stored: true }, 201);
  }
  if (path === '/message' && request.method === 'GET') {
    const message = redis.get(MESSAGE_KEY);
    return message === undefined
      ? json({ error: 'no message yet' }, 404)
      : json({ message: new TextDecoder().decode(message) });
  }
  return json({ error: `no route for ${request.method} ${path}` }, 404);
}

addEventListener('fetch', (event: FetchEvent) => {
  event.respondWith(handle(event.request).catch((e) => json({ error: String(e) }, 500)));
});
