// The role-sync port contracts on the real adapters against the test bed's cloud-b (realm and
// Keystone): throw-away users `cloud-a.contract-<tag>-N` and a hand-made group, all removed afterwards.
// Fails, never skips, when the test bed is not running.
import { after, before } from 'node:test';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { composeSync } from '../../src/cli/sync-compose.ts';
import type { KeystoneSyncPort } from '../../src/ports.ts';
import { keystoneSyncContract, partnerRealmSyncContract } from '../contract/sync-ports.contract.ts';
import { EXAMPLE_SPEC_PATH, exampleSpec } from '../support/example-federation.ts';
import { adminJson, deleteUserIfPresent, jsonBody } from '../support/keycloak-admin.ts';
import { keystoneAdminApi } from '../support/keystone-testbed.ts';
import { sessionIdsOfUser } from '../support/sessions.ts';
import { loadTestbed, passwordGrantToken, testbedCloud, testbedFetch } from '../support/testbed.ts';

const spec = exampleSpec();
const tag = randomBytes(3).toString('hex');
const handMadeGroup = `/contract-${tag}`;
const usernames: string[] = [];
const localKeystoneUsers: string[] = [];
const password = `pw-${randomBytes(8).toString('hex')}`;
let n = 0;
const fresh = () => { const name = `cloud-a.contract-${tag}-${++n}`; usernames.push(name); return name; };
let deps: Awaited<ReturnType<typeof composeSync>>;

before(async () => {
  loadTestbed();
  deps = await composeSync(spec, dirname(EXAMPLE_SPEC_PATH));
  await adminJson('/admin/realms/cloud-b/groups', jsonBody({ name: handMadeGroup.slice(1) }));
});

after(async () => {
  for (const u of usernames) await deleteUserIfPresent('cloud-b', u);
  const group = await adminJson<{ id: string }>(`/admin/realms/cloud-b/group-by-path${handMadeGroup}`);
  await adminJson(`/admin/realms/cloud-b/groups/${group.id}`, { method: 'DELETE' });
  const ks = testbedCloud('cloud-b').keystone;
  const auth = await testbedFetch(`${ks.url}/v3/auth/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ auth: {
    identity: { methods: ['password'], password: { user: { name: ks.adminUser, domain: { name: 'Default' }, password: readFileSync(ks.adminPasswordFile, 'utf8').trim() } } },
    scope: { project: { name: 'admin', domain: { name: 'Default' } } } } }) });
  const token = auth.headers.get('x-subject-token') as string;
  for (const id of localKeystoneUsers) await (await testbedFetch(`${ks.url}/v3/users/${id}`, { method: 'DELETE', headers: { 'X-Auth-Token': token } })).text();
  for (const u of usernames) {
    const found = await (await testbedFetch(`${ks.url}/v3/users?idp_id=keycloak&protocol_id=openid&unique_id=${encodeURIComponent(u)}`, { headers: { 'X-Auth-Token': token } })).json() as { users: { id: string }[] };
    for (const user of found.users) await (await testbedFetch(`${ks.url}/v3/users/${user.id}`, { method: 'DELETE', headers: { 'X-Auth-Token': token } })).text();
  }
  await deps.close();
});

partnerRealmSyncContract('Keycloak (realm cloud-b, home cloud-a)', async () => ({
  port: deps.partnerRealm('cloud-b'), realm: 'cloud-b', federation: spec.metadata.name, home: 'cloud-a',
  ownedGroup: '/cloud-a:/projects/p1/members', handMadeGroup, newUsername: fresh,
  addHandMadeUser: async (username) => { await adminJson('/admin/realms/cloud-b/users', jsonBody({ username, enabled: true })); },
  startSession: async (userId, username) => {
    // The realm's user profile wants e-mail and names before a login ("Account is not fully set up").
    const user = await adminJson<Record<string, unknown>>(`/admin/realms/cloud-b/users/${userId}`);
    await adminJson(`/admin/realms/cloud-b/users/${userId}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...user, email: `${username}@contract.example`, emailVerified: true, firstName: 'Contract', lastName: 'Test', requiredActions: [] }) });
    await adminJson(`/admin/realms/cloud-b/users/${userId}/reset-password`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'password', value: password, temporary: false }) });
    await passwordGrantToken('cloud-b', username, password);
  },
  sessionCount: async (userId) => (await sessionIdsOfUser('cloud-b', userId)).length,
}));

/** A local Keystone user of cloud-b with member on p1, her own p1-scoped token, and `credentials` application credentials she made. */
async function localUserWithCredentials(credentials: number): Promise<{ userId: string; token: string }> {
  const api = await keystoneAdminApi('cloud-b');
  const name = `contract-${tag}-local-${++n}`;
  const user = (await api.send('POST', '/v3/users', { user: { name, password, domain_id: 'default', enabled: true } }))['user'] as { id: string };
  localKeystoneUsers.push(user.id);
  const project = ((await api.get('/v3/projects?name=p1'))['projects'] as { id: string }[])[0]!;
  const role = ((await api.get('/v3/roles?name=member'))['roles'] as { id: string }[])[0]!;
  await api.send('PUT', `/v3/projects/${project.id}/users/${user.id}/roles/${role.id}`);
  const ks = testbedCloud('cloud-b').keystone;
  const auth = await testbedFetch(`${ks.url}/v3/auth/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ auth: {
    identity: { methods: ['password'], password: { user: { id: user.id, password } } }, scope: { project: { id: project.id } } } }) });
  await auth.text();
  const token = auth.headers.get('x-subject-token') as string;
  for (let i = 0; i < credentials; i++) {
    const res = await testbedFetch(`${ks.url}/v3/users/${user.id}/application_credentials`, { method: 'POST', headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ application_credential: { name: `c${i}` } }) });
    if (res.status !== 201) throw new Error(`application credential: ${res.status} ${await res.text()}`);
    await res.text();
  }
  return { userId: user.id, token };
}

keystoneSyncContract('Keystone (cloud-b)', async () => ({
  port: deps.keystone('cloud-b') as KeystoneSyncPort, federation: spec.metadata.name, ownedGroup: 'fed-cloud-a/p1-members', newUniqueId: fresh,
  userWithCredentials: localUserWithCredentials,
  tokenAccepted: async (token) => {
    // A token validates itself (GET /v3/auth/tokens): 200 while it is good, 401 once revoked.
    const res = await testbedFetch(`${testbedCloud('cloud-b').keystone.url}/v3/auth/tokens?nocatalog`, { headers: { 'X-Auth-Token': token, 'X-Subject-Token': token } });
    await res.text();
    return res.status === 200;
  },
  applicationCredentialCount: async (userId) => (((await (await keystoneAdminApi('cloud-b')).get(`/v3/users/${userId}/application_credentials`))['application_credentials'] as unknown[]) ?? []).length,
}));
