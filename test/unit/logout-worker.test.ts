// The logout workers are wired in src/jobs (jobs/logout-worker.ts): warm-up first, then the delivery
// worker on the queue and, unless the interval is 0, the LOGOUT-event poller. The CLI only starts
// and stops them. Over the fakes of test/support/logout-fixtures.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { MemoryDeliveryQueue } from '../../src/adapters/fakes/logout.ts';
import { startLogoutWorkers } from '../../src/jobs/logout-worker.ts';
import { adminLogout, logoutReport } from '../../src/services/logout/admin.ts';
import type { LogoutDeps } from '../../src/services/logout/deps.ts';
import { logoutWorld, silentLogger } from '../support/logout-fixtures.ts';

/** The world's deps with a queue no worker serves yet, and the poll locks the store is asked for. */
async function unservedWorld() {
  const world = await logoutWorld();
  const queue = new MemoryDeliveryQueue({ firstDelayMs: 5, maxDelayMs: 20, maxAttempts: 50 });
  const pollLocks: string[] = [];
  const store = world.deps.store;
  const claimOnce = store.claimOnce.bind(store);
  store.claimOnce = (key, ttl) => { if (key.startsWith('poll-lock/')) pollLocks.push(key); return claimOnce(key, ttl); };
  const deps: LogoutDeps = { ...world.deps, queue };
  return { world, queue, deps, pollLocks };
}

describe('logout workers (src/jobs)', () => {
  it('warm up before they serve, then deliver queued logouts', async () => {
    const { world, queue, deps } = await unservedWorld();
    const started = await adminLogout(deps, 'cloud-a', 'alice');
    assert.equal((await logoutReport(deps, started.eventId)).outcome, 'pending', 'nothing delivers before the workers start');
    const workers = await startLogoutWorkers(deps, silentLogger, { pollIntervalMs: 0 });
    assert.deepEqual([...world.jwksFetches.byCloud].sort(), deps.issuers.map((i) => i.cloud).sort(), 'every realm\'s keys fetched at start');
    await queue.idle();
    assert.equal((await logoutReport(deps, started.eventId)).outcome, 'delivered');
    await workers.stop();
  });

  it('poll every realm\'s LOGOUT events when the interval is not 0, and stop polling on stop()', async () => {
    const { deps, pollLocks } = await unservedWorld();
    const workers = await startLogoutWorkers(deps, silentLogger, { pollIntervalMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await workers.stop();
    assert.deepEqual([...new Set(pollLocks)].sort(), deps.spec.clouds.map((c) => `poll-lock/${c.alias}`).sort());
    const rounds = pollLocks.length;
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(pollLocks.length, rounds, 'no round after stop');
  });

  it('do not poll with interval 0', async () => {
    const { deps, pollLocks } = await unservedWorld();
    const workers = await startLogoutWorkers(deps, silentLogger, { pollIntervalMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await workers.stop();
    assert.deepEqual(pollLocks, []);
  });

  it('the CLI wires no worker itself: it only calls src/jobs', () => {
    const cliDir = new URL('../../src/cli/', import.meta.url);
    for (const file of readdirSync(cliDir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(new URL(file, cliDir), 'utf8');
      assert.doesNotMatch(text, /services\/logout\/(deliver|warm-up)\.ts|jobs\/logout-poller\.ts|\.process\(/, `${file} wires a worker`);
    }
  });
});
