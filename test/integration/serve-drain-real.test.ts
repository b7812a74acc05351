/**
 * A stopping broker loses no delivery (docs/deployment.md#stopping-and-rolling-updates), on the test
 * bed's Redis and a real `fedbroker serve`:
 * - a delivery still running when the grace period ends is handed back: once the draining worker is
 *   closed its lock lapses and another worker of the same queue delivers it;
 * - `serve` on SIGTERM logs that it drained and exits 0 within its grace period.
 * Needs the test bed (Redis, Keycloak, Keystone); fails loudly without it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BullDeliveryQueue } from '../../src/adapters/queue/bullmq-delivery-queue.ts';
import { loadTestbed, testbedDir, testbedFetch } from '../support/testbed.ts';

const testbed = loadTestbed();
const ROOT = new URL('../..', import.meta.url).pathname;

describe('stopping without losing deliveries', () => {
  it('a delivery cut by the end of the grace period is delivered by another worker', async () => {
    const name = `fedbroker-drain-test-${Date.now()}`;
    const first = new BullDeliveryQueue(testbed.redis.url, { name, lockMs: 500 });
    const second = new BullDeliveryQueue(testbed.redis.url, { name, lockMs: 500 });
    let startedOnFirst!: () => void;
    const started = new Promise<void>((resolve) => { startedOnFirst = resolve; });
    let deliveredBySecond!: (key: string) => void;
    const delivered = new Promise<string>((resolve) => { deliveredBySecond = resolve; });
    try {
      first.process(async () => { startedOnFirst(); await new Promise(() => undefined); });
      const key = `${name}-target`;
      await first.enqueue([{ key, eventId: name, target: { system: 'keycloak', cloud: 'cloud-a' } }]);
      await started;
      assert.equal(await first.drain(200), false);
      second.process(async (job) => { deliveredBySecond(job.key); });
      const t0 = Date.now();
      const winner = await Promise.race([delivered, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('not handed back within 10 s')), 10_000))]);
      assert.equal(winner, key);
      console.log(`handed back and delivered ${Date.now() - t0} ms after the drain (lock 500 ms)`);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('serve on SIGTERM drains and exits 0 within its grace period', async () => {
    const ca = join(testbedDir(), 'ca');
    const child = spawn(process.execPath, [join(ROOT, 'bin/fedbroker.mjs'), 'serve', '--spec', join(ROOT, 'config/federation.example.yaml'),
      '--tls-cert', join(ca, 'server.pem'), '--tls-key', join(ca, 'server.key'), '--redis', testbed.redis.url, '--listen', '127.0.0.1:17451',
      '--sync-interval', '0', '--sync-event-interval', '0', '--shutdown-grace', '3000'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      for (const deadline = Date.now() + 30_000; !out.includes('"fedbroker serving"');) {
        assert.ok(child.exitCode === null && Date.now() < deadline, `serve did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal((await testbedFetch('https://127.0.0.1:17451/readyz')).status, 200);
      const t0 = Date.now();
      child.kill('SIGTERM');
      assert.equal(await exited, 0, out);
      const took = Date.now() - t0;
      assert.ok(took < 3000 + 2000, `exit took ${took} ms`);
      const stopped = out.split('\n').filter((l) => l.includes('"fedbroker stopped')).map((l) => JSON.parse(l) as { drained: boolean; late: string[] });
      assert.equal(stopped.length, 1, out);
      assert.equal(stopped[0]!.drained, true, out);
      assert.deepEqual(stopped[0]!.late, []);
      console.log(`serve stopped ${took} ms after SIGTERM`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
