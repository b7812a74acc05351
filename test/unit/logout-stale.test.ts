// Stale logouts: a logout ends only what started before it, judged by the time the logout happened
// (realm event time, token iat, admin command), never by when it is delivered. The pure rules of
// src/core/logout/stale.ts, then the use cases over the fakes of test/support/logout-fixtures.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryDeliveryQueue } from '../../src/adapters/fakes/logout.ts';
import { buildReport, isDone, logoutTimeOf, pendingDelivery, skippedStale, type LogoutEventRecord } from '../../src/core/logout/report.ts';
import { coversLogoutAt, logoutTimeOfToken, sessionsToEnd, startedBeforeLogout, wholesaleRevocation } from '../../src/core/logout/stale.ts';
import { logoutReport } from '../../src/services/logout/admin.ts';
import { pollLogoutEvents } from '../../src/services/logout/poll.ts';
import { receiveBackchannelLogout } from '../../src/services/logout/receive.ts';
import { ALICE_A, logoutWorld, type LogoutWorld } from '../support/logout-fixtures.ts';

const T = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('stale logouts: the rules (core/logout/stale)', () => {
  it('a session started before the logout ends; one started after stays; the same second counts as before', () => {
    assert.equal(startedBeforeLogout(T - 60_000, T), true);
    assert.equal(startedBeforeLogout(T + 1000, T), false);
    assert.equal(startedBeforeLogout(T, T + 999), true, 'Keycloak keeps whole seconds: same second, before');
    assert.equal(startedBeforeLogout(T + 999, T), true);
    assert.deepEqual(sessionsToEnd([{ id: 'old', startedAt: T - 5000 }, { id: 'new', startedAt: T + 5000 }, { id: 'same', startedAt: T }], T),
      { end: ['old', 'same'], keep: ['new'] });
    assert.deepEqual(sessionsToEnd([], T), { end: [], keep: [] });
  });

  it('a wholesale revocation (Keystone) is skipped only when she logged in again after the logout', () => {
    assert.deepEqual(wholesaleRevocation(T, []), { revoke: true });
    assert.deepEqual(wholesaleRevocation(T, [{ id: 'old', startedAt: T - 1 }, { id: 'same', startedAt: T + 500 }]), { revoke: true });
    assert.deepEqual(wholesaleRevocation(T, [{ id: 'old', startedAt: T - 1 }, { id: 'b', startedAt: T + 9000 }, { id: 'a', startedAt: T + 4000 }]),
      { revoke: false, loggedInAgainAt: T + 4000 });
  });

  it('time of a logout: token iat in ms; a record without it falls back to its receipt', () => {
    assert.equal(logoutTimeOfToken(1_767_268_800), 1_767_268_800_000);
    assert.equal(logoutTimeOf({ loggedOutAt: T, receivedAt: T + 99_000 }), T);
    assert.equal(logoutTimeOf({ receivedAt: T + 99_000 }), T + 99_000);
  });

  it('a later logout (by whole seconds) is not covered by an earlier event', () => {
    assert.equal(coversLogoutAt(T, T), true);
    assert.equal(coversLogoutAt(T, T - 30_000), true);
    assert.equal(coversLogoutAt(T, T + 999), true, 'same second');
    assert.equal(coversLogoutAt(T, T + 1000), false);
  });

  it('skipped-stale is done: the event is delivered, completed when the last target was done', () => {
    const event: LogoutEventRecord = { id: 'e', source: 'keycloak-event', cloud: 'cloud-a', subject: { homeCloud: 'cloud-a', homeSub: 's' }, receivedAt: T, loggedOutAt: T - 1000,
      correlationId: 'e', targets: [{ system: 'keycloak', cloud: 'cloud-a' }, { system: 'keystone', cloud: 'cloud-a' }] };
    const skipped = skippedStale(pendingDelivery({ system: 'keystone', cloud: 'cloud-a' }), 1, T + 40, T, 'skipped');
    assert.equal(skipped.status, 'skipped-stale');
    assert.equal(isDone(skipped), true);
    assert.equal(buildReport(event, [skipped]).outcome, 'pending');
    const r = buildReport(event, [skipped, { ...pendingDelivery({ system: 'keycloak', cloud: 'cloud-a' }), status: 'delivered', attempts: 1, deliveredAt: T + 30 }]);
    assert.deepEqual([r.outcome, r.completedAt, r.latencyMs], ['delivered', T + 40, 40]);
  });
});

/** alice's world: old sessions (started at 0) everywhere; `newer` adds sessions started at `at` in the named realms. */
async function aliceLoggedInAgain(at: number, newer: readonly string[]): Promise<LogoutWorld> {
  const world = await logoutWorld();
  world.now.ms = T;
  for (const cloud of newer) {
    const id = cloud === 'cloud-a' ? ALICE_A : `${cloud}-alice-id`;
    world.keycloak.get(cloud)!.sessionsByUser.get(id)!.push({ id: `sid-${cloud}-new`, startedAt: at });
  }
  return world;
}

function deliveryOf(report: Awaited<ReturnType<typeof logoutReport>>, target: string) {
  return report.deliveries.find((d) => `${d.system}/${d.cloud}` === target);
}

describe('stale logouts: delivery (services/logout)', () => {
  it('a LOGOUT event replayed after a 10-minute outage ends only the sessions before it; Keystone where she logged in since is skipped-stale', async () => {
    const world = await aliceLoggedInAgain(T + 5 * 60_000, ['cloud-a', 'cloud-b']);
    await pollLogoutEvents(world.deps, 'cloud-a'); // checkpoint at T
    world.keycloak.get('cloud-a')!.events.push({ realm: 'cloud-a', id: 'ev-1', time: T + 1000, userId: ALICE_A, sessionId: 'sid-a-1' });
    world.now.ms = T + 10 * 60_000;
    assert.equal((await pollLogoutEvents(world.deps, 'cloud-a')).started, 1);
    await world.queue.idle();
    const eventId = String(world.audit.find((e) => e.action === 'logout.started')?.eventId);
    const report = await logoutReport(world.deps, eventId);
    assert.equal(report.outcome, 'delivered');
    assert.equal(report.loggedOutAt, T + 1000, 'the time of the logout is the realm event\'s');
    const sessions = (cloud: string, id: string) => world.keycloak.get(cloud)!.sessionsByUser.get(id)!.map((s) => s.id);
    assert.deepEqual(sessions('cloud-a', ALICE_A), ['sid-cloud-a-new'], 'her new home session survives');
    assert.deepEqual(sessions('cloud-b', 'cloud-b-alice-id'), ['sid-cloud-b-new'], 'her new cloud-b session survives');
    assert.deepEqual(sessions('cloud-c', 'cloud-c-alice-id'), [], 'cloud-c: nothing since, everything ended');
    assert.deepEqual(world.keycloak.get('cloud-a')!.endedSessions.sort(), ['sid-a-1', 'sid-a-2'], 'old sessions ended one by one');
    assert.deepEqual(world.keycloak.get('cloud-c')!.loggedOut, ['cloud-c-alice-id'], 'no newer session: the user is logged out at once');
    assert.equal(deliveryOf(report, 'keystone/cloud-b')?.status, 'skipped-stale');
    assert.match(deliveryOf(report, 'keystone/cloud-b')?.detail ?? '', /logged in to cloud-b again/);
    assert.equal(deliveryOf(report, 'keystone/cloud-a')?.status, 'skipped-stale');
    assert.equal(deliveryOf(report, 'keystone/cloud-c')?.status, 'delivered');
    assert.deepEqual(world.keystone.get('cloud-b')!.revoked, [], 'no revocation in cloud-b');
    assert.deepEqual(world.keystone.get('cloud-c')!.revoked, ['cloud-a.alice']);
    assert.match(deliveryOf(report, 'keycloak/cloud-a')?.detail ?? '', /2 session\(s\) of 1 user\(s\) ended; 1 started after the logout kept/);
    assert.ok(world.audit.some((e) => e.action === 'logout.skipped-stale' && e.target === 'keystone/cloud-b'));
  });

  it('the same replay without a login since ends and revokes everything (the rule does not skip fresh logouts)', async () => {
    const world = await aliceLoggedInAgain(0, []);
    await pollLogoutEvents(world.deps, 'cloud-a');
    world.keycloak.get('cloud-a')!.events.push({ realm: 'cloud-a', id: 'ev-1', time: T + 1000, userId: ALICE_A, sessionId: 'sid-a-1' });
    world.now.ms = T + 10 * 60_000;
    await pollLogoutEvents(world.deps, 'cloud-a');
    await world.queue.idle();
    const report = await logoutReport(world.deps, String(world.audit.find((e) => e.action === 'logout.started')?.eventId));
    assert.deepEqual(report.deliveries.map((d) => d.status), report.deliveries.map(() => 'delivered'));
    assert.deepEqual(world.keystone.get('cloud-b')!.revoked, ['cloud-a.alice']);
  });

  it('a back-channel token: the logout time is its iat, not its receipt (a session started in between stays)', async () => {
    const world = await aliceLoggedInAgain(T - 50_000, ['cloud-b']);
    const token = await world.token('cloud-a', { iat: Math.floor((T - 100_000) / 1000) });
    const { eventId } = await receiveBackchannelLogout(world.deps, 'cloud-a', token);
    await world.queue.idle();
    const report = await logoutReport(world.deps, eventId);
    assert.equal(report.loggedOutAt, T - 100_000);
    assert.deepEqual(world.keycloak.get('cloud-b')!.sessionsByUser.get('cloud-b-alice-id')!.map((s) => s.id), ['sid-cloud-b-new']);
    assert.equal(deliveryOf(report, 'keystone/cloud-b')?.status, 'skipped-stale');
    assert.equal(deliveryOf(report, 'keystone/cloud-c')?.status, 'delivered');
  });

  it('when the cloud\'s Keycloak cannot say whether she logged in since, Keystone is revoked anyway', async () => {
    const world = await aliceLoggedInAgain(T + 5000, ['cloud-b']);
    world.keycloak.get('cloud-b')!.down = true;
    const token = await world.token('cloud-a', { iat: Math.floor(T / 1000) });
    const { eventId } = await receiveBackchannelLogout(world.deps, 'cloud-a', token);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const report = await logoutReport(world.deps, eventId);
    assert.equal(deliveryOf(report, 'keystone/cloud-b')?.status, 'delivered');
    assert.match(deliveryOf(report, 'keystone/cloud-b')?.detail ?? '', /could not be read from Keycloak: revoked/);
    assert.deepEqual(world.keystone.get('cloud-b')!.revoked, ['cloud-a.alice']);
    world.keycloak.get('cloud-b')!.down = false;
    await world.queue.idle();
  });

  it('a later logout of the same subject does not join an earlier event still under way; one of the same second does', async () => {
    const world = await aliceLoggedInAgain(0, []);
    const deps = { ...world.deps, queue: new MemoryDeliveryQueue({ firstDelayMs: 5, maxDelayMs: 20, maxAttempts: 5 }) }; // nobody delivers
    const first = await receiveBackchannelLogout(deps, 'cloud-a', await world.token('cloud-a', { iat: Math.floor(T / 1000), sid: 'sid-x' }));
    const sameSecond = await receiveBackchannelLogout(deps, 'cloud-a', await world.token('cloud-a', { iat: Math.floor(T / 1000), sid: 'sid-y' }));
    const earlier = await receiveBackchannelLogout(deps, 'cloud-a', await world.token('cloud-a', { iat: Math.floor(T / 1000) - 20, sid: 'sid-w' }));
    const later = await receiveBackchannelLogout(deps, 'cloud-a', await world.token('cloud-a', { iat: Math.floor(T / 1000) + 5, sid: 'sid-z' }));
    assert.deepEqual([sameSecond.coalesced, sameSecond.eventId], [true, first.eventId]);
    assert.deepEqual([earlier.coalesced, earlier.eventId], [true, first.eventId]);
    assert.equal(later.coalesced, false);
    assert.notEqual(later.eventId, first.eventId);
  });
});
