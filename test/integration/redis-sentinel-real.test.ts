// Redis Sentinel (the high-availability setup docs/deployment.md describes): a primary, a replica and a
// sentinel of their own, real redis-server processes on loopback ports of this test. The logout store
// and delivery queue contracts pass through a redis+sentinel:// URL; then the sentinel fails over to the
// replica and the same clients follow it: what was written before is there, writes and deliveries go on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BullDeliveryQueue } from '../../src/adapters/queue/bullmq-delivery-queue.ts';
import { closeRedis, connectRedis, RedisLogoutStore } from '../../src/adapters/redis/logout-store.ts';
import type { LogoutEventRecord } from '../../src/core/logout/report.ts';
import type { DeliveryJob } from '../../src/ports.ts';
import { deliveryQueueContract, logoutStoreContract } from '../contract/logout-ports.contract.ts';
import { waitFor } from '../support/broker-process.ts';

const PRIMARY = 16390;
const REPLICA = 16391;
const SENTINEL = 26390;
const MASTER = 'fedbroker';
const URL_ = `redis+sentinel://127.0.0.1:${SENTINEL}/${MASTER}`;
const dir = mkdtempSync(join(tmpdir(), 'fedbroker-sentinel-'));
const processes: ChildProcess[] = [];

function cli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' }).trim();
}

function server(name: string, args: string[]): void {
  const child = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (c: Buffer) => process.stderr.write(`[${name}] ${c}`));
  processes.push(child);
}

function masterPort(): number {
  return Number(cli(SENTINEL, 'SENTINEL', 'get-master-addr-by-name', MASTER).split('\n')[1]);
}

before(async () => {
  for (const [port, extra] of [[PRIMARY, []], [REPLICA, ['--replicaof', '127.0.0.1', String(PRIMARY)]]] as const) {
    server(`redis ${port}`, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `dump-${port}.rdb`,
      '--appendonly', 'yes', '--appendfilename', `aof-${port}.aof`, '--appenddirname', `aof-${port}`, '--save', '', ...extra]);
  }
  writeFileSync(join(dir, 'sentinel.conf'), [`port ${SENTINEL}`, 'bind 127.0.0.1', `dir ${dir}`,
    `sentinel monitor ${MASTER} 127.0.0.1 ${PRIMARY} 1`, `sentinel down-after-milliseconds ${MASTER} 1000`, `sentinel failover-timeout ${MASTER} 10000`, ''].join('\n'));
  server('sentinel', [join(dir, 'sentinel.conf'), '--sentinel']);
  await waitFor('the replica in sync and known to the sentinel', async () => {
    try {
      return /master_link_status:up/.test(cli(REPLICA, 'INFO', 'replication')) && cli(SENTINEL, 'SENTINEL', 'replicas', MASTER).includes(String(REPLICA));
    } catch { return false; }
  }, 30_000, 200);
});

after(() => {
  for (const p of processes) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

let storeClients: Awaited<ReturnType<typeof connectRedis>>[] = [];
after(async () => { for (const c of storeClients) await closeRedis(c); storeClients = []; });

logoutStoreContract('redis via sentinel', async () => {
  const client = await connectRedis(URL_);
  storeClients.push(client);
  return new RedisLogoutStore(client, `fedbroker:sentinel-test:${Date.now()}`);
});
deliveryQueueContract('bullmq via sentinel', async () => new BullDeliveryQueue(URL_, { name: `fedbroker-sentinel-${Date.now()}`, backoff: { firstDelayMs: 20, maxDelayMs: 50, maxAttempts: 10 } }));

function eventRecord(id: string): LogoutEventRecord {
  return { id, source: 'admin', cloud: 'cloud-a', subject: { homeCloud: 'cloud-a', homeSub: `sub-${id}`, homeUsername: 'alice' }, receivedAt: Date.now(), loggedOutAt: Date.now(),
    correlationId: id, targets: [{ system: 'keycloak', cloud: 'cloud-b' }] } as LogoutEventRecord;
}

describe('a Sentinel failover', () => {
  it('the clients follow the new primary: earlier writes are there, writes and deliveries go on', async () => {
    const client = await connectRedis(URL_);
    const store = new RedisLogoutStore(client, `fedbroker:failover:${Date.now()}`);
    const queue = new BullDeliveryQueue(URL_, { name: `fedbroker-failover-${Date.now()}` });
    const delivered: string[] = [];
    queue.process(async (job: DeliveryJob) => { delivered.push(job.key); });
    try {
      assert.equal(masterPort(), PRIMARY);
      assert.equal(await store.createEvent(eventRecord('before')), true);
      await queue.enqueue([{ key: 'job-before', eventId: 'before', target: { system: 'keycloak', cloud: 'cloud-b' } }]);
      await waitFor('the first delivery', async () => delivered.includes('job-before'), 10_000);
      cli(PRIMARY, 'WAIT', '1', '2000'); // replicated before the switch (replication is asynchronous)

      const started = Date.now();
      assert.equal(cli(SENTINEL, 'SENTINEL', 'FAILOVER', MASTER), 'OK');
      await waitFor('the sentinel names the replica as primary', async () => masterPort() === REPLICA, 20_000, 100);
      // The same clients: the store fails fast while it reconnects, then writes go to the new primary.
      await waitFor('a write through the store after the failover', async () => store.createEvent(eventRecord('after')).catch(() => false), 20_000, 100);
      const writableAfterMs = Date.now() - started;
      assert.equal(/role:master/.test(cli(REPLICA, 'INFO', 'replication')), true, 'the write went to the new primary');
      assert.equal((await store.event('before'))?.id, 'before', 'the event written before the failover is there');
      await queue.enqueue([{ key: 'job-after', eventId: 'after', target: { system: 'keycloak', cloud: 'cloud-b' } }]);
      await waitFor('a delivery after the failover', async () => delivered.includes('job-after'), 20_000);
      console.log(`sentinel failover: the store wrote again ${writableAfterMs} ms after SENTINEL FAILOVER; deliveries went on`);
    } finally {
      await queue.close();
      await closeRedis(client);
    }
  });
});
