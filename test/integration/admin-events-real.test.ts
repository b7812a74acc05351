// The HomeAdminEventsPort contract on the real adapter against the test bed's Keycloak 26.7.3, realm
// cloud-a: a throw-away home user `events-<tag>` whose membership in /projects/p1/members is removed and
// added back by the test bed's admin, and updated by the broker's own identity; removed afterwards.
// Fails, never skips, when the test bed is not running.
import { after, before } from 'node:test';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { composeSync, type ComposedSync } from '../../src/cli/sync-compose.ts';
import { adminEventsContract } from '../contract/admin-events.contract.ts';
import { EXAMPLE_SPEC_PATH, exampleSpec } from '../support/example-federation.ts';
import { adminJson, deleteUserIfPresent, findUser, jsonBody } from '../support/keycloak-admin.ts';
import { loadTestbed } from '../support/testbed.ts';

const spec = exampleSpec();
const username = `events-${randomBytes(3).toString('hex')}`;
let deps: ComposedSync;
let userId: string;
let groupId: string;
const pause = () => new Promise((r) => setTimeout(r, 5));

before(async () => {
  loadTestbed();
  deps = await composeSync(spec, dirname(EXAMPLE_SPEC_PATH));
  await adminJson('/admin/realms/cloud-a/users', jsonBody({ username, enabled: true }));
  userId = (await findUser('cloud-a', username))!.id;
  groupId = (await adminJson<{ id: string }>('/admin/realms/cloud-a/group-by-path/projects/p1/members')).id;
  await adminJson(`/admin/realms/cloud-a/users/${userId}/groups/${groupId}`, { method: 'PUT' });
});

after(async () => {
  await deleteUserIfPresent('cloud-a', username);
  await deps.close();
});

adminEventsContract('Keycloak (realm cloud-a)', async () => ({
  port: deps.adminEvents('cloud-a'), realm: 'cloud-a',
  removeAndAddBack: async () => {
    await pause();
    const since = Date.now();
    await adminJson(`/admin/realms/cloud-a/users/${userId}/groups/${groupId}`, { method: 'DELETE' });
    await adminJson(`/admin/realms/cloud-a/users/${userId}/groups/${groupId}`, { method: 'PUT' });
    return { userId, since };
  },
  brokerWrite: async () => {
    await pause();
    const since = Date.now();
    await deps.partnerRealm('cloud-a').setEnabled('cloud-a', userId, true);
    return { userId, since };
  },
}));
