// Ending a user's sessions in one cloud only (services/logout/admin.ts adminCloudLogout, ./handover.ts)
// over the fakes of test/support/logout-fixtures: only that cloud's realm and Keystone are touched, a
// guest's sessions end while her home's identity provider does not hand the end over, the hand-over
// is on again afterwards, and global logouts are neither swallowed nor joined.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBrokerError } from '../../src/core/errors.ts';
import { adminCloudLogout, adminLogout, logoutReport } from '../../src/services/logout/admin.ts';
import { receiveBackchannelLogout } from '../../src/services/logout/receive.ts';
import { ALICE_A, logoutWorld, type LogoutWorld } from '../support/logout-fixtures.ts';
import type { FakeKeycloakSessions } from '../../src/adapters/fakes/logout.ts';

const realm = (w: LogoutWorld, cloud: string) => w.keycloak.get(cloud) as FakeKeycloakSessions;

describe('logout in one cloud only', () => {
  it('a guest in cloud-c: only cloud-c\'s realm and Keystone; her home and cloud-b keep their sessions and tokens', async () => {
    const w = await logoutWorld();
    const tokenB = w.keystone.get('cloud-b')!.issueToken('cloud-a.alice');
    const tokenC = w.keystone.get('cloud-c')!.issueToken('cloud-a.alice');
    const started = await adminCloudLogout(w.deps, 'cloud-c', 'cloud-a', 'alice');
    await w.queue.idle();
    const report = await logoutReport(w.deps, started.eventId);
    assert.equal(report.outcome, 'delivered');
    assert.equal(report.onlyCloud, 'cloud-c');
    assert.deepEqual(report.deliveries.map((d) => `${d.system}/${d.cloud}`).sort(), ['keycloak/cloud-c', 'keystone/cloud-c']);
    assert.match(report.deliveries.find((d) => d.system === 'keycloak')?.detail ?? '', /1 session\(s\) of 1 user\(s\) ended \(in this realm only/);
    assert.deepEqual(await realm(w, 'cloud-c').sessions('cloud-c', 'cloud-c-alice-id'), []);
    assert.deepEqual((await realm(w, 'cloud-a').sessions('cloud-a', ALICE_A)).map((s) => s.id), ['sid-a-1', 'sid-a-2']);
    assert.deepEqual((await realm(w, 'cloud-b').sessions('cloud-b', 'cloud-b-alice-id')).map((s) => s.id), ['sid-cloud-b-1']);
    assert.equal(tokenC.valid(), false, 'her cloud-c Keystone tokens are revoked');
    assert.equal(tokenB.valid(), true, 'her cloud-b Keystone token still works');
    assert.equal(realm(w, 'cloud-a').ends.length + realm(w, 'cloud-b').ends.length, 0, 'nothing ended anywhere else');
  });

  it('the guest\'s sessions end while cloud-c\'s identity provider cloud-a does not hand over; the hand-over is on again after', async () => {
    const w = await logoutWorld();
    await adminCloudLogout(w.deps, 'cloud-c', 'cloud-a', 'alice');
    await w.queue.idle();
    const c = realm(w, 'cloud-c');
    assert.deepEqual(c.ends.map((e) => e.handoverOff), [['cloud-c/cloud-a']], 'ended with the hand-over of cloud-a off');
    assert.deepEqual(c.handoverChanges, [{ realm: 'cloud-c', identityProvider: 'cloud-a', enabled: false }, { realm: 'cloud-c', identityProvider: 'cloud-a', enabled: true }]);
    assert.deepEqual([...c.handoverOff], []);
    assert.equal(await w.deps.store.claimOnce('handover-off/cloud-c/cloud-a', 30), true, 'the hand-over lock was released');
  });

  it('a global logout never turns a hand-over off', async () => {
    const w = await logoutWorld();
    await adminLogout(w.deps, 'cloud-a', 'alice');
    await w.queue.idle();
    for (const cloud of ['cloud-a', 'cloud-b', 'cloud-c']) assert.deepEqual(realm(w, cloud).handoverChanges, [], cloud);
  });

  it('a user at home in the cloud: her home realm only, with no hand-over change; the echo of its logout token joins the event', async () => {
    const w = await logoutWorld();
    const started = await adminCloudLogout(w.deps, 'cloud-a', 'cloud-a', 'alice');
    await w.queue.idle();
    const a = realm(w, 'cloud-a');
    assert.deepEqual(await a.sessions('cloud-a', ALICE_A), []);
    assert.deepEqual(a.handoverChanges, []);
    assert.deepEqual((await logoutReport(w.deps, started.eventId)).deliveries.map((d) => `${d.system}/${d.cloud}`).sort(), ['keycloak/cloud-a', 'keystone/cloud-a']);
    // Keycloak POSTs a logout token for each session it ended: an echo, joined, no fan-out.
    const echo = await receiveBackchannelLogout(w.deps, 'cloud-a', await w.token('cloud-a', { sid: 'sid-a-1' }));
    assert.deepEqual(echo, { eventId: started.eventId, coalesced: true });
    await w.queue.idle();
    assert.deepEqual(await realm(w, 'cloud-b').sessions('cloud-b', 'cloud-b-alice-id').then((s) => s.map((x) => x.id)), ['sid-cloud-b-1']);
  });

  it('a global logout while a one-cloud end is pending does not join it: it fans out everywhere', async () => {
    const w = await logoutWorld();
    const only = await adminCloudLogout(w.deps, 'cloud-c', 'cloud-a', 'alice');
    const global = await adminLogout(w.deps, 'cloud-a', 'alice');
    assert.notEqual(global.eventId, only.eventId);
    assert.equal(global.coalesced, false);
    await w.queue.idle();
    assert.equal((await logoutReport(w.deps, global.eventId)).deliveries.length, 6);
    for (const [cloud, id] of [['cloud-a', ALICE_A], ['cloud-b', 'cloud-b-alice-id'], ['cloud-c', 'cloud-c-alice-id']] as const) {
      assert.deepEqual(await realm(w, cloud).sessions(cloud, id), [], cloud);
    }
  });

  it('a busy hand-over lock fails the attempt, and the queue\'s retry delivers once it is free', async () => {
    const w = await logoutWorld();
    assert.equal(await w.deps.store.claimOnce('handover-off/cloud-c/cloud-a', 30), true);
    const started = await adminCloudLogout(w.deps, 'cloud-c', 'cloud-a', 'alice');
    await new Promise((r) => setTimeout(r, 30));
    const pending = await logoutReport(w.deps, started.eventId);
    const keycloakC = pending.deliveries.find((d) => d.system === 'keycloak');
    assert.equal(keycloakC?.lastError?.code, 'ERR_LOGOUT_HANDOVER_BUSY');
    assert.deepEqual(realm(w, 'cloud-c').ends, [], 'nothing ended while another delivery holds the lock');
    await w.store.release('handover-off/cloud-c/cloud-a');
    await w.queue.idle();
    assert.equal((await logoutReport(w.deps, started.eventId)).outcome, 'delivered');
    assert.deepEqual([...realm(w, 'cloud-c').handoverOff], []);
  });

  it('a failing end still turns the hand-over on again and releases the lock', async () => {
    const w = await logoutWorld();
    const c = realm(w, 'cloud-c');
    const logoutUser = c.logoutUser.bind(c);
    let failures = 1;
    c.logoutUser = async (r, id) => { if (failures-- > 0) throw new Error('Keycloak said 500'); return logoutUser(r, id); };
    const started = await adminCloudLogout(w.deps, 'cloud-c', 'cloud-a', 'alice');
    await w.queue.idle();
    assert.equal((await logoutReport(w.deps, started.eventId)).outcome, 'delivered', 'the retry delivered');
    assert.deepEqual(c.handoverChanges.map((h) => h.enabled), [false, true, false, true]);
    assert.deepEqual([...c.handoverOff], []);
  });

  it('refuses what cannot be a session there, with ERR_SUBJECT_NOT_FOUND: an unknown cloud, an untrusted home, an unknown user', async () => {
    const w = await logoutWorld((doc) => {
      doc['trust'] = { mode: 'edges', edges: [{ home: 'cloud-a', partner: 'cloud-b' }, { home: 'cloud-c', partner: 'cloud-a' }] };
    });
    for (const [cloud, home, user] of [['cloud-x', 'cloud-a', 'alice'], ['cloud-c', 'cloud-a', 'alice'], ['cloud-b', 'cloud-a', 'nobody'], ['cloud-b', 'cloud-x', 'alice']] as const) {
      await assert.rejects(adminCloudLogout(w.deps, cloud, home, user), (e) => isBrokerError(e) && e.code === 'ERR_SUBJECT_NOT_FOUND', `${cloud} ${home}:${user}`);
    }
    assert.equal(w.queue.enqueued, 0, 'nothing queued');
  });
});
