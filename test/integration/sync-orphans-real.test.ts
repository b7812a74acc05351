// Orphans on the real test bed (docs/sync.md "Orphans"), partner cloud-b: what an offboarded home
// `cloud-z` left behind — a realm user with the admin-only `home_cloud` attribute (deleting the
// identity provider deleted its links) and a federated Keystone user `cloud-z.<name>` — is deleted by
// the next full sync and reported with its reason; a user whose name does not fit the naming template
// stays although it carries the attribute. The sync deps are the real adapters, scoped to this test's
// users (`…-<tag>`), so the shared test bed's other users are not changed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { closeRedis, connectRedis, type RedisClient } from '../../src/adapters/redis/logout-store.ts';
import { composeSync, redisSyncLeases } from '../../src/cli/sync-compose.ts';
import { runSync } from '../../src/services/sync.ts';
import { EXAMPLE_SPEC_PATH, exampleSpec } from '../support/example-federation.ts';
import { adminJson, deleteUserIfPresent, findUser, jsonBody } from '../support/keycloak-admin.ts';
import { keystoneAdminApi } from '../support/keystone-testbed.ts';
import { scopeSyncDeps, writeCounter } from '../support/scoped-sync.ts';
import { loadTestbed } from '../support/testbed.ts';

const tag = randomBytes(3).toString('hex');
const orphan = `cloud-z.orphan-${tag}`;
const handMade = `cloud-z-hand-${tag}`;
const spec = exampleSpec();
let real: Awaited<ReturnType<typeof composeSync>>;
let redis: RedisClient;
const counter = writeCounter();
const scoped = () => scopeSyncDeps(real, (name) => name.endsWith(tag));

async function keystoneUserIds(uniqueId: string): Promise<string[]> {
  const api = await keystoneAdminApi('cloud-b');
  return ((await api.get(`/v3/users?idp_id=keycloak&protocol_id=openid&unique_id=${encodeURIComponent(uniqueId)}`))['users'] as { id: string }[]).map((u) => u.id);
}

describe('orphans of an offboarded home in cloud-b on the real test bed', () => {
  before(async () => {
    redis = await connectRedis(loadTestbed().redis.url);
    real = await composeSync(spec, dirname(EXAMPLE_SPEC_PATH), { onRequest: counter.onRequest, leases: redisSyncLeases(redis) });
    for (const username of [orphan, handMade]) {
      await adminJson('/admin/realms/cloud-b/users', jsonBody({ username, enabled: true, attributes: { home_cloud: ['cloud-z'], home_sub: ['gone'] } }));
    }
    await real.keystone('cloud-b')!.createFederatedUser(orphan);
  });

  after(async () => {
    for (const username of [orphan, handMade]) await deleteUserIfPresent('cloud-b', username);
    const api = await keystoneAdminApi('cloud-b');
    for (const id of await keystoneUserIds(orphan)) await api.send('DELETE', `/v3/users/${id}`);
    await real.close();
    await closeRedis(redis);
  });

  it('the next full sync deletes the orphans in the realm and in Keystone and reports why; the rest stays', async () => {
    assert.equal((await keystoneUserIds(orphan)).length, 1);
    counter.reset();
    const report = await runSync(spec, scoped(), { clouds: ['cloud-b'] });
    assert.deepEqual(report.failures, []);
    const orphans = report.targets.filter((t) => t.home === 'cloud-z');
    assert.deepEqual(orphans.map((t) => [t.system, t.changes.map((c) => `${c.op} ${'username' in c ? c.username : ''}: ${c.reason}`)]), [
      ['keycloak', [`endSessions ${orphan}: before deleting: orphan: cloud-z is no longer in the federation (offboarded)`, `deleteUser ${orphan}: orphan: cloud-z is no longer in the federation (offboarded)`]],
      ['keystone', [`deleteFederatedUser ${orphan}: orphan: cloud-z is no longer in the federation (offboarded)`]],
    ]);
    assert.equal(counter.writes(), 3, 'a logout in the realm, then one DELETE each');
    assert.equal(await findUser('cloud-b', orphan), undefined);
    assert.deepEqual(await keystoneUserIds(orphan), []);
    assert.ok(await findUser('cloud-b', handMade), 'a name that does not fit the naming template is not the broker\'s');

    counter.reset();
    const again = await runSync(spec, scoped(), { clouds: ['cloud-b'] });
    assert.deepEqual(again.targets.flatMap((t) => t.changes), []);
    assert.equal(counter.writes(), 0);
  });
});
