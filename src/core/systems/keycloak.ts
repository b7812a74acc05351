// Keycloak as a managed system: one realm per cloud (scope = realm), rendered from the spec and the
// home clouds' identity-provider metadata.
import type { JsonValue } from '../json.ts';
import { isSecretFromClient } from '../plan/model.ts';
import { rewriteSecretsOfNewClients } from '../plan/secrets.ts';
import { renderKeycloak, type HomeMetadataByCloud } from '../render/keycloak/index.ts';
import { KEYCLOAK_KIND_ORDER } from '../render/keycloak/model.ts';
import type { SystemDescription } from './model.ts';

export const KEYCLOAK_SYSTEM: SystemDescription<HomeMetadataByCloud> = {
  name: 'keycloak', title: 'Keycloak', scopeLabel: 'realm', kindOrder: KEYCLOAK_KIND_ORDER,
  condition: { type: 'RealmConfigured', inSync: 'realm matches the spec' },
  configuredIn: () => true,
  scopes: (spec) => spec.clouds.map((c) => ({ cloud: c.alias, scope: c.keycloak.realm })),
  render: renderKeycloak,
  describeWriteOnly: (value: JsonValue) => (isSecretFromClient(value)
    ? `(secret of client ${value.$secretFromClient.clientId} in ${value.$secretFromClient.cloud})` : undefined),
  revisePlan: rewriteSecretsOfNewClients,
};
