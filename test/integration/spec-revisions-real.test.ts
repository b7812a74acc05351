// Spec revisions against the real test bed: `fedbroker serve --spec-mode api` imports the demo spec
// as revision 1; a cloud-b admin (a real token of cloud-b's realm) changes a cloud-b grant entry of a
// new policy rule granting only there: plan (changes in cloud-b only), apply (revision 2), the grant visible in explain and in
// cloud-b's Keystone; then a rollback to revision 1 (revision 3) removes it again and re-planning is
// empty. A broker restarted in API mode runs the latest revision, not the file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type request from 'supertest';
import { startBroker, type BrokerProcess } from '../support/broker-process.ts';
import { EXAMPLE_SPEC_PATH, exampleDoc } from '../support/example-federation.ts';
import { DEMO_SPEC, fedbroker } from '../support/federation.ts';
import { keystoneAdminApi } from '../support/keystone-testbed.ts';
import { assertConforms } from '../support/openapi-conformance.ts';
import { closeRedis, connectRedis } from '../../src/adapters/redis/logout-store.ts';
import { keycloakAdminFetch, loadTestbed, passwordGrantToken, testbedCloud, testbedFetch, userPassword } from '../support/testbed.ts';

const CLOUD_ADMIN_ROLE = 'fedbroker-test-cloud-admin';
const FEDERATION_ADMIN_ROLE = 'fedbroker-test-federation-admin';
const P2_READER_IN_B = { clouds: ['cloud-b'], keystone: [{ project: 'p2', roles: ['reader'] }] };

async function grantRealmRole(realm: string, role: string, username: string): Promise<void> {
  const created = await keycloakAdminFetch(`/admin/realms/${realm}/roles`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: role }) });
  if (created.status !== 201 && created.status !== 409) throw new Error(`create role ${role} in ${realm}: ${created.status}`);
  const roleRep = await (await keycloakAdminFetch(`/admin/realms/${realm}/roles/${role}`)).json() as { id: string; name: string };
  const [user] = await (await keycloakAdminFetch(`/admin/realms/${realm}/users?username=${username}&exact=true`)).json() as { id: string }[];
  const res = await keycloakAdminFetch(`/admin/realms/${realm}/users/${user!.id}/role-mappings/realm`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify([roleRep]) });
  if (!res.ok) throw new Error(`assign ${role}: ${res.status}`);
}

/** The broker's revision keys in the test bed's Redis go (no revisions left by an earlier run). */
async function clearRevisions(): Promise<void> {
  const redis = await connectRedis(loadTestbed().redis.url);
  try { await redis.del('fedbroker:spec:rev', 'fedbroker:spec:latest'); } finally { await closeRedis(redis); }
}

/** The roles cloud-b's Keystone gives the broker's group of the new rule in cloud-a's users' domain ([] when the group is not there). */
async function p2RolesOfTheRuleGroup(): Promise<string[]> {
  const ks = await keystoneAdminApi('cloud-b');
  const [domain] = (await ks.get('/v3/domains?name=fed-cloud-a')).domains as { id: string }[];
  const groups = (await ks.get(`/v3/groups?name=p1-admins-read-p2-in-b&domain_id=${domain!.id}`)).groups as { id: string }[];
  if (groups.length === 0) return [];
  const [project] = (await ks.get('/v3/projects?name=p2')).projects as { id: string }[];
  if (!project) return [];
  const assignments = (await ks.get(`/v3/role_assignments?group.id=${groups[0]!.id}&scope.project.id=${project.id}&include_names=true`)).role_assignments as { role: { name: string } }[];
  return assignments.map((a) => a.role.name).sort();
}

describe('spec revisions in API mode, real test bed', { timeout: 240_000 }, () => {
  let broker: BrokerProcess | undefined;
  let config: string;
  const tokens: Record<string, string> = {};
  const call = async (method: 'get' | 'post', path: string, token: string, body?: unknown) => {
    const res = await testbedFetch(`${broker!.url}${path}`, {
      method: method.toUpperCase(),
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const shaped = { status: res.status, headers: Object.fromEntries(res.headers), body: text ? JSON.parse(text) : undefined, text } as unknown as request.Response;
    assertConforms(shaped, method, path);
    return shaped;
  };
  const start = async () => { broker = await startBroker(EXAMPLE_SPEC_PATH, ['--api-config', config, '--spec-mode', 'api']); };

  before(async () => {
    await clearRevisions();
    await grantRealmRole('cloud-b', CLOUD_ADMIN_ROLE, 'carol');
    await grantRealmRole('cloud-a', FEDERATION_ADMIN_ROLE, 'alice');
    const dir = mkdtempSync(join(tmpdir(), 'fedbroker-revisions-real-'));
    config = join(dir, 'api.yaml');
    writeFileSync(config, JSON.stringify({ audience: 'openstack', cloudAdminRole: CLOUD_ADMIN_ROLE, federationAdmin: { role: FEDERATION_ADMIN_ROLE, issuers: [testbedCloud('cloud-a').issuer] } }));
    await start();
    tokens['adminB'] = (await passwordGrantToken('cloud-b', 'carol', userPassword('cloud-b', 'carol'))).access_token;
    tokens['fed'] = (await passwordGrantToken('cloud-a', 'alice', userPassword('cloud-a', 'alice'))).access_token;
  });

  after(async () => {
    await broker?.stop();
    await clearRevisions();
    for (const [realm, role] of [['cloud-b', CLOUD_ADMIN_ROLE], ['cloud-a', FEDERATION_ADMIN_ROLE]]) await keycloakAdminFetch(`/admin/realms/${realm}/roles/${role}`, { method: 'DELETE' });
    // Whatever happened above, the shared test bed is left at the demo spec.
    assert.equal(fedbroker('apply', DEMO_SPEC, '--yes').status, 0);
  });

  it('a cloud-b admin changes a cloud-b grant (revision 2), sees it in explain and Keystone; rollback to 1 (revision 3) restores the state, re-plan empty', async () => {
    const adminB = tokens['adminB']!;
    const fed = tokens['fed']!;
    assert.deepEqual(await p2RolesOfTheRuleGroup(), [], 'no such grant in cloud-b at the start');
    const listed = await call('get', '/api/v1/revisions', fed);
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.body.latest, 1);
    assert.equal(listed.body.revisions[0].origin.kind, 'import');

    const changed = exampleDoc();
    changed.policy.push({ name: 'p1-admins-read-p2-in-b', when: { groups: { any: ['/projects/p1/admins'] } }, grant: [P2_READER_IN_B] });
    const plan = await call('post', '/api/v1/plan', adminB, { spec: changed });
    assert.equal(plan.status, 200, plan.text);
    assert.ok(plan.body.changes.length > 0, plan.text);
    assert.deepEqual([...new Set(plan.body.changes.map((c: { cloud: string }) => c.cloud))], ['cloud-b']);
    const applied = await call('post', '/api/v1/apply', adminB, { planId: plan.body.planId });
    assert.equal(applied.status, 200, applied.text);
    assert.equal(applied.body.failed, 0, applied.text);
    assert.equal(applied.body.revision, 2);
    assert.deepEqual(await p2RolesOfTheRuleGroup(), ['reader'], 'cloud-b\'s Keystone gives the rule\'s group reader on p2');
    const explained = await call('post', '/api/v1/explain', adminB, { subject: 'cloud-a:carol' });
    assert.equal(explained.status, 200, explained.text);
    const inB = explained.body.partners.find((p: { cloud: string }) => p.cloud === 'cloud-b');
    assert.match(JSON.stringify(inB.keystone), /"p2"/, JSON.stringify(inB.keystone));
    const two = await call('get', '/api/v1/revisions/2', fed);
    assert.equal(two.body.revision.author, `carol (${testbedCloud('cloud-b').issuer})`);
    assert.equal(two.body.revision.result.status, 'applied');
    assert.deepEqual(two.body.revision.diff.map((d: { path: string }) => d.path), ['policy[p1-admins-read-p2-in-b]']);

    // A restart in API mode runs revision 2, not the file.
    await broker!.stop();
    await start();
    assert.match(broker!.logs(), /running spec revision 2/);

    const back = await call('post', '/api/v1/revisions/1/rollback', adminB);
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.rollbackOf, 1);
    assert.ok(back.body.changes.length > 0);
    const restored = await call('post', '/api/v1/apply', adminB, { planId: back.body.planId });
    assert.equal(restored.status, 200, restored.text);
    assert.equal(restored.body.failed, 0, restored.text);
    assert.equal(restored.body.revision, 3);
    assert.deepEqual(await p2RolesOfTheRuleGroup(), [], 'the rollback removed the grant from cloud-b\'s Keystone');
    const again = await call('post', '/api/v1/plan', fed, {});
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body.changes, [], 'rollback restored the previous state: re-plan empty');
    assert.deepEqual(again.body.unreachable, []);
    const three = await call('get', '/api/v1/revisions/3', fed);
    assert.equal(three.body.revision.origin.to, 1);
    assert.equal(three.body.revision.fingerprint, listed.body.revisions[0].fingerprint);
  });
});
