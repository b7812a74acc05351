// The contract suites of the home-cloud ports (directory, metadata) and of the Keycloak sessions
// port on the real adapters against the test bed's Keycloak: alice (group /projects/p1/members) and
// bob (no group) of cloud-a's realm; cloud-a's OIDC and cloud-c's SAML metadata; a throw-away user of
// cloud-b's realm for sessions, deleted afterwards. Fails, never skips, when the test bed is not running.
import { after } from 'node:test';
import { createKeycloakHomeDirectory } from '../../src/adapters/keycloak/home-directory.ts';
import { KeycloakHomeMetadata } from '../../src/adapters/keycloak/home-metadata.ts';
import { createKeycloakSessions } from '../../src/adapters/keycloak/sessions-factory.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import { homeDirectoryContract, homeMetadataContract } from '../contract/home-ports.contract.ts';
import { keycloakSessionsContract } from '../contract/keycloak-sessions.contract.ts';
import { exampleSpec } from '../support/example-federation.ts';
import { adminJson, deleteUserIfPresent, findUser, jsonBody } from '../support/keycloak-admin.ts';
import { keycloakAdminFetch, loadTestbed, passwordGrantToken } from '../support/testbed.ts';

/** A demo cloud pointed at the running test bed's Keycloak (absolute CA and secret paths). */
function testbedCloud(alias: string): CloudSpec {
  const { caFile, keycloak } = loadTestbed();
  const spec = exampleSpec((doc) => {
    for (const c of doc.clouds) {
      Object.assign(c.keycloak, { url: keycloak.url, caFile, admin: { realm: 'master', username: keycloak.adminUser, password: { file: keycloak.adminPasswordFile } } });
    }
  });
  return spec.clouds.find((c) => c.alias === alias) as CloudSpec;
}

const closers: (() => Promise<void>)[] = [];
after(async () => { for (const close of closers) await close(); });

homeDirectoryContract('Keycloak (cloud-a)', async () => {
  const port = await createKeycloakHomeDirectory(testbedCloud('cloud-a'), '/');
  closers.push(() => port.close());
  return { port, member: { username: 'alice', groups: ['/projects/p1/members'] }, loner: 'bob' };
});

homeMetadataContract('Keycloak (cloud-a OIDC, cloud-c SAML)', async () => ({
  port: new KeycloakHomeMetadata({ baseDir: '/' }), oidc: testbedCloud('cloud-a'), saml: testbedCloud('cloud-c'),
}));

const SESSIONS_REALM = 'cloud-b';
const created: string[] = [];
const createdProviders: string[] = [];
after(async () => {
  for (const username of created) await deleteUserIfPresent(SESSIONS_REALM, username);
  for (const alias of createdProviders) await keycloakAdminFetch(`/admin/realms/${SESSIONS_REALM}/identity-provider/instances/${alias}`, { method: 'DELETE' });
});

/** A throw-away OIDC identity provider in the realm, as the broker renders one (back-channel logout on). */
async function newIdentityProvider() {
  const alias = `contract-idp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  createdProviders.push(alias);
  const issuer = `${loadTestbed().keycloak.url}/realms/cloud-a`;
  await adminJson(`/admin/realms/${SESSIONS_REALM}/identity-provider/instances`, jsonBody({ alias, providerId: 'oidc', enabled: true, config: {
    issuer, authorizationUrl: `${issuer}/protocol/openid-connect/auth`, tokenUrl: `${issuer}/protocol/openid-connect/token`,
    logoutUrl: `${issuer}/protocol/openid-connect/logout`, clientId: `client-of-${alias}`, clientSecret: 'contract-secret', clientAuthMethod: 'client_secret_post',
    backchannelSupported: 'true', syncMode: 'FORCE',
  } }));
  const read = () => adminJson<{ config: Record<string, string> }>(`/admin/realms/${SESSIONS_REALM}/identity-provider/instances/${alias}`);
  return { alias, handover: async () => (await read()).config['backchannelSupported'] === 'true', clientId: async () => (await read()).config['clientId'] };
}

keycloakSessionsContract(`Keycloak (${SESSIONS_REALM})`, async () => {
  const port = await createKeycloakSessions(testbedCloud(SESSIONS_REALM), '/');
  closers.push(() => port.close());
  return { port, realm: SESSIONS_REALM, newUser: async () => {
    const username = `contract-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const password = `${username}-pw`;
    created.push(username);
    await adminJson(`/admin/realms/${SESSIONS_REALM}/users`, jsonBody({ username, enabled: true, emailVerified: true, email: `${username}@b.example`,
      firstName: 'Contract', lastName: 'Test', credentials: [{ type: 'password', value: password, temporary: false }] }));
    const user = await findUser(SESSIONS_REALM, username);
    if (!user) throw new Error(`user ${username} was not created in ${SESSIONS_REALM}`);
    return { id: user.id, username, login: async () => { await passwordGrantToken(SESSIONS_REALM, username, password); } };
  }, newIdentityProvider };
});
