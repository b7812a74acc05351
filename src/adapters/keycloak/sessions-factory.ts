// Builds the logout adapter (KeycloakSessions) of one cloud from its spec entry, over the cloud's one
// Keycloak client (./client.ts), like ./factory.ts does for the admin adapter.
import type { CloudSpec } from '../../core/federation/schema.ts';
import { createKeycloakClient, type KeycloakClient } from './client.ts';
import { KeycloakSessions } from './sessions.ts';

export { keycloakAdminCredentials } from './client.ts';

/** The sessions adapter over `client` (default: a client of its own). */
export async function createKeycloakSessions(cloud: CloudSpec, baseDir: string, client?: KeycloakClient): Promise<KeycloakSessions> {
  const over = client ?? await createKeycloakClient(cloud, baseDir);
  return new KeycloakSessions({ rest: over.rest, warmUp: () => over.warmUp(), ...(!client && { close: () => over.close() }) });
}
