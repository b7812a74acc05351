// One sync per cloud at a time (docs/sync.md "The lease"), over the fakes: a cloud whose lease another
// process holds is reported busy and left alone; a lease lost during a run (taken over, not renewed in
// time, Redis unreachable) stops that cloud's writes before the next one; renewal keeps a long run's
// lease; a stop signal ends the run before its next write; leases are given back at the end.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLeaseStore } from '../../src/adapters/fakes/lease.ts';
import { isBrokerError } from '../../src/core/errors.ts';
import type { LeaseStore, PartnerRealmSyncPort } from '../../src/ports.ts';
import { isInSync, runSync, type SyncReport } from '../../src/services/sync.ts';
import { world, type World } from '../support/sync-fake-world.ts';

const WRITES = new Set(['createUser', 'addMembership', 'removeMembership', 'setEnabled', 'deleteUser']);

/** The partner realm of `cloud`, with `afterWrite(n)` called after its n-th write. */
function hookRealm(w: World, cloud: string, afterWrite: (n: number) => Promise<void> | void): void {
  const realm = w.realms.get(cloud)!;
  let n = 0;
  const hooked = new Proxy(realm, {
    get: (target, prop) => {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (WRITES.has(String(prop))) await afterWrite((n += 1));
        return result;
      };
    },
  }) as PartnerRealmSyncPort;
  const original = w.deps.partnerRealm;
  w.deps = { ...w.deps, partnerRealm: (c) => (c === cloud ? hooked : original(c)) };
}

/** Writes sent into `cloud` so far, realm and Keystone. */
const cloudWrites = (w: World, cloud: string) => w.realms.get(cloud)!.writes + w.keystones.get(cloud)!.writes;

const leaseFailures = (report: SyncReport) => report.failures.filter((f) => f.part === 'lease').map((f) => `${f.cloud} ${isBrokerError(f.error) ? f.error.code : String(f.error)}`);

describe('role sync holds one lease per partner cloud', () => {
  it('a cloud whose lease another process holds is reported ERR_SYNC_BUSY and not written; the other clouds are synced', async () => {
    const w = world();
    assert.equal(await w.leases.acquire('cloud-b', 'other-process', 60_000), true);
    const report = await runSync(w.spec, w.deps);
    assert.deepEqual(leaseFailures(report), ['cloud-b ERR_SYNC_BUSY']);
    assert.ok(!report.targets.some((t) => t.partner === 'cloud-b'), 'cloud-b is not even observed');
    assert.equal(w.realms.get('cloud-b')!.writes + w.keystones.get('cloud-b')!.writes, 0);
    assert.ok(w.realms.get('cloud-c')!.writes > 0 && w.keystones.get('cloud-c')!.writes > 0);
    assert.equal(w.leases.holder('cloud-b'), 'other-process', 'the other process keeps its lease');
    assert.equal(w.leases.holder('cloud-c'), undefined, 'the run gave its leases back');
  });

  it('a lease taken over during the run stops that cloud before its next write (ERR_SYNC_LEASE_LOST); other clouds finish; the next run completes it', async () => {
    const w = world();
    let atLoss = -1;
    hookRealm(w, 'cloud-b', async (n) => {
      if (n !== 2) return;
      const token = w.leases.holder('cloud-b')!;
      await w.leases.release('cloud-b', token);
      await w.leases.acquire('cloud-b', 'new-holder', 60_000);
      atLoss = cloudWrites(w, 'cloud-b');
    });
    const report = await runSync(w.spec, w.deps);
    assert.deepEqual(leaseFailures(report), ['cloud-b ERR_SYNC_LEASE_LOST']);
    assert.ok(atLoss >= 2);
    assert.equal(cloudWrites(w, 'cloud-b'), atLoss, 'not one write into cloud-b (realm or Keystone) sent after the lease was lost');
    assert.ok(w.keystones.get('cloud-c')!.writes > 0);
    assert.equal(w.leases.holder('cloud-b'), 'new-holder', 'the lost lease is not released: it is the new holder\'s');
    await w.leases.release('cloud-b', 'new-holder');
    const next = await runSync(w.spec, w.deps);
    assert.deepEqual(next.failures, []);
    assert.ok(isInSync(await runSync(w.spec, w.deps)));
  });

  it('a lease not renewed in time is lost by the local deadline even while Redis still shows it', async () => {
    const w = world();
    let now = 0;
    const clock = { now: () => new Date(now) };
    const inner = new MemoryLeaseStore(clock);
    const store: LeaseStore = { acquire: (...a) => inner.acquire(...a), holds: (...a) => inner.holds(...a), release: (...a) => inner.release(...a),
      renew: async () => { throw new Error('Redis unreachable for renewals'); } };
    w.deps = { ...w.deps, leases: { ...w.deps.leases!, store, clock, ids: { newId: () => 'tok' }, ttlMs: 1000 } };
    hookRealm(w, 'cloud-b', () => { now += 300; });
    const report = await runSync(w.spec, w.deps, { clouds: ['cloud-b'] });
    assert.deepEqual(leaseFailures(report), ['cloud-b ERR_SYNC_LEASE_LOST']);
    assert.match(String((report.failures[0]!.error as Error).message), /not renewed in time/);
    // Two users (alice, carol of cloud-a) are written side by side: their checks at 0 ms and at 600 ms pass;
    // at 1200 ms (four writes later) the lease (TTL 1000 ms, margin 200 ms) is no longer trusted.
    assert.equal(w.realms.get('cloud-b')!.writes, 4);
  });

  it('Redis unreachable at a check: the lease counts as lost, nothing more is written there', async () => {
    const w = world();
    let atLoss = -1;
    hookRealm(w, 'cloud-b', (n) => { if (n === 1) { w.leases.down = true; atLoss = cloudWrites(w, 'cloud-b'); } });
    const report = await runSync(w.spec, w.deps, { clouds: ['cloud-b'] });
    assert.deepEqual(leaseFailures(report), ['cloud-b ERR_SYNC_LEASE_LOST']);
    // The writes sent before Redis went away finish; nothing is sent after.
    assert.ok(atLoss >= 1);
    assert.equal(cloudWrites(w, 'cloud-b'), atLoss);
  });

  it('renewal keeps the lease through a run longer than its TTL', async () => {
    const w = world();
    // A TTL long enough that a loaded machine's event-loop delays do not eat the renewal margin.
    w.deps = { ...w.deps, leases: { ...w.deps.leases!, ttlMs: 1500 } };
    hookRealm(w, 'cloud-b', () => new Promise((r) => setTimeout(r, 800)));
    const started = Date.now();
    const report = await runSync(w.spec, w.deps, { clouds: ['cloud-b'] });
    const took = Date.now() - started;
    assert.ok(took > 3000, `the run took ${took} ms, more than twice the TTL`);
    assert.deepEqual(report.failures, []);
    assert.ok(isInSync(await runSync(w.spec, w.deps, { clouds: ['cloud-b'] })));
  });

  it('a stop signal ends the run before its next write (the write under way finishes); the leases are given back', async () => {
    const w = world();
    const stop = new AbortController();
    let atStop = -1;
    hookRealm(w, 'cloud-b', (n) => { if (n === 2) { stop.abort(); atStop = w.writes(); } });
    const report = await runSync(w.spec, w.deps, { clouds: ['cloud-b'], signal: stop.signal });
    assert.equal(report.stopped, true);
    assert.ok(atStop >= 2);
    assert.equal(w.writes(), atStop, 'no write sent after the signal');
    assert.equal(w.leases.holder('cloud-b'), undefined);
    const finished = await runSync(w.spec, w.deps, { clouds: ['cloud-b'] });
    assert.equal(finished.stopped, false);
    assert.ok(isInSync(await runSync(w.spec, w.deps, { clouds: ['cloud-b'] })));
  });

  it('a run that writes refuses to start without the lease store; a dry run needs none', async () => {
    const w = world();
    const { leases: _leases, ...withoutLeases } = w.deps;
    await assert.rejects(runSync(w.spec, withoutLeases), (e) => isBrokerError(e, 'ERR_CONFIG_INVALID'));
    assert.equal(w.writes(), 0);
    const dry = await runSync(w.spec, withoutLeases, { dryRun: true });
    assert.ok(dry.targets.some((t) => t.changes.length > 0));
  });
});
