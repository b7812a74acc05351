// Keystone as a managed system: one Keystone per partner cloud with a keystone section (scope
// KEYSTONE_SCOPE), rendered from the spec and what each Keystone supports.
import { KEYSTONE_KIND_ORDER, KEYSTONE_SCOPE, keystonePartners, renderKeystone, type KeystoneCapabilities, type KeystoneCapabilitiesByCloud } from '../render/keystone/index.ts';
import type { DesiredObject, ObjectAddress } from '../plan/model.ts';
import type { SystemDescription } from './model.ts';

export const KEYSTONE_SYSTEM: SystemDescription<KeystoneCapabilitiesByCloud> = {
  name: 'keystone', title: 'Keystone', scopeLabel: 'scope', kindOrder: KEYSTONE_KIND_ORDER,
  condition: { type: 'KeystoneConfigured', inSync: 'Keystone matches the spec' },
  carriesPolicy: true,
  configuredIn: (cloud) => !!cloud.keystone,
  scopes: (spec) => keystonePartners(spec).map((c) => ({ cloud: c.alias, scope: KEYSTONE_SCOPE })),
  render: renderKeystone,
  needs: keystoneNeeds,
};

/** The protocol joins the identity provider and the mapping. */
function keystoneNeeds(desired: DesiredObject): ObjectAddress[] {
  if (desired.kind !== 'protocol') return [];
  const { identityProvider, mapping_id: mapping } = desired.fields;
  const at = (kind: string, name: unknown) => ({ system: desired.system, cloud: desired.cloud, scope: desired.scope, kind, name: String(name) });
  return [at('identityProvider', identityProvider), at('mapping', mapping)];
}

/** The status message of a Keystone in sync: where ephemeral users land (capabilities undefined: not known). */
export function keystoneInSyncMessage(capabilities: KeystoneCapabilities | undefined): string {
  const where = capabilities
    ? (capabilities.honoursRuleDomain ? 'ephemeral users land in their fed-<home> domain' : 'ephemeral users land in the identity provider\'s domain (Keystone before 2024.1)')
    : 'capabilities unknown';
  return `${KEYSTONE_SYSTEM.condition.inSync}; ${where}`;
}
