// Acceptance of pre-provisioning (issue 11 item 2, docs/sync.md): a home user of cloud-a in
// /projects/p1/members who never logged in anywhere has, after a sync, a Keystone user in cloud-b
// whose effective role assignments already give p1, and a linked partner-realm user in the mirrored
// group. Her first browser login at cloud-b (brokered to cloud-a) then lands on those same users: the
// partner token exchanged at Keystone gets a p1-scoped token at once, on the Keystone user id sync made.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { runSync } from '../../src/services/sync.ts';
import { launchBrowser, newContext } from '../support/browser.ts';
import { brokeredLogin, partnerToken } from '../support/brokered-login.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { adminJson, deleteUserIfPresent, federatedIdentities, findUser, jsonBody } from '../support/keycloak-admin.ts';
import { keystoneFederatedToken } from '../support/keystone-federated.ts';
import { keystoneAdminApi } from '../support/keystone-testbed.ts';
import { scopedRealSync } from '../support/scoped-sync.ts';
import { loadTestbed, testbedCloud, testbedFetch } from '../support/testbed.ts';

const PARTNER = 'cloud-b';
const tag = randomBytes(3).toString('hex');
const user = `pre-${tag}`;
const downstream = `cloud-a.${user}`;
const password = `pw-${randomBytes(8).toString('hex')}`;
const P1 = '/projects/p1/members';

async function keystoneUserIds(): Promise<string[]> {
  const api = await keystoneAdminApi(PARTNER);
  return ((await api.get(`/v3/users?idp_id=keycloak&protocol_id=openid&unique_id=${encodeURIComponent(downstream)}`))['users'] as { id: string }[]).map((u) => u.id);
}

async function effectiveRoles(userId: string): Promise<string[]> {
  const api = await keystoneAdminApi(PARTNER);
  return ((await api.get(`/v3/role_assignments?user.id=${userId}&effective&include_names`))['role_assignments'] as { scope?: { project?: { name: string } }; role: { name: string } }[])
    .map((a) => `${a.scope?.project?.name}:${a.role.name}`).sort();
}

describe('pre-provisioning: the first browser login lands on what sync made', () => {
  let browser: Browser;
  let keystoneId: string;
  let partnerUserId: string;

  before(async () => {
    loadTestbed();
    await adminJson('/admin/realms/cloud-a/users', jsonBody({ username: user, enabled: true, email: `${user}@a.example`, firstName: 'Pre', lastName: 'Provisioned',
      credentials: [{ type: 'password', value: password, temporary: false }] }));
    const home = (await findUser('cloud-a', user))!;
    const group = await adminJson<{ id: string }>(`/admin/realms/cloud-a/group-by-path${P1}`);
    await adminJson(`/admin/realms/cloud-a/users/${home.id}/groups/${group.id}`, { method: 'PUT' });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await deleteUserIfPresent('cloud-a', user);
    await deleteUserIfPresent(PARTNER, downstream);
    const api = await keystoneAdminApi(PARTNER);
    for (const id of await keystoneUserIds()) await api.send('DELETE', `/v3/users/${id}`);
  });

  it('before any login: sync makes the Keystone user with the p1 roles and the linked realm user in the mirrored group', async () => {
    assert.deepEqual(await keystoneUserIds(), [], 'no Keystone user before the sync');
    const sync = await scopedRealSync(exampleSpec(), (name) => name.includes(`pre-${tag}`));
    try {
      const report = await runSync(exampleSpec(), sync.deps, { clouds: [PARTNER] });
      assert.deepEqual(report.failures, []);
    } finally {
      await sync.close();
    }
    const ids = await keystoneUserIds();
    assert.equal(ids.length, 1);
    keystoneId = ids[0]!;
    assert.deepEqual(await effectiveRoles(keystoneId), ['p1:member', 'p1:reader']);
    const partnerUser = (await findUser(PARTNER, downstream))!;
    assert.ok(partnerUser, 'the partner-realm user exists before the first login');
    partnerUserId = partnerUser.id;
    assert.deepEqual((await federatedIdentities(PARTNER, partnerUserId)).map((l) => [l.identityProvider, l.userName]), [['cloud-a', user]]);
    const groups = await adminJson<{ path: string }[]>(`/admin/realms/${PARTNER}/users/${partnerUserId}/groups`);
    assert.deepEqual(groups.map((g) => g.path), [`/cloud-a:${P1}`]);
  });

  it('her first browser login gets a p1-scoped Keystone token at once, on the same Keystone and realm user', async () => {
    assert.ok(keystoneId, 'the previous step made the users');
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await brokeredLogin(page, { partner: PARTNER, home: 'cloud-a', user, password });
      const unscoped = await keystoneFederatedToken(PARTNER, (await partnerToken(page, PARTNER, 'openstack')).access_token);
      const res = await testbedFetch(`${testbedCloud(PARTNER).keystone.url}/v3/auth/tokens`, { method: 'POST', headers: { 'X-Auth-Token': unscoped, 'Content-Type': 'application/json' },
        body: JSON.stringify({ auth: { identity: { methods: ['token'], token: { id: unscoped } }, scope: { project: { name: 'p1', domain: { name: 'Default' } } } } }) });
      const body = await res.json() as { token: { user: { id: string }; project: { name: string }; roles: { name: string }[] } };
      assert.equal(res.status, 201, JSON.stringify(body));
      assert.equal(body.token.user.id, keystoneId, 'the Keystone user sync created');
      assert.equal(body.token.project.name, 'p1');
      assert.deepEqual(body.token.roles.map((r) => r.name).sort(), ['member', 'reader']);
    } finally {
      await context.close();
    }
    assert.deepEqual(await keystoneUserIds(), [keystoneId], 'no second Keystone user');
    assert.equal((await findUser(PARTNER, downstream))?.id, partnerUserId, 'the realm user sync created, not a second one');
  });
});
