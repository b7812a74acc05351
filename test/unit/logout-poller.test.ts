// The LOGOUT-event catch-all (services/logout/poll) with fakes: its durable checkpoint makes every
// realm event start (or join) exactly one logout across restarts, also when the poller dies in the
// middle of a page and when many events share one millisecond across a page boundary.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BrokerError } from '../../src/core/errors.ts';
import { eventIdFor } from '../../src/core/logout/subject.ts';
import type { FakeKeycloakSessions } from '../../src/adapters/fakes/logout.ts';
import type { EventCheckpoint, LogoutStore } from '../../src/ports.ts';
import type { LogoutDeps } from '../../src/services/logout/deps.ts';
import { pollLogoutEvents } from '../../src/services/logout/poll.ts';
import { logoutWorld, type LogoutWorld } from '../support/logout-fixtures.ts';

const CLOUD = 'cloud-b';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** 250 LOGOUT events of cloud-a.alice in cloud-b (2.5 pages); events 95..109 share one millisecond. */
function addEvents(realm: FakeKeycloakSessions): string[] {
  const ids: string[] = [];
  for (let i = 0; i < 250; i += 1) {
    const id = `ev-${String(i).padStart(3, '0')}`;
    const time = i >= 95 && i < 110 ? T0 + 95 : T0 + i;
    realm.events.push({ realm: CLOUD, id, time, userId: `${CLOUD}-alice-id`, sessionId: `sid-${id}` });
    ids.push(id);
  }
  return ids;
}

/** Every realm event id that started a logout or joined one (each must appear exactly once). */
function handled(world: LogoutWorld): string[] {
  const realm = world.keycloak.get(CLOUD) as FakeKeycloakSessions;
  const byEventId = new Map(realm.events.map((e) => [eventIdFor({ source: 'keycloak-event', cloud: CLOUD, ref: e.id }), e.id]));
  return world.audit.flatMap((a) => {
    const ref = a.action === 'logout.started' ? a['eventId'] : a.action === 'logout.coalesced' ? a['signal'] : undefined;
    const id = typeof ref === 'string' ? byEventId.get(ref) : undefined;
    return id === undefined ? [] : [id];
  });
}

/** The store, dying (as the process would) on the n-th checkpoint save, i.e. after that event's logout started. */
function dyingStore(store: LogoutStore, saves: number): LogoutStore {
  let n = 0;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'saveCheckpoint') {
        return async (cloud: string, checkpoint: EventCheckpoint) => {
          n += 1;
          if (n === saves) throw new BrokerError('ERR_QUEUE_UNAVAILABLE', 'the broker died here');
          return target.saveCheckpoint(cloud, checkpoint);
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('LOGOUT-event poller checkpoint', () => {
  let world: LogoutWorld;
  let realm: FakeKeycloakSessions;
  beforeEach(async () => {
    world = await logoutWorld();
    realm = world.keycloak.get(CLOUD) as FakeKeycloakSessions;
    world.now.ms = T0 - 1000;
  });

  it('the first run only sets the checkpoint to now: history is not replayed', async () => {
    realm.events.push({ realm: CLOUD, id: 'old', time: T0 - 5000, userId: `${CLOUD}-alice-id` });
    assert.deepEqual(await pollLogoutEvents(world.deps, CLOUD), { started: 0, coalesced: 0, failed: 0 });
    assert.deepEqual(await world.store.checkpoint(CLOUD), { time: T0 - 1000, ids: [] });
    assert.deepEqual(await pollLogoutEvents(world.deps, CLOUD), { started: 0, coalesced: 0, failed: 0 });
    assert.deepEqual(handled(world), []);
  });

  it('processes 2.5 pages in order, then nothing again', async () => {
    await pollLogoutEvents(world.deps, CLOUD);
    const ids = addEvents(realm);
    const result = await pollLogoutEvents(world.deps, CLOUD);
    assert.equal(result.started + result.coalesced, 250);
    assert.deepEqual(handled(world), ids);
    assert.deepEqual(await world.store.checkpoint(CLOUD), { time: T0 + 249, ids: ['ev-249'] });
    assert.deepEqual(await pollLogoutEvents(world.deps, CLOUD), { started: 0, coalesced: 0, failed: 0 });
    await world.queue.idle();
  });

  for (const deathAt of [1, 42, 100, 101, 103, 110, 201]) {
    it(`restart after the poller died at event ${deathAt} (mid-page, same-millisecond run included): none skipped, none twice`, async () => {
      await pollLogoutEvents(world.deps, CLOUD);
      const ids = addEvents(realm);
      const dying: LogoutDeps = { ...world.deps, store: dyingStore(world.store, deathAt) };
      await assert.rejects(pollLogoutEvents(dying, CLOUD), { code: 'ERR_QUEUE_UNAVAILABLE' });
      assert.equal(handled(world).length, deathAt, 'events up to the one being checkpointed were started');
      // The restarted broker: same durable store, new poller. The event whose checkpoint was lost is
      // seen again: its logout id is deterministic, so it neither starts nor joins a second time.
      const result = await pollLogoutEvents(world.deps, CLOUD);
      assert.equal(result.started + result.coalesced, 250 - deathAt + 1);
      assert.deepEqual(handled(world), ids);
      assert.deepEqual((await world.store.checkpoint(CLOUD))?.time, T0 + 249);
      await world.queue.idle();
    });
  }

  it('a realm that fails mid-page stops the poll; the next round goes on where it stopped', async () => {
    await pollLogoutEvents(world.deps, CLOUD);
    const ids = addEvents(realm);
    const userById = realm.userById.bind(realm);
    let calls = 0;
    realm.userById = async (r, id) => {
      calls += 1;
      if (calls === 150) throw new BrokerError('ERR_HTTP_UNREACHABLE', 'Keycloak went away');
      return userById(r, id);
    };
    await assert.rejects(pollLogoutEvents(world.deps, CLOUD), { code: 'ERR_HTTP_UNREACHABLE' });
    await pollLogoutEvents(world.deps, CLOUD);
    assert.deepEqual(handled(world), ids);
    await world.queue.idle();
  });

  it('an event whose user cannot be resolved is audited as unresolved and passed, not retried forever', async () => {
    await pollLogoutEvents(world.deps, CLOUD);
    realm.addUser(CLOUD, { id: 'orphan', username: 'cloud-a.orphan', attributes: { home_cloud: ['cloud-a'] }, federatedIdentities: [] });
    realm.events.push({ realm: CLOUD, id: 'ev-orphan', time: T0 + 1, userId: 'orphan' }, { realm: CLOUD, id: 'ev-ok', time: T0 + 2, userId: `${CLOUD}-alice-id` });
    assert.deepEqual(await pollLogoutEvents(world.deps, CLOUD), { started: 1, coalesced: 0, failed: 1 });
    assert.ok(world.audit.some((a) => a.action === 'logout.unresolved' && a['realmEvent'] === 'ev-orphan'));
    assert.deepEqual(await pollLogoutEvents(world.deps, CLOUD), { started: 0, coalesced: 0, failed: 0 });
    await world.queue.idle();
  });
});
