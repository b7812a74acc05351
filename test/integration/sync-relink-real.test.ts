// Offboarded and onboarded again on the real test bed (docs/sync.md): a brokered user of cloud-a in
// cloud-b whose link to the identity provider `cloud-a` is gone (Keycloak deletes the links with the
// provider; here the link alone is deleted, so the shared bed's provider stays) is linked again by the
// next sync: the same user, its memberships kept, no ERR_CONFLICT; the run after changes nothing. The
// sync deps are the real adapters, scoped to this test's user.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { closeRedis, connectRedis, type RedisClient } from '../../src/adapters/redis/logout-store.ts';
import { composeSync, redisSyncLeases } from '../../src/cli/sync-compose.ts';
import { runSync } from '../../src/services/sync.ts';
import { EXAMPLE_SPEC_PATH, exampleSpec } from '../support/example-federation.ts';
import { DEMO_SPEC, fedbroker } from '../support/federation.ts';
import { adminJson, deleteUserIfPresent, federatedIdentities, findUser, jsonBody } from '../support/keycloak-admin.ts';
import { keystoneAdminApi } from '../support/keystone-testbed.ts';
import { scopeSyncDeps } from '../support/scoped-sync.ts';
import { loadTestbed } from '../support/testbed.ts';

const tag = randomBytes(3).toString('hex');
const homeName = `relink-${tag}`;
const partnerName = `cloud-a.${homeName}`;
const spec = exampleSpec();
let real: Awaited<ReturnType<typeof composeSync>>;
let redis: RedisClient;
const scoped = () => scopeSyncDeps(real, (name) => name.endsWith(tag));

async function groupPathsOf(userId: string): Promise<string[]> {
  return (await adminJson<{ path: string }[]>(`/admin/realms/cloud-b/users/${userId}/groups`)).map((g) => g.path).sort();
}

describe('a brokered user that lost its link (home offboarded and onboarded again) on the real test bed', () => {
  before(async () => {
    const apply = fedbroker('apply', DEMO_SPEC, '--yes');
    assert.equal(apply.status, 0, apply.stderr);
    redis = await connectRedis(loadTestbed().redis.url);
    real = await composeSync(spec, dirname(EXAMPLE_SPEC_PATH), { leases: redisSyncLeases(redis) });
    await adminJson('/admin/realms/cloud-a/users', jsonBody({ username: homeName, enabled: true, email: `${homeName}@a.example`, firstName: 'R', lastName: 'L', groups: ['/projects/p1/members'] }));
  });

  after(async () => {
    await deleteUserIfPresent('cloud-a', homeName);
    await deleteUserIfPresent('cloud-b', partnerName);
    const api = await keystoneAdminApi('cloud-b');
    for (const u of (await api.get(`/v3/users?idp_id=keycloak&protocol_id=openid&unique_id=${encodeURIComponent(partnerName)}`))['users'] as { id: string }[]) await api.send('DELETE', `/v3/users/${u.id}`);
    await real.close();
    await closeRedis(redis);
  });

  it('the next sync links it again: same user, memberships kept, no conflict; the run after changes nothing', async () => {
    const first = await runSync(spec, scoped(), { clouds: ['cloud-b'] });
    assert.deepEqual(first.failures, []);
    const user = (await findUser('cloud-b', partnerName))!;
    assert.ok(user, 'pre-provisioned');
    const homeId = (await findUser('cloud-a', homeName))!.id;
    const groups = await groupPathsOf(user.id);
    assert.ok(groups.length > 0);
    await adminJson(`/admin/realms/cloud-b/users/${user.id}/federated-identity/cloud-a`, { method: 'DELETE' });
    assert.deepEqual(await federatedIdentities('cloud-b', user.id), [], 'the link is gone, the user and its attributes stay');

    const report = await runSync(spec, scoped(), { clouds: ['cloud-b'] });
    assert.deepEqual(report.failures.map((f) => String(f.error)), []);
    const changes = report.targets.filter((t) => t.home === 'cloud-a').flatMap((t) => t.changes);
    assert.deepEqual(changes.map((c) => `${c.op} ${'username' in c ? c.username : ''}`), [`linkUser ${partnerName}`]);
    assert.equal((await findUser('cloud-b', partnerName))!.id, user.id, 'the same user');
    assert.deepEqual((await federatedIdentities('cloud-b', user.id)).map((l) => [l.identityProvider, l.userName]), [['cloud-a', homeName]]);
    const link = (await adminJson<{ identityProvider: string; userId: string }[]>(`/admin/realms/cloud-b/users/${user.id}/federated-identity`))[0]!;
    assert.equal(link.userId, homeId, 'linked to her home subject');
    assert.deepEqual(await groupPathsOf(user.id), groups, 'memberships kept');

    const again = await runSync(spec, scoped(), { clouds: ['cloud-b'] });
    assert.deepEqual(again.targets.flatMap((t) => t.changes), [], 'nothing left to do');
  });
});
