// Builds the logout adapter (KeycloakSessions) of one cloud from its spec entry, like ./factory.ts
// does for the admin adapter: resolved admin secret, the cloud's CA bundle, HttpOut for its origin.
import type { CloudSpec } from '../../core/federation/schema.ts';
import { resolveSecret } from '../secrets.ts';
import type { AdminCredentials } from './admin-token.ts';
import { keycloakHttpOut } from './factory.ts';
import { KeycloakSessions } from './sessions.ts';

export async function keycloakAdminCredentials(cloud: CloudSpec, baseDir: string): Promise<AdminCredentials> {
  const { admin } = cloud.keycloak;
  return 'password' in admin
    ? { grant: 'password', clientId: admin.clientId, username: admin.username, password: await resolveSecret(admin.password, baseDir) }
    : { grant: 'client_credentials', clientId: admin.clientId, clientSecret: await resolveSecret(admin.clientSecret, baseDir) };
}

export async function createKeycloakSessions(cloud: CloudSpec, baseDir: string): Promise<KeycloakSessions> {
  const http = await keycloakHttpOut(cloud, baseDir);
  return new KeycloakSessions({
    cloud: cloud.alias, baseUrl: cloud.keycloak.url, adminRealm: cloud.keycloak.admin.realm,
    credentials: await keycloakAdminCredentials(cloud, baseDir), fetch: http.fetch, close: () => http.close(),
  });
}
