/**
 * How a broker stops (src/jobs/drain.ts, src/cli/serve-drain.ts): every part stops taking work and
 * finishes at once within the grace period, parts still busy at its end are forced, clients are
 * released last; the HTTP listener answers the requests under way and refuses new connections.
 * The Redis queue's drain and a real `serve` on SIGTERM: test/integration/serve-drain-real.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drain, type DrainTimers } from '../../src/jobs/drain.ts';
import { closeServer } from '../../src/cli/serve-drain.ts';
import { MemoryDeliveryQueue } from '../../src/adapters/fakes/logout.ts';

const realTimers: DrainTimers = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
const step = (name: string, log: string[], ms = 0) => ({ name, run: async () => { log.push(`${name}:start`); await new Promise((r) => setTimeout(r, ms)); log.push(`${name}:end`); } });

describe('drain', () => {
  it('runs the finishing steps together, then releases in order; nothing is forced when they finish in time', async () => {
    const log: string[] = [];
    const result = await drain({ finish: [step('http', log, 30), step('queue', log, 10)], force: [step('force', log)], release: [step('clients', log), step('redis', log)] }, 1000, realTimers);
    assert.deepEqual(result.late, []);
    assert.equal(result.drained, true);
    assert.deepEqual(log.slice(0, 2), ['http:start', 'queue:start']);
    assert.deepEqual(log.slice(-4), ['clients:start', 'clients:end', 'redis:start', 'redis:end']);
    assert.ok(!log.includes('force:start'));
  });

  it('at the end of the grace period forces, names the late steps, and still releases', async () => {
    const log: string[] = [];
    const t0 = Date.now();
    const result = await drain({ finish: [step('http', log), { name: 'deliveries', run: () => new Promise<void>(() => undefined) }], force: [step('force', log)], release: [step('clients', log)] }, 100, realTimers);
    const took = Date.now() - t0;
    assert.equal(result.drained, false);
    assert.deepEqual(result.late, ['deliveries']);
    assert.ok(log.includes('force:end') && log.includes('clients:end'));
    assert.ok(took >= 90 && took < 1000, `took ${took} ms`);
  });

  it('a failing step is reported with its code and the others still run', async () => {
    const log: string[] = [];
    const failing = { name: 'sync job', run: () => Promise.reject(Object.assign(new Error('x'), { code: 'ERR_SYNC_LEASE_LOST' })) };
    const result = await drain({ finish: [failing, step('http', log)], force: [], release: [step('clients', log)] }, 1000, realTimers);
    assert.equal(result.drained, false);
    assert.deepEqual(result.failed, [{ step: 'sync job', error: 'ERR_SYNC_LEASE_LOST' }]);
    assert.ok(log.includes('http:end') && log.includes('clients:end'));
  });
});

describe('MemoryDeliveryQueue.drain', () => {
  it('keeps jobs enqueued during the drain for later (handed back), runs none of them', async () => {
    const queue = new MemoryDeliveryQueue();
    const ran: string[] = [];
    queue.process(async (job) => { await new Promise((r) => setTimeout(r, 50)); ran.push(job.key); });
    await queue.enqueue([{ key: 'a', eventId: 'e', target: { system: 'keycloak', cloud: 'cloud-a' } }]);
    const draining = queue.drain(1000);
    await queue.enqueue([{ key: 'b', eventId: 'e', target: { system: 'keycloak', cloud: 'cloud-b' } }]);
    assert.equal(await draining, true);
    assert.deepEqual(ran, ['a']);
    assert.deepEqual(queue.backlog.map((j) => j.key), ['b']);
  });
});

describe('closeServer', () => {
  async function listening(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, port: (server.address() as AddressInfo).port };
  }
  const get = (port: number, path: string, agent: Agent | false = false) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = ''; res.on('data', (c: Buffer) => { body += c.toString(); }); res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });

  it('answers the request under way, refuses new connections, and resolves without waiting for keep-alive timeouts', async () => {
    const { server, port } = await listening((req, res) => { setTimeout(() => res.end(`done ${req.url}`), req.url === '/slow' ? 300 : 0); });
    server.keepAliveTimeout = 60_000;
    const keepAlive = new Agent({ keepAlive: true });
    const slow = get(port, '/slow', keepAlive);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    const closed = closeServer(server);
    await assert.rejects(get(port, '/new'), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
    assert.deepEqual(await slow, { status: 200, body: 'done /slow' });
    await closed;
    assert.ok(Date.now() - t0 < 2000, `closing took ${Date.now() - t0} ms`);
    keepAlive.destroy();
  });
});
