/**
 * The race a keep-alive client loses: it writes a request onto a pooled connection at the moment the
 * server closes it ("other side closed"). This server makes that moment certain: it answers the first
 * request of each connection with keep-alive and drops the connection, unanswered, on any later one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch as undiciFetch } from 'undici';
import { HttpOut } from '../../src/adapters/http-out.ts';

let server: Server;
let origin = '';
const seen: { method: string; reused: boolean }[] = [];

before(async () => {
  server = createServer((socket: Socket) => {
    let served = 0;
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.slice(0, end);
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      buffer = buffer.slice(end + 4 + length);
      const method = head.split(' ')[0]!;
      seen.push({ method, reused: served > 0 });
      if (served > 0) { socket.destroy(); return; }
      served += 1;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\nKeep-Alive: timeout=30\r\n\r\nok\n');
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('HttpOut and a server that closes a reused connection in flight', () => {
  it('a plain pooled client fails with UND_ERR_SOCKET (the race is real)', async () => {
    const plain = new Agent();
    const get = () => (undiciFetch as unknown as (u: string, i: object) => Promise<Response>)(`${origin}/x`, { dispatcher: plain });
    try {
      assert.equal(await (await get()).text(), 'ok\n');
      await sleep(50);
      await assert.rejects(get(), (error: Error & { cause?: { code?: string } }) => {
        assert.equal(error.cause?.code, 'UND_ERR_SOCKET');
        return true;
      });
    } finally {
      await plain.close();
    }
  });

  it('HttpOut retries an idempotent request once on a new connection', async () => {
    const http = new HttpOut({ allowedOrigins: [origin] });
    seen.length = 0;
    try {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        assert.equal(await (await http.fetch(`${origin}/x`, { method })).text(), 'ok\n');
        await sleep(50);
      }
      assert.deepEqual(seen, [
        { method: 'GET', reused: false }, { method: 'PUT', reused: true }, { method: 'PUT', reused: false },
        { method: 'DELETE', reused: true }, { method: 'DELETE', reused: false },
      ]);
    } finally {
      await http.close();
    }
  });

  it('HttpOut sends POST and PATCH on a fresh connection, never a pooled one, and does not resend them', async () => {
    const http = new HttpOut({ allowedOrigins: [origin] });
    seen.length = 0;
    try {
      assert.equal(await (await http.fetch(`${origin}/x`)).text(), 'ok\n');
      await sleep(50);
      for (const method of ['POST', 'PATCH', 'POST']) {
        assert.equal(await (await http.fetch(`${origin}/x`, { method, body: 'a=1' })).text(), 'ok\n');
      }
      assert.deepEqual(seen.map((s) => s.reused), [false, false, false, false]);
    } finally {
      await http.close();
    }
  });

  it('a broken connection on a retried request that breaks again is ERR_HTTP_UNREACHABLE', async () => {
    const dropAll = createServer((socket) => { socket.once('data', () => socket.destroy()); socket.on('error', () => {}); });
    await new Promise<void>((resolve) => dropAll.listen(0, '127.0.0.1', resolve));
    const dropOrigin = `http://127.0.0.1:${(dropAll.address() as { port: number }).port}`;
    const http = new HttpOut({ allowedOrigins: [dropOrigin] });
    try {
      await assert.rejects(http.fetch(`${dropOrigin}/x`), { code: 'ERR_HTTP_UNREACHABLE' });
    } finally {
      await http.close();
      await new Promise<void>((resolve) => dropAll.close(() => resolve()));
    }
  });
});
