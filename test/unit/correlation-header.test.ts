// Every outbound call made for an operation with a correlation id carries it in X-Correlation-Id
// (GET and POST, a URL or a Request, the caller's own headers kept); outside one, or for an id of an
// unsafe shape, no header is sent. Concurrent operations keep their own ids.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asyncCorrelationScope } from '../../src/adapters/correlation.ts';
import { HttpOut } from '../../src/adapters/http-out.ts';

describe('X-Correlation-Id on outbound calls', () => {
  let server: Server;
  let origin = '';
  let out: HttpOut;
  const seen: { path: string; id: string | undefined; custom: string | undefined }[] = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', id: req.headers['x-correlation-id'] as string | undefined, custom: req.headers['x-custom'] as string | undefined });
      setTimeout(() => res.end('ok'), 5);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    out = new HttpOut({ allowedOrigins: [origin] });
  });
  after(async () => { await out.close(); server.close(); });

  it('is sent inside an operation, for URLs and Requests, with the caller\'s headers kept', async () => {
    seen.length = 0;
    await asyncCorrelationScope.run('evt-123', async () => {
      await (await out.fetch(`${origin}/get`, { headers: { 'x-custom': 'kept' } })).text();
      await (await out.fetch(new Request(`${origin}/post`, { method: 'POST', body: 'x', headers: { 'x-custom': 'kept' } }))).text();
    });
    assert.deepEqual(seen, [{ path: '/get', id: 'evt-123', custom: 'kept' }, { path: '/post', id: 'evt-123', custom: 'kept' }]);
  });

  it('is not sent outside an operation, nor for an id of an unsafe shape', async () => {
    seen.length = 0;
    await (await out.fetch(`${origin}/none`)).text();
    await asyncCorrelationScope.run('bad id\r\nx: y', async () => { await (await out.fetch(`${origin}/unsafe`)).text(); });
    assert.deepEqual(seen.map((s) => s.id), [undefined, undefined]);
  });

  it('concurrent operations keep their own ids', async () => {
    seen.length = 0;
    await Promise.all(['a', 'b', 'c'].map((id) => asyncCorrelationScope.run(`op-${id}`, async () => {
      await new Promise((r) => setTimeout(r, 3));
      await (await out.fetch(`${origin}/${id}`)).text();
    })));
    assert.deepEqual(seen.map((s) => `${s.path}=${s.id}`).sort(), ['/a=op-a', '/b=op-b', '/c=op-c']);
  });
});
