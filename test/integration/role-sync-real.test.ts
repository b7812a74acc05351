// Role sync on the real test bed (docs/sync.md), partner cloud-b: pre-provisioning into realm and
// Keystone before any login, the first federated Keystone login landing on the user sync created,
// a no-drift run with 0 writes on the wire, a drift made by hand repaired while hand-made objects
// stay, and deprovisioning of a user deleted at home. The test works on home users of its own
// (`sync-<tag>-*` in cloud-a): the sync deps are the real adapters, scoped to those users, so the
// shared test bed's other users are neither read into nor changed by this test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isInSync, runSync, type SyncReport } from '../../src/services/sync.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { adminJson, federatedIdentities, findUser, jsonBody } from '../support/keycloak-admin.ts';
import { keystoneFederatedToken } from '../support/keystone-federated.ts';
import { scopedRealSync } from '../support/scoped-sync.ts';
import { loadTestbed, passwordGrantToken, testbedCloud, testbedFetch } from '../support/testbed.ts';

const PARTNER = 'cloud-b';
const tag = randomBytes(3).toString('hex');
const prefix = `sync-${tag}`;
const spec = exampleSpec();
const P1 = '/projects/p1/members';
const ADMINS = '/projects/p1/admins';
const member = `${prefix}-member`;
const admin = `${prefix}-admin`;
const downstream = (user: string) => `cloud-a.${user}`;
const password = `pw-${randomBytes(8).toString('hex')}`;

async function keystone(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown>; subject: string | null }> {
  const ks = testbedCloud(PARTNER).keystone;
  const auth = token ?? await keystoneAdminToken();
  const res = await testbedFetch(`${ks.url}${path}`, { method, headers: { 'X-Auth-Token': auth, 'Content-Type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) as Record<string, unknown> : {}, subject: res.headers.get('x-subject-token') };
}

let adminToken: string | undefined;
async function keystoneAdminToken(): Promise<string> {
  if (adminToken) return adminToken;
  const ks = testbedCloud(PARTNER).keystone;
  const res = await testbedFetch(`${ks.url}/v3/auth/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ auth: {
    identity: { methods: ['password'], password: { user: { name: ks.adminUser, domain: { name: 'Default' }, password: readFileSync(ks.adminPasswordFile, 'utf8').trim() } } },
    scope: { project: { name: 'admin', domain: { name: 'Default' } } } } }) });
  assert.equal(res.status, 201, await res.text());
  adminToken = res.headers.get('x-subject-token') as string;
  return adminToken;
}

async function keystoneUserId(uniqueId: string): Promise<string | undefined> {
  const found = await keystone('GET', `/v3/users?idp_id=keycloak&protocol_id=openid&unique_id=${encodeURIComponent(uniqueId)}`);
  return (found.body['users'] as { id: string }[])[0]?.id;
}

async function keystoneGroupId(name: string): Promise<string> {
  const domains = (await keystone('GET', '/v3/domains?name=fed-cloud-a')).body['domains'] as { id: string }[];
  const groups = (await keystone('GET', `/v3/groups?name=${name}&domain_id=${domains[0]!.id}`)).body['groups'] as { id: string }[];
  return groups[0]!.id;
}

/** Effective project roles of a Keystone user, "project:role". */
async function effectiveRoles(userId: string): Promise<string[]> {
  const answer = await keystone('GET', `/v3/role_assignments?user.id=${userId}&effective&include_names`);
  return (answer.body['role_assignments'] as { scope?: { project?: { name: string } }; role: { name: string } }[])
    .map((a) => `${a.scope?.project?.name}:${a.role.name}`).sort();
}

const realmPath = `/admin/realms/${PARTNER}`;
const groupId = async (realm: string, path: string) => (await adminJson<{ id: string }>(`/admin/realms/${realm}/group-by-path${path.split('/').map(encodeURIComponent).join('/')}`)).id;
async function partnerGroups(username: string): Promise<string[]> {
  const user = await findUser(PARTNER, username);
  assert.ok(user, `${username} in ${PARTNER}`);
  return (await adminJson<{ path: string }[]>(`${realmPath}/users/${user.id}/groups`)).map((g) => g.path).sort();
}

/** The real sync adapters, scoped to this test's users; `writes` counts non-GET requests on the wire except token requests. */
const scopedDeps = () => scopedRealSync(spec, (name) => name.startsWith(prefix) || name.startsWith(downstream(prefix)));

async function sync(): Promise<{ report: SyncReport; writes: number }> {
  const scoped = await scopedDeps();
  try {
    const report = await runSync(spec, scoped.deps, { clouds: [PARTNER] });
    assert.deepEqual(report.failures.map((f) => `${f.cloud} ${f.system} ${f.part}: ${String(f.error)}`), []);
    return { report, writes: scoped.writes() };
  } finally {
    await scoped.close();
  }
}

const changes = (report: SyncReport, system: string) => report.targets.filter((t) => t.system === system).flatMap((t) => t.changes.map((c) => c.op === 'createUser' ? `createUser ${c.user.username}`
  : c.op === 'createFederatedUser' ? `createFederatedUser ${c.uniqueId}` : `${c.op} ${c.username}${'group' in c ? ` ${c.group}` : ''}`)).sort();

async function createHomeUser(username: string, groups: string[]): Promise<string> {
  await adminJson('/admin/realms/cloud-a/users', jsonBody({ username, enabled: true, email: `${username}@a.example`, firstName: 'Sync', lastName: 'Test' }));
  const user = (await findUser('cloud-a', username))!;
  for (const g of groups) await adminJson(`/admin/realms/cloud-a/users/${user.id}/groups/${await groupId('cloud-a', g)}`, { method: 'PUT' });
  return user.id;
}

async function deleteUser(realm: string, username: string): Promise<void> {
  const user = await findUser(realm, username);
  if (user) await adminJson(`/admin/realms/${realm}/users/${user.id}`, { method: 'DELETE' });
}

describe(`role sync into ${PARTNER} on the real test bed`, () => {
  const homeIds: Record<string, string> = {};

  before(async () => {
    loadTestbed();
    homeIds[member] = await createHomeUser(member, [P1]);
    homeIds[admin] = await createHomeUser(admin, [ADMINS]);
  });

  after(async () => {
    for (const u of [member, admin]) {
      await deleteUser('cloud-a', u);
      await deleteUser(PARTNER, downstream(u));
      const id = await keystoneUserId(downstream(u));
      if (id) await keystone('DELETE', `/v3/users/${id}`);
    }
    await deleteUser(PARTNER, downstream(`${prefix}-hand`));
  });

  it('pre-provisions before the first login: linked realm user with mirrored groups, Keystone user with the p1 roles', async () => {
    const { report, writes } = await sync();
    assert.equal(writes, 8, 'one write per change: 2 users and 2 memberships in the realm and in Keystone');
    assert.deepEqual(changes(report, 'keycloak'), [`addMembership ${downstream(admin)} /cloud-a:${ADMINS}`, `addMembership ${downstream(member)} /cloud-a:${P1}`,
      `createUser ${downstream(admin)}`, `createUser ${downstream(member)}`]);
    const user = (await findUser(PARTNER, downstream(member)))!;
    assert.deepEqual(await federatedIdentities(PARTNER, user.id), [{ identityProvider: 'cloud-a', userId: homeIds[member], userName: member }]);
    assert.deepEqual(user.attributes?.['home_cloud'], ['cloud-a']);
    assert.deepEqual(await partnerGroups(downstream(member)), [`/cloud-a:${P1}`]);
    const keystoneId = await keystoneUserId(downstream(member));
    assert.ok(keystoneId, 'the Keystone user exists before any login');
    // Effective assignments include the roles `member` implies (Keystone's bootstrap: member implies reader).
    assert.deepEqual(await effectiveRoles(keystoneId), ['p1:member', 'p1:reader']);
    assert.deepEqual(await effectiveRoles((await keystoneUserId(downstream(admin)))!), ['p1:load-balancer_member', 'p1:member', 'p1:reader']);
  });

  it('a run without drift reports nothing and makes 0 writes', async () => {
    const { report, writes } = await sync();
    assert.ok(isInSync(report), JSON.stringify(report.targets.flatMap((t) => t.changes)));
    assert.equal(writes, 0);
  });

  it('the first federated Keystone login lands on the user sync created and gets a token scoped to p1', async () => {
    const synced = await keystoneUserId(downstream(member));
    const user = (await findUser(PARTNER, downstream(member)))!;
    await adminJson(`${realmPath}/users/${user.id}/reset-password`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'password', value: password, temporary: false }) });
    const partnerToken = await passwordGrantToken(PARTNER, downstream(member), password);
    const unscoped = await keystoneFederatedToken(PARTNER, partnerToken.access_token);
    const scoped = await keystone('POST', '/v3/auth/tokens', { auth: { identity: { methods: ['token'], token: { id: unscoped } }, scope: { project: { name: 'p1', domain: { name: 'Default' } } } } }, unscoped);
    assert.equal(scoped.status, 201, JSON.stringify(scoped.body));
    const token = scoped.body['token'] as { user: { id: string }; roles: { name: string }[]; project: { name: string } };
    assert.equal(token.user.id, synced, 'same Keystone user id');
    assert.equal(token.project.name, 'p1');
    assert.deepEqual(token.roles.map((r) => r.name).sort(), ['member', 'reader']);
    assert.equal(await keystoneUserId(downstream(member)), synced, 'no second shadow user');
  });

  it('repairs a drift made by hand (membership added in the realm, one removed in Keystone); hand-made objects stay', async () => {
    const user = (await findUser(PARTNER, downstream(member)))!;
    const adminsGroup = await groupId(PARTNER, `/cloud-a:${ADMINS}`);
    const p1Group = await groupId(PARTNER, `/cloud-a:${P1}`);
    await adminJson(`${realmPath}/users/${user.id}/groups/${adminsGroup}`, { method: 'PUT' });
    const keystoneId = (await keystoneUserId(downstream(member)))!;
    const p1Members = await keystoneGroupId('p1-members');
    assert.equal((await keystone('DELETE', `/v3/groups/${p1Members}/users/${keystoneId}`)).status, 204);
    await adminJson(`${realmPath}/users`, jsonBody({ username: downstream(`${prefix}-hand`), enabled: true }));
    const hand = (await findUser(PARTNER, downstream(`${prefix}-hand`)))!;
    await adminJson(`${realmPath}/users/${hand.id}/groups/${p1Group}`, { method: 'PUT' });

    const { report } = await sync();
    assert.deepEqual(changes(report, 'keycloak'), [`removeMembership ${downstream(member)} /cloud-a:${ADMINS}`]);
    assert.deepEqual(changes(report, 'keystone'), [`addMembership ${downstream(member)} fed-cloud-a/p1-members`]);
    assert.deepEqual(await partnerGroups(downstream(member)), [`/cloud-a:${P1}`]);
    assert.deepEqual(await effectiveRoles(keystoneId), ['p1:member', 'p1:reader']);
    assert.deepEqual(await partnerGroups(downstream(`${prefix}-hand`)), [`/cloud-a:${P1}`], 'the hand-made user keeps its membership');
    assert.equal((await sync()).writes, 0);
  });

  it('deprovisions: removed from the home group, the grants go; deleted at home, the partner user goes', async () => {
    await adminJson(`/admin/realms/cloud-a/users/${homeIds[admin]}/groups/${await groupId('cloud-a', ADMINS)}`, { method: 'DELETE' });
    await deleteUser('cloud-a', member);
    const { report } = await sync();
    assert.deepEqual(changes(report, 'keycloak'), [`deleteUser ${downstream(member)}`, `endSessions ${downstream(member)}`, `removeMembership ${downstream(admin)} /cloud-a:${ADMINS}`]);
    assert.deepEqual(changes(report, 'keystone'), [`deleteApplicationCredentials ${downstream(admin)}`, `deleteFederatedUser ${downstream(member)}`,
      `removeMembership ${downstream(admin)} fed-cloud-a/p1-admins`, `revokeTokens ${downstream(admin)}`]);
    assert.equal(await findUser(PARTNER, downstream(member)), undefined);
    assert.deepEqual(await partnerGroups(downstream(admin)), []);
    assert.deepEqual(await effectiveRoles((await keystoneUserId(downstream(admin)))!), []);
    assert.equal(await keystoneUserId(downstream(member)), undefined, 'the Keystone user of a user deleted at home is deleted too');
    const again = await sync();
    assert.ok(isInSync(again.report), 'a re-run does not revoke again');
    assert.equal(again.writes, 0);
  });
});
