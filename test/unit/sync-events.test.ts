// Role sync's event path over the fakes (src/services/sync-events.ts, docs/sync.md): a home admin
// event names a user, a targeted sync changes just that user in every partner (with the removal
// effects), the broker's own writes are ignored, the checkpoint moves only when the batch is done,
// an unreadable home is retried and never counts as users gone, and the brake applies.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeHomeAdminEvents } from '../../src/adapters/fakes/home.ts';
import { MemoryLogoutStore } from '../../src/adapters/fakes/logout.ts';
import { judgeEvent } from '../../src/core/sync/admin-events.ts';
import { startSyncEventPoller } from '../../src/jobs/sync-event-poller.ts';
import { pollSyncEvents, type SyncEventDeps } from '../../src/services/sync-events.ts';
import { silentLogger } from '../support/logout-fixtures.ts';
import { runSync } from '../../src/services/sync.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { ADMINS, P1, syncWorld, type SyncWorld } from '../support/sync-world.ts';

const ALICE = 'cloud-a-alice-id';
const CAROL = 'cloud-a-carol-id';

interface EventWorld extends SyncWorld { events: FakeHomeAdminEvents; store: MemoryLogoutStore; audit: { action: string; [k: string]: unknown }[]; deps: SyncEventDeps }

async function eventWorld(w: SyncWorld = syncWorld()): Promise<EventWorld> {
  await runSync(w.spec, w.deps);
  const events = new FakeHomeAdminEvents('cloud-a');
  const store = new MemoryLogoutStore();
  const audit: { action: string; [k: string]: unknown }[] = [];
  const quiet = new FakeHomeAdminEvents('other'); // the other homes' realms: no events
  const deps: SyncEventDeps = { ...w.deps, spec: w.spec, adminEvents: (cloud) => (cloud === 'cloud-a' ? events : quiet), store, clock: { now: () => new Date(1000) }, audit: { record: (e) => audit.push(e) } };
  await pollSyncEvents(deps, 'cloud-a'); // the first poll starts at the present
  return { ...w, events, store, audit, deps };
}

const keystoneMember = (w: SyncWorld, cloud: string, uniqueId: string, group: string) => {
  const ks = w.keystones.get(cloud)!;
  return ks.groups.get(group)!.members.has(ks.userId(uniqueId)!);
};

describe('which admin events name a home user', () => {
  const own = new Set(['broker']);
  const event = (resourceType: string, operationType: string, resourcePath: string, authUserId = 'admin') => ({ id: 'e', time: 1, resourceType, operationType, resourcePath, authUserId });
  it('membership added or removed, user created, updated, deleted', () => {
    assert.deepEqual(judgeEvent(event('GROUP_MEMBERSHIP', 'DELETE', 'users/u1/groups/g1'), own), { relevant: true, userId: 'u1', what: 'left a group' });
    assert.deepEqual(judgeEvent(event('GROUP_MEMBERSHIP', 'CREATE', 'users/u1/groups/g1'), own), { relevant: true, userId: 'u1', what: 'joined a group' });
    assert.deepEqual(judgeEvent(event('USER', 'UPDATE', 'users/u2'), own), { relevant: true, userId: 'u2', what: 'updated' });
    assert.deepEqual(judgeEvent(event('USER', 'DELETE', 'users/u3'), own), { relevant: true, userId: 'u3', what: 'deleted' });
    assert.deepEqual(judgeEvent(event('REALM', 'CREATE', 'users/u4'), own), { relevant: true, userId: 'u4', what: 'imported' }, 'a partial import');
  });
  it('ignores the broker\'s own writes and anything that is not a user change', () => {
    assert.deepEqual(judgeEvent(event('GROUP_MEMBERSHIP', 'DELETE', 'users/u1/groups/g1', 'broker'), own), { relevant: false, why: 'own-write' });
    assert.deepEqual(judgeEvent(event('USER', 'ACTION', 'users/u1/reset-password'), own), { relevant: false, why: 'not-a-user-change' });
    assert.deepEqual(judgeEvent(event('GROUP', 'UPDATE', 'groups/g1'), own), { relevant: false, why: 'not-a-user-change' });
    assert.deepEqual(judgeEvent(event('REALM', 'UPDATE', 'users/u4'), own), { relevant: false, why: 'not-a-user-change' });
  });
});

describe('the event path over the fakes', () => {
  it('a membership removed at home: that user only loses the grant in every partner, tokens revoked, audited; the checkpoint moves', async () => {
    const w = await eventWorld();
    w.homes.get('cloud-a')!.addUser('alice', []);
    w.homes.get('cloud-a')!.addUser('carol', [], { enabled: true }); // a change no event names: left to the full sync
    w.events.record(2000, 'DELETE', 'GROUP_MEMBERSHIP', `users/${ALICE}/groups/g-p1`);
    const result = await pollSyncEvents(w.deps, 'cloud-a');
    assert.equal(result.done, true);
    assert.equal(result.handled, 1);
    for (const cloud of ['cloud-b', 'cloud-c']) {
      assert.equal(keystoneMember(w, cloud, 'cloud-a.alice', 'fed-cloud-a/p1-members'), false, `${cloud} Keystone`);
      assert.equal(w.keystones.get(cloud)!.revocations.get(w.keystones.get(cloud)!.userId('cloud-a.alice')!), 1, `${cloud} revoked`);
      assert.equal(keystoneMember(w, cloud, 'cloud-a.carol', 'fed-cloud-a/p1-members'), true, `${cloud}: carol is not named by any event`);
    }
    const realm = w.realms.get('cloud-b')!;
    assert.equal(realm.groupByPath(`/cloud-a:${P1}`)!.members.has(realm.userByName('cloud-a.alice')!.id), false);
    assert.deepEqual(w.audit.filter((a) => a.action === 'sync.event').map((a) => [a['homeUserId'], a['what']]), [[ALICE, 'left a group']]);
    assert.ok(w.audit.filter((a) => a.action === 'sync.change').every((a) => a['result'] === 'applied'));
    assert.ok(w.audit.some((a) => a.action === 'sync.change' && a['op'] === 'revokeTokens' && a['cloud'] === 'cloud-c'));
    assert.deepEqual(await w.store.checkpoint('cloud-a'), { time: 2000, ids: ['ev1'] });
    const writes = w.writes();
    assert.deepEqual(await pollSyncEvents(w.deps, 'cloud-a'), { handled: 0, ignored: 0, changes: 0, stoppedByBrake: false, done: true });
    assert.equal(w.writes(), writes, 'an event is handled once');
  });

  it('ignores the broker\'s own writes into the realm (it is a partner too)', async () => {
    const w = await eventWorld();
    w.homes.get('cloud-a')!.addUser('alice', []);
    w.events.record(2000, 'DELETE', 'GROUP_MEMBERSHIP', `users/${ALICE}/groups/g-p1`, true);
    const result = await pollSyncEvents(w.deps, 'cloud-a');
    assert.deepEqual([result.handled, result.ignored, result.changes], [0, 1, 0]);
    assert.equal(keystoneMember(w, 'cloud-b', 'cloud-a.alice', 'fed-cloud-a/p1-members'), true);
    assert.deepEqual(await w.store.checkpoint('cloud-a'), { time: 2000, ids: ['ev1'] });
  });

  it('disabled and deleted at home: partner users disabled or deleted, sessions ended, grants gone', async () => {
    const w = await eventWorld();
    const realm = w.realms.get('cloud-b')!;
    realm.sessions.set(realm.userByName('cloud-a.carol')!.id, 1);
    w.homes.get('cloud-a')!.addUser('carol', [P1, ADMINS], { enabled: false });
    w.homes.get('cloud-a')!.removeUser('alice');
    w.events.record(2000, 'UPDATE', 'USER', `users/${CAROL}`);
    w.events.record(2001, 'DELETE', 'USER', `users/${ALICE}`);
    assert.equal((await pollSyncEvents(w.deps, 'cloud-a')).handled, 2);
    assert.equal(realm.userByName('cloud-a.carol')!.enabled, false);
    assert.equal(realm.sessions.size, 0);
    assert.equal(realm.userByName('cloud-a.alice'), undefined);
    for (const cloud of ['cloud-b', 'cloud-c']) {
      assert.equal(keystoneMember(w, cloud, 'cloud-a.alice', 'fed-cloud-a/p1-members'), false, `${cloud}: the deleted user's Keystone membership (name from her partner user)`);
      assert.equal(keystoneMember(w, cloud, 'cloud-a.carol', 'fed-cloud-a/p1-admins'), false);
    }
  });

  it('a home that cannot be read keeps the checkpoint and changes nothing; the next tick handles the batch', async () => {
    const w = await eventWorld();
    w.homes.get('cloud-a')!.addUser('alice', []);
    w.events.record(2000, 'DELETE', 'GROUP_MEMBERSHIP', `users/${ALICE}/groups/g-p1`);
    w.homes.get('cloud-a')!.down = true;
    const failed = await pollSyncEvents(w.deps, 'cloud-a');
    assert.equal(failed.done, false);
    assert.equal(keystoneMember(w, 'cloud-b', 'cloud-a.alice', 'fed-cloud-a/p1-members'), true, 'never "users gone"');
    assert.deepEqual(await w.store.checkpoint('cloud-a'), { time: 1000, ids: [] });
    assert.ok(w.audit.some((a) => a.action === 'sync.failed' && a['part'] === 'home' && a['retry'] === true));
    w.homes.get('cloud-a')!.down = false;
    assert.equal((await pollSyncEvents(w.deps, 'cloud-a')).done, true);
    assert.equal(keystoneMember(w, 'cloud-b', 'cloud-a.alice', 'fed-cloud-a/p1-members'), false);
  });

  it('applies the same brake: too many removals stop the batch before writing, reported', async () => {
    const spec = exampleSpec((doc) => { doc.sync = { brake: { maxRemovalPercent: 10, minRemovals: 1 } }; });
    const w = await eventWorld(syncWorld(spec));
    w.homes.get('cloud-a')!.addUser('carol', [], { enabled: false });
    w.events.record(2000, 'UPDATE', 'USER', `users/${CAROL}`);
    const writes = w.writes();
    const result = await pollSyncEvents(w.deps, 'cloud-a');
    assert.equal(result.stoppedByBrake, true);
    assert.equal(w.writes(), writes, 'nothing written');
    assert.ok(w.audit.some((a) => a.action === 'sync.brake'));
    assert.ok(w.audit.filter((a) => a.action === 'sync.change').every((a) => a['result'] === 'braked'));
    assert.deepEqual(await w.store.checkpoint('cloud-a'), { time: 2000, ids: ['ev1'] }, 'passed on to the full sync (--confirm)');
  });

  it('two broker processes polling at once (one store) handle a batch once: the lock', async () => {
    const w = await eventWorld();
    w.homes.get('cloud-a')!.addUser('alice', []);
    w.events.record(2000, 'DELETE', 'GROUP_MEMBERSHIP', `users/${ALICE}/groups/g-p1`);
    // Each process has its own clients (here: the same fakes) and shares Redis (here: one store).
    const pollers = [startSyncEventPoller(w.deps, silentLogger, 5), startSyncEventPoller(w.deps, silentLogger, 5)];
    const deadline = Date.now() + 5000;
    while (w.audit.filter((a) => a.action === 'sync.event').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 100)); // more rounds of both
    for (const p of pollers) await p.stop();
    assert.equal(w.audit.filter((a) => a.action === 'sync.event').length, 1, 'handled once');
    assert.equal(w.keystones.get('cloud-b')!.revocations.get(w.keystones.get('cloud-b')!.userId('cloud-a.alice')!), 1, 'revoked once');
  });
});
