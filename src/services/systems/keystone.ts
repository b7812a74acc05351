// Keystone's I/O half: ask each Keystone what it supports before rendering (the mapping depends on it).
import type { KeystoneCapabilities } from '../../core/render/keystone/index.ts';
import { KEYSTONE_SYSTEM, keystoneInSyncMessage } from '../../core/systems/keystone.ts';
import { keystoneRevocable, unreadableFact } from '../../core/sync/revocation-facts.ts';
import type { KeystoneAdminPort } from '../../ports.ts';
import type { ManagedSystem, PlanContext } from './model.ts';

/** What a Keystone that cannot be asked is rendered with; its objects are left out of the plan anyway. */
/** How many federated users `status` looks at for expiring memberships. */
const AUTHORIZATION_TTL_SAMPLE = 20;

const UNKNOWN_KEYSTONE: KeystoneCapabilities = { honoursRuleDomain: false, evidence: 'unknown: Keystone unreachable' };

export function keystoneSystem(admin: (cloud: string) => KeystoneAdminPort): ManagedSystem {
  return {
    description: KEYSTONE_SYSTEM,
    render: async ({ spec, unreachable }: PlanContext) => {
      const capabilities = Object.fromEntries(await Promise.all(KEYSTONE_SYSTEM.scopes(spec).map(async ({ cloud }) => {
        try {
          return [cloud, await admin(cloud).capabilities()] as const;
        } catch (error) {
          unreachable.push({ system: KEYSTONE_SYSTEM.name, cloud, part: 'system', error });
          return [cloud, UNKNOWN_KEYSTONE] as const;
        }
      })));
      return { desired: KEYSTONE_SYSTEM.render(spec, capabilities) };
    },
    adapter: (cloud) => admin(cloud),
    ownIdentities: async (cloud) => [await admin(cloud.alias).ownIdentity().then((identity) => ({ identity }), (error: unknown) => ({ error }))],
    revocationFacts: async (cloud) => {
      const idp = cloud.keystone?.identityProvider;
      if (!idp) return [];
      return [await admin(cloud.alias).authorizationTtl(idp, AUTHORIZATION_TTL_SAMPLE).then((facts) => keystoneRevocable(idp, facts), (error: unknown) => unreadableFact('KeystoneGrantsRevocable', error))];
    },
    inSyncMessage: async (cloud) => keystoneInSyncMessage(await admin(cloud.alias).capabilities().catch(() => undefined)),
  };
}
