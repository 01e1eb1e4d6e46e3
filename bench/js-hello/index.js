// The JS component bench/compile-cache.sh builds (with the Spin JS SDK's j2w): a plain HTTP
// handler, so the figures are about StarlingMonkey's size, not the handler.
addEventListener('fetch', (event) => {
  event.respondWith(new Response('hello from js\n', { status: 200, headers: { 'content-type': 'text/plain' } }));
});
