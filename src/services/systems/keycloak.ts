// Keycloak's I/O half: before rendering, read each home cloud's identity-provider metadata and check
// that every realm and partner client the spec names exists; when applying, fetch the client secrets
// the identity providers point at.
import { BrokerError, isBrokerError } from '../../core/errors.ts';
import type { JsonValue } from '../../core/json.ts';
import { isSecretFromClient } from '../../core/render/keycloak/client-secret.ts';
import { metadataDependentObjects, placeholderMetadata, type HomeMetadataByCloud } from '../../core/render/keycloak/index.ts';
import type { HomeMetadata } from '../../core/render/keycloak/metadata.ts';
import type { CloudSpec, FederationSpec } from '../../core/federation/schema.ts';
import { trustEdges } from '../../core/federation/trust.ts';
import { KEYCLOAK_SYSTEM } from '../../core/systems/keycloak.ts';
import { kubernetesTokenBound, unreadableFact } from '../../core/sync/revocation-facts.ts';
import type { HomeMetadataPort, KeycloakAdminPort } from '../../ports.ts';
import type { ManagedSystem, PlanContext, UnreachablePart } from './model.ts';

export interface KeycloakSystemPorts {
  admin(cloud: string): KeycloakAdminPort;
  homeMetadata: HomeMetadataPort;
}

export function keycloakSystem(ports: KeycloakSystemPorts): ManagedSystem {
  return {
    description: KEYCLOAK_SYSTEM,
    render: async ({ spec, unreachable }: PlanContext) => {
      const metadata = await readHomeMetadata(spec, ports.homeMetadata, unreachable);
      await checkRealmsAndClients(spec, ports, unreachable);
      return { desired: KEYCLOAK_SYSTEM.render(spec, metadata), heldBack: heldBack(spec, metadata, unreachable) };
    },
    adapter: (cloud) => ports.admin(cloud),
    ownIdentities: async (cloud) => [await ports.admin(cloud.alias).ownIdentity().then((identity) => ({ identity }), (error: unknown) => ({ error }))],
    // Kubernetes keeps nothing per user: the partner tokens' lifetime bounds a removal there.
    revocationFacts: (cloud) => Promise.all((cloud.kubernetes?.clusters ?? []).map((cluster) =>
      ports.admin(cloud.alias).tokenLifetime(cloud.keycloak.realm, cluster.audience).then(
        (lifetime) => kubernetesTokenBound(cluster.name, lifetime, cluster.tokenLifetimeSeconds),
        (error: unknown) => ({ ...unreadableFact('KubernetesTokenLifetimeBound', error), scope: cluster.name })))),
    resolveWriteOnly: async (value: JsonValue) => (isSecretFromClient(value)
      ? ports.admin(value.$secretFromClient.cloud).clientSecret(value.$secretFromClient.realm, value.$secretFromClient.clientId)
      : value),
  };
}

async function readHomeMetadata(spec: FederationSpec, homeMetadata: HomeMetadataPort, unreachable: UnreachablePart[]): Promise<HomeMetadataByCloud> {
  const homes = [...new Set(trustEdges(spec).map((e) => e.home))];
  const clouds = new Map(spec.clouds.map((c) => [c.alias, c]));
  const entries = await Promise.all(homes.map(async (alias): Promise<[string, HomeMetadata]> => {
    const home = clouds.get(alias) as CloudSpec;
    try {
      return [alias, await homeMetadata.read(home)];
    } catch (error) {
      unreachable.push({ system: KEYCLOAK_SYSTEM.name, cloud: alias, part: 'metadata', error });
      return [alias, placeholderMetadata(home)];
    }
  }));
  return Object.fromEntries(entries);
}

/** A missing realm or client is a spec error (thrown); a Keycloak that cannot be asked is unreachable. */
async function checkRealmsAndClients(spec: FederationSpec, ports: KeycloakSystemPorts, unreachable: UnreachablePart[]): Promise<void> {
  const partners = new Set(trustEdges(spec).map((e) => e.partner));
  await Promise.all(spec.clouds.map(async (cloud) => {
    try {
      await checkRealmAndClients(cloud, partners.has(cloud.alias), ports.admin(cloud.alias));
    } catch (error) {
      if (isBrokerError(error) && (error.code === 'ERR_KEYCLOAK_REALM_NOT_FOUND' || error.code === 'ERR_KEYCLOAK_CLIENT_NOT_FOUND')) throw error;
      unreachable.push({ system: KEYCLOAK_SYSTEM.name, cloud: cloud.alias, part: 'system', error });
    }
  }));
}

async function checkRealmAndClients(cloud: CloudSpec, isPartner: boolean, keycloak: KeycloakAdminPort): Promise<void> {
  if (!(await keycloak.realmExists(cloud.keycloak.realm))) {
    throw new BrokerError('ERR_KEYCLOAK_REALM_NOT_FOUND', `realm "${cloud.keycloak.realm}" of cloud ${cloud.alias} does not exist at ${cloud.keycloak.url}`,
      { details: { cloud: cloud.alias, realm: cloud.keycloak.realm } });
  }
  if (!isPartner) return;
  const clients = [cloud.keystone?.audience, ...(cloud.kubernetes?.clusters ?? []).map((c) => c.audience)].filter((c): c is string => !!c);
  for (const clientId of new Set(clients)) {
    if (!(await keycloak.clientExists(cloud.keycloak.realm, clientId))) {
      throw new BrokerError('ERR_KEYCLOAK_CLIENT_NOT_FOUND', `client "${clientId}" named in the spec for cloud ${cloud.alias} does not exist in realm "${cloud.keycloak.realm}"`,
        { details: { cloud: cloud.alias, realm: cloud.keycloak.realm, clientId } });
    }
  }
}

/** The identity providers (and mappers) of homes whose metadata could not be read: neither written nor deleted. */
function heldBack(spec: FederationSpec, metadata: HomeMetadataByCloud, unreachable: readonly UnreachablePart[]) {
  const homes = unreachable.filter((u) => u.part === 'metadata').map((u) => u.cloud);
  return homes.flatMap((home) => metadataDependentObjects(spec, home, metadata[home] as HomeMetadata));
}
