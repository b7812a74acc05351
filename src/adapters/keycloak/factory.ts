// Builds the Keycloak admin adapter of one cloud from its spec entry, over the cloud's one Keycloak
// client (./client.ts: resolved admin secret, the CA bundle, HttpOut for the cloud's origin only).
import type { CloudSpec } from '../../core/federation/schema.ts';
import { KeycloakAdmin } from './admin.ts';
import { createKeycloakClient, type KeycloakClient } from './client.ts';

export { keycloakHttpOut } from './client.ts';

/** The admin adapter over `client` (default: a client of its own). */
export async function createKeycloakAdmin(cloud: CloudSpec, baseDir: string, client?: KeycloakClient): Promise<KeycloakAdmin> {
  const over = client ?? await createKeycloakClient(cloud, baseDir);
  return new KeycloakAdmin({ rest: over.rest, ...(!client && { close: () => over.close() }) });
}
