// Keycloak as a managed system: one realm per cloud (scope = realm), rendered from the spec and the
// home clouds' identity-provider metadata. Its hooks handle the client secrets identity providers
// point at (render/keycloak/client-secret.ts): shown as their source, re-written when the client is new,
// and not attempted when that client failed or its realm cannot be read (render/keycloak/needs.ts).
import { describeSecretSource, rewriteSecretsOfNewClients } from '../render/keycloak/client-secret.ts';
import { renderKeycloak, type HomeMetadataByCloud } from '../render/keycloak/index.ts';
import { KEYCLOAK_KIND_ORDER } from '../render/keycloak/model.ts';
import { keycloakNeeds } from '../render/keycloak/needs.ts';
import type { SystemDescription } from './model.ts';

export const KEYCLOAK_SYSTEM: SystemDescription<HomeMetadataByCloud> = {
  name: 'keycloak', title: 'Keycloak', scopeLabel: 'realm', kindOrder: KEYCLOAK_KIND_ORDER,
  condition: { type: 'RealmConfigured', inSync: 'realm matches the spec' },
  carriesPolicy: true,
  configuredIn: () => true,
  scopes: (spec) => spec.clouds.map((c) => ({ cloud: c.alias, scope: c.keycloak.realm })),
  render: renderKeycloak,
  describeWriteOnly: describeSecretSource,
  needs: keycloakNeeds,
  revisePlan: rewriteSecretsOfNewClients,
};
