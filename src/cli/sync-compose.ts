// Composition of `fedbroker sync`: one Keycloak client per cloud (its home directory and its partner
// realms share it), one Keystone client per cloud that has a Keystone.
import { createKeycloakClient, type KeycloakClient } from '../adapters/keycloak/client.ts';
import { KeycloakHomeDirectory } from '../adapters/keycloak/home-directory.ts';
import { KeycloakPartnerSync } from '../adapters/keycloak/partner-sync.ts';
import { createKeystoneClient, type KeystoneClient } from '../adapters/keystone/factory.ts';
import { KeystoneSync } from '../adapters/keystone/sync.ts';
import { BrokerError } from '../core/errors.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import type { HttpOutOptions } from '../adapters/http-out.ts';
import type { SyncDeps } from '../services/sync.ts';

/** `onRequest` sees every request the sync's HTTP modules send (tests count the writes with it). */
export async function composeSync(spec: FederationSpec, baseDir: string, onRequest?: HttpOutOptions['onRequest']): Promise<SyncDeps & { close(): Promise<void> }> {
  const observe = onRequest ? { onRequest } : {};
  const keycloak = new Map<string, KeycloakClient>();
  const keystone = new Map<string, KeystoneClient>();
  for (const cloud of spec.clouds) {
    keycloak.set(cloud.alias, await createKeycloakClient(cloud, baseDir, observe));
    if (cloud.keystone) keystone.set(cloud.alias, await createKeystoneClient(cloud, baseDir, observe));
  }
  const client = (cloud: string) => {
    const c = keycloak.get(cloud);
    if (!c) throw new BrokerError('ERR_INTERNAL', `no Keycloak client for cloud ${cloud}`, { details: { cloud } });
    return c;
  };
  const realmOf = (cloud: string) => spec.clouds.find((c) => c.alias === cloud)?.keycloak.realm ?? cloud;
  const homes = new Map(spec.clouds.map((c) => [c.alias, new KeycloakHomeDirectory({ cloud: c.alias, realm: realmOf(c.alias), rest: client(c.alias).rest })]));
  const partners = new Map(spec.clouds.map((c) => [c.alias, new KeycloakPartnerSync(client(c.alias).rest)]));
  const keystones = new Map(spec.clouds.flatMap((c) => {
    const k = keystone.get(c.alias);
    return k && c.keystone ? [[c.alias, new KeystoneSync({ rest: k.rest, identityProvider: c.keystone.identityProvider })] as const] : [];
  }));
  return {
    homeDirectory: (cloud) => homes.get(cloud) as KeycloakHomeDirectory,
    partnerRealm: (cloud) => partners.get(cloud) as KeycloakPartnerSync,
    keystone: (cloud) => keystones.get(cloud),
    close: async () => {
      for (const c of keycloak.values()) await c.close();
      for (const c of keystone.values()) await c.close();
    },
  };
}
