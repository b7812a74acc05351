// Builds the Keycloak admin adapter of one cloud from its spec entry: resolves the admin secret,
// reads the CA bundle (paths relative to the spec's folder) and guards every call with HttpOut,
// which may call the cloud's Keycloak origin only.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BrokerError } from '../../core/errors.ts';
import type { CloudSpec } from '../../core/federation/schema.ts';
import { HttpOut } from '../http-out.ts';
import { resolveSecret } from '../secrets.ts';
import { KeycloakAdmin } from './admin.ts';
import type { AdminCredentials } from './admin-token.ts';

/** The HTTP module for one cloud's Keycloak: its origin only, its CA bundle (plus the system CAs). */
export async function keycloakHttpOut(cloud: CloudSpec, baseDir: string): Promise<HttpOut> {
  const caPem = cloud.keycloak.caFile ? [await readCaFile(cloud, resolve(baseDir, cloud.keycloak.caFile))] : [];
  return new HttpOut({ allowedOrigins: [new URL(cloud.keycloak.url).origin], caPem });
}

export async function createKeycloakAdmin(cloud: CloudSpec, baseDir: string): Promise<KeycloakAdmin> {
  const { admin } = cloud.keycloak;
  const credentials: AdminCredentials = 'password' in admin
    ? { grant: 'password', clientId: admin.clientId, username: admin.username, password: await resolveSecret(admin.password, baseDir) }
    : { grant: 'client_credentials', clientId: admin.clientId, clientSecret: await resolveSecret(admin.clientSecret, baseDir) };
  const http = await keycloakHttpOut(cloud, baseDir);
  return new KeycloakAdmin({ cloud: cloud.alias, baseUrl: cloud.keycloak.url, adminRealm: admin.realm, credentials, fetch: http.fetch, close: () => http.close() });
}

async function readCaFile(cloud: CloudSpec, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new BrokerError('ERR_CONFIG_INVALID', `the CA bundle of cloud ${cloud.alias}'s Keycloak cannot be read (${cloud.keycloak.caFile})`,
      { cause, details: { cloud: cloud.alias, caFile: cloud.keycloak.caFile } });
  }
}
