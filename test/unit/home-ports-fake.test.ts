// The contract suites of the home-cloud ports (directory, metadata) and of the Keycloak sessions
// port, on the fakes; test/integration/home-ports-real.test.ts runs the same suites on the real adapters.
import { FakeHomeDirectory, FakeHomeMetadata } from '../../src/adapters/fakes/home.ts';
import { FakeKeycloakSessions } from '../../src/adapters/fakes/logout.ts';
import type { CloudSpec } from '../../src/core/federation/schema.ts';
import { homeDirectoryContract, homeMetadataContract } from '../contract/home-ports.contract.ts';
import { keycloakSessionsContract } from '../contract/keycloak-sessions.contract.ts';
import { exampleSpec } from '../support/example-federation.ts';

const spec = exampleSpec();
const cloud = (alias: string) => spec.clouds.find((c) => c.alias === alias) as CloudSpec;

homeDirectoryContract('fake', async () => {
  const port = new FakeHomeDirectory('cloud-a');
  port.addUser('alice', ['/projects/p1/members', '/projects/p1/admins']);
  port.addUser('bob');
  return { port, member: { username: 'alice', groups: ['/projects/p1/members', '/projects/p1/admins'] }, loner: 'bob' };
});

homeMetadataContract('fake', async () => {
  const port = new FakeHomeMetadata();
  for (const c of spec.clouds) port.addRealm(c.keycloak.url, c.keycloak.realm);
  return { port, oidc: cloud('cloud-a'), saml: cloud('cloud-c') };
});

keycloakSessionsContract('fake', async () => {
  const port = new FakeKeycloakSessions('cloud-a');
  let n = 0;
  return { port, realm: 'cloud-a', newUser: async () => {
    n += 1;
    const user = { id: `user-${n}-id`, username: `user-${n}` };
    port.addUser('cloud-a', { ...user, attributes: {}, federatedIdentities: [] });
    return { ...user, login: async () => { port.sessionsByUser.get(user.id)?.push({ id: `session-${n}-${port.sessionsByUser.get(user.id)?.length}`, startedAt: Date.now() }); } };
  }, newIdentityProvider: async () => {
    n += 1;
    const alias = `idp-${n}`;
    return { alias, handover: async () => !port.handoverOff.has(`cloud-a/${alias}`), clientId: async () => `client-of-${alias}` };
  } };
});
