// A run interrupted between a removal and its effects, on the real test bed (docs/sync.md, "Removal
// effects"): a user of this test (cloud-a `journal-<tag>`) holds a federated Keystone token of cloud-b;
// she leaves p1 members at home; a sync stopped right after her Keystone membership is removed leaves
// her entry in Redis's journal and no revocation of the broker's; the next run does her effects first
// (a revocation event more, the token refused) and clears the entry. The sync deps are the real adapters, scoped to this user.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { RedisEffectJournal } from '../../src/adapters/redis/effect-journal.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../src/adapters/redis/logout-store.ts';
import type { KeystoneSyncPort } from '../../src/ports.ts';
import { isInSync, runSync } from '../../src/services/sync.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { adminJson, findUser, jsonBody } from '../support/keycloak-admin.ts';
import { keystoneFederatedToken, keystoneTokenUse } from '../support/keystone-federated.ts';
import { keystoneAdminApi } from '../support/keystone-testbed.ts';
import { scopedRealSync } from '../support/scoped-sync.ts';
import { loadTestbed, passwordGrantToken } from '../support/testbed.ts';

const PARTNER = 'cloud-b';
const spec = exampleSpec();
const username = `journal-${randomBytes(3).toString('hex')}`;
const downstream = `cloud-a.${username}`;
const password = `pw-${randomBytes(8).toString('hex')}`;
const ours = (name: string) => name === username || name === downstream;
const groupId = async (realm: string, path: string) => (await adminJson<{ id: string }>(`/admin/realms/${realm}/group-by-path${path.split('/').map(encodeURIComponent).join('/')}`)).id;

async function keystoneUserId(): Promise<string | undefined> {
  const api = await keystoneAdminApi(PARTNER);
  return ((await api.get(`/v3/users?idp_id=keycloak&protocol_id=openid&unique_id=${encodeURIComponent(downstream)}`))['users'] as { id: string }[])[0]?.id;
}

describe('removal effects left by an interrupted run, on the real test bed', () => {
  let redis: RedisClient;
  let homeId: string;

  before(async () => {
    loadTestbed();
    redis = await connectRedis(loadTestbed().redis.url);
    await adminJson('/admin/realms/cloud-a/users', jsonBody({ username, enabled: true, email: `${username}@a.example`, firstName: 'Journal', lastName: 'Test' }));
    homeId = (await findUser('cloud-a', username))!.id;
    await adminJson(`/admin/realms/cloud-a/users/${homeId}/groups/${await groupId('cloud-a', '/projects/p1/members')}`, { method: 'PUT' });
  });

  after(async () => {
    await adminJson(`/admin/realms/cloud-a/users/${homeId}`, { method: 'DELETE' }).catch(() => {});
    const partnerUser = await findUser(PARTNER, downstream);
    if (partnerUser) await adminJson(`/admin/realms/${PARTNER}/users/${partnerUser.id}`, { method: 'DELETE' });
    const id = await keystoneUserId();
    if (id) await (await keystoneAdminApi(PARTNER)).send('DELETE', `/v3/users/${id}`);
    await closeRedis(redis);
  });

  it('the next run does the effects an interrupted run left (revocation, application credentials), then clears the journal entry', async () => {
    const first = await scopedRealSync(spec, ours);
    try {
      const report = await runSync(spec, first.deps, { clouds: [PARTNER] });
      assert.deepEqual(report.failures, []);
    } finally {
      await first.close();
    }
    const partnerUser = (await findUser(PARTNER, downstream))!;
    await adminJson(`/admin/realms/${PARTNER}/users/${partnerUser.id}/reset-password`, { ...jsonBody({ type: 'password', value: password, temporary: false }), method: 'PUT' });
    const token = await keystoneFederatedToken(PARTNER, (await passwordGrantToken(PARTNER, downstream, password)).access_token);
    assert.equal(await keystoneTokenUse(PARTNER, token), 200);

    await adminJson(`/admin/realms/cloud-a/users/${homeId}/groups/${await groupId('cloud-a', '/projects/p1/members')}`, { method: 'DELETE' });
    const interrupted = await scopedRealSync(spec, ours);
    const stop = new AbortController();
    try {
      const real = interrupted.deps.keystone(PARTNER)!;
      const hooked: KeystoneSyncPort = { ...bind(real), removeMembership: async (u, g) => { await real.removeMembership(u, g); stop.abort(); } };
      const report = await runSync(spec, { ...interrupted.deps, keystone: (c) => (c === PARTNER ? hooked : interrupted.deps.keystone(c)) }, { clouds: [PARTNER], signal: stop.signal });
      assert.equal(report.stopped, true);
    } finally {
      await interrupted.close();
    }
    const journal = new RedisEffectJournal(redis);
    const ksId = (await keystoneUserId())!;
    assert.deepEqual((await journal.pending(PARTNER)).filter((e) => e.key === `keystone:${ksId}`).map((e) => e.effects.map((x) => x.op)), [['revokeTokens', 'deleteApplicationCredentials']]);
    // Keystone records a revocation of its own when the membership goes (measured on Zed: her token is
    // refused from then on); the broker's revocation is one more event, which the interrupted run did not make.
    const eventsAfterInterruption = await revocationEvents(ksId);

    const next = await scopedRealSync(spec, ours);
    try {
      const report = await runSync(spec, next.deps, { clouds: [PARTNER] });
      assert.deepEqual(report.failures, []);
      assert.ok(report.targets[0]!.changes.some((c) => c.op === 'revokeTokens' && /interrupted run/.test(c.reason)));
      assert.equal(await revocationEvents(ksId), eventsAfterInterruption + 1, 'the next run revoked her tokens');
      assert.equal(await keystoneTokenUse(PARTNER, token), 401, 'her token is refused');
      assert.deepEqual((await journal.pending(PARTNER)).filter((e) => e.key === `keystone:${ksId}`), [], 'the entry is cleared');
      next.resetWrites();
      assert.ok(isInSync(await runSync(spec, next.deps, { clouds: [PARTNER] })));
      assert.equal(next.writes(), 0, 'and nothing is written after that');
    } finally {
      await next.close();
    }
  });
});

/** Keystone's revocation events for the user (OS-REVOKE, read-only). */
async function revocationEvents(userId: string): Promise<number> {
  return ((await (await keystoneAdminApi(PARTNER)).get('/v3/OS-REVOKE/events'))['events'] as { user_id?: string }[]).filter((e) => e.user_id === userId).length;
}

/** Every call of a Keystone sync port, bound to it (for replacing one). */
function bind(port: KeystoneSyncPort): KeystoneSyncPort {
  return { cloud: port.cloud, observe: (f, g) => port.observe(f, g), observeGroups: (f, g) => port.observeGroups(f, g), createFederatedUser: (id) => port.createFederatedUser(id),
    addMembership: (u, g) => port.addMembership(u, g), removeMembership: (u, g) => port.removeMembership(u, g), federatedUsers: () => port.federatedUsers(),
    deleteUser: (u) => port.deleteUser(u), revokeTokens: (u) => port.revokeTokens(u), deleteApplicationCredentials: (u) => port.deleteApplicationCredentials(u) };
}
