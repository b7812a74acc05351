// Removal effects survive an interrupted run (docs/sync.md, "Removal effects"): a run stopped between
// a removal and its effects leaves them in the journal and the next run does them first; an entry is
// cleared once done; a damaged entry or an unreachable journal is reported and nothing is lost.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/core/errors.ts';
import type { KeystoneSyncPort } from '../../src/ports.ts';
import { isInSync, runSync, type SyncReport } from '../../src/services/sync.ts';
import { memoryLeases } from '../support/sync-fake-world.ts';
import { changesOf, syncWorld, type SyncWorld } from '../support/sync-world.ts';

const failureCodes = (r: SyncReport) => r.failures.map((f) => `${f.cloud} ${f.part} ${isBrokerError(f.error) ? f.error.code : String(f.error)}`);

/** A world synced once, its journal, and alice removed from p1 members at home. */
async function aliceRemoved(): Promise<{ w: SyncWorld; journal: ReturnType<typeof memoryLeases>['journal'] }> {
  const w = syncWorld();
  const leases = memoryLeases();
  w.deps = { ...w.deps, leases };
  await runSync(w.spec, w.deps);
  w.homes.get('cloud-a')!.addUser('alice', []);
  return { w, journal: leases.journal };
}

/** cloud-b's Keystone with some calls replaced. */
function overrideKeystone(w: SyncWorld, overrides: Partial<KeystoneSyncPort>): void {
  const port = w.keystones.get('cloud-b')!;
  const bound = Object.fromEntries((['observe', 'observeGroups', 'createFederatedUser', 'addMembership', 'removeMembership', 'federatedUsers', 'deleteUser', 'revokeTokens', 'deleteApplicationCredentials'] as const)
    .map((m) => [m, port[m].bind(port)]));
  const hooked = { cloud: port.cloud, ...bound, ...overrides } as KeystoneSyncPort;
  const original = w.deps.keystone;
  w.deps = { ...w.deps, keystone: (c) => (c === 'cloud-b' ? hooked : original(c)) };
}

/** cloud-b's Keystone calling `after` once its removeMembership returned. */
function afterKeystoneRemoval(w: SyncWorld, after: () => void): void {
  const port = w.keystones.get('cloud-b')!;
  overrideKeystone(w, { removeMembership: async (u, g) => { await port.removeMembership(u, g); after(); } });
}

describe('the removal effect journal', () => {
  it('a run stopped between a removal and its effects leaves them; the next run revokes and deletes credentials first, then clears the entry', async () => {
    const { w, journal } = await aliceRemoved();
    const ks = w.keystones.get('cloud-b')!;
    const alice = ks.userId('cloud-a.alice')!;
    ks.addApplicationCredential(alice);
    const stop = new AbortController();
    const realKeystone = w.deps.keystone;
    afterKeystoneRemoval(w, () => stop.abort());
    const stopped = await runSync(w.spec, w.deps, { clouds: ['cloud-b'], signal: stop.signal });
    assert.equal(stopped.stopped, true);
    assert.equal(ks.revocations.get(alice), undefined, 'the run stopped before the effects');
    assert.equal(ks.applicationCredentials.get(alice)?.size, 1);
    assert.deepEqual((await journal.pending('cloud-b')).map((e) => e.key), [`keystone:${alice}`]);

    w.deps = { ...w.deps, keystone: realKeystone };
    const next = await runSync(w.spec, w.deps, { clouds: ['cloud-b'] });
    assert.deepEqual(next.failures, []);
    assert.deepEqual(changesOf(next, 'cloud-b', 'keystone').slice(0, 2), ['revokeTokens cloud-a.alice', 'deleteApplicationCredentials cloud-a.alice']);
    assert.match(next.targets[0]!.changes[0]!.reason, /left undone by an interrupted run/);
    assert.equal(ks.revocations.get(alice), 1);
    assert.equal(ks.applicationCredentials.get(alice), undefined);
    assert.deepEqual(await journal.pending('cloud-b'), [], 'done: cleared');
    const before = w.writes();
    assert.ok(isInSync(await runSync(w.spec, w.deps, { clouds: ['cloud-b'] })));
    assert.equal(w.writes(), before, 'and a run after that writes nothing');
  });

  it('a finished run leaves the journal empty; a run without removals writes nothing to it', async () => {
    const { w, journal } = await aliceRemoved();
    let recorded = 0;
    const record = journal.record.bind(journal);
    journal.record = async (cloud, entry) => { recorded += 1; await record(cloud, entry); };
    await runSync(w.spec, w.deps);
    assert.equal(recorded, 2, 'alice in the Keystones of cloud-b and cloud-c');
    assert.deepEqual([await journal.pending('cloud-b'), await journal.pending('cloud-c')], [[], []]);
    await runSync(w.spec, w.deps);
    assert.equal(recorded, 2);
  });

  it('an effect that fails keeps its entry for the next run', async () => {
    const { w, journal } = await aliceRemoved();
    const port = w.keystones.get('cloud-b')!;
    const original = w.deps.keystone;
    overrideKeystone(w, { revokeTokens: async () => { throw new Error('Keystone answered 503'); } });
    const report = await runSync(w.spec, w.deps, { clouds: ['cloud-b'] });
    assert.deepEqual(report.failures.map((f) => `${f.cloud} ${f.system} ${f.part}`), ['cloud-b keystone apply']);
    assert.equal((await journal.pending('cloud-b')).length, 1);
    w.deps = { ...w.deps, keystone: original };
    await runSync(w.spec, w.deps, { clouds: ['cloud-b'] });
    assert.equal(port.revocations.get(port.userId('cloud-a.alice')!), 1);
    assert.deepEqual(await journal.pending('cloud-b'), []);
  });

  it('a damaged entry is reported (ERR_SYNC_JOURNAL_INVALID) and left; the rest of the run goes on', async () => {
    const { w, journal } = await aliceRemoved();
    journal.entries.set('cloud-b', new Map([['keystone:k-broken', '{"key":']]));
    const report = await runSync(w.spec, w.deps);
    assert.deepEqual(failureCodes(report), ['cloud-b journal ERR_SYNC_JOURNAL_INVALID']);
    assert.equal(w.keystones.get('cloud-b')!.revocations.get(w.keystones.get('cloud-b')!.userId('cloud-a.alice')!), 1, 'alice is still revoked');
    assert.equal(journal.entries.get('cloud-b')!.get('keystone:k-broken'), '{"key":');
  });

  it('the journal unreachable when a user\'s entry is to be recorded: her changes are not written, the failure is reported', async () => {
    const { w, journal } = await aliceRemoved();
    journal.down = true;
    const before = w.keystones.get('cloud-b')!.writes;
    const report = await runSync(w.spec, w.deps, { clouds: ['cloud-b'] });
    assert.deepEqual(failureCodes(report), ['cloud-b journal ERR_QUEUE_UNAVAILABLE']);
    assert.equal(w.keystones.get('cloud-b')!.writes, before, 'no removal without its journal entry');
    assert.ok(changesOf(report, 'cloud-b', 'keycloak').includes('removeMembership cloud-a.alice /cloud-a:/projects/p1/members'), 'shown');
    journal.down = false;
    await runSync(w.spec, w.deps, { clouds: ['cloud-b'] });
    assert.ok(isInSync(await runSync(w.spec, w.deps, { clouds: ['cloud-b'] })));
  });
});
