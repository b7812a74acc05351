// What a Keycloak object's write needs from other objects (src/core/plan/dependencies.ts): a partner
// realm's identity provider reads its client secret from the home realm's fed-<partner> client; a
// mapper is written under its identity provider. When those failed or cannot be read, they wait too.
import type { PartAddress } from '../../plan/dependencies.ts';
import type { DesiredObject, ObjectAddress } from '../../plan/model.ts';
import { isSecretFromClient } from './client-secret.ts';

export function keycloakNeeds(desired: DesiredObject): ObjectAddress[] {
  const secretSources = Object.values(desired.writeOnly ?? {}).filter(isSecretFromClient).map(({ $secretFromClient: s }) => ({
    system: 'keycloak', cloud: s.cloud, scope: s.realm, kind: 'client', name: s.clientId }));
  const alias = desired.kind === 'identityProviderMapper' ? desired.fields['identityProviderAlias'] : undefined;
  const provider = typeof alias === 'string'
    ? [{ system: 'keycloak', cloud: desired.cloud, scope: desired.scope, kind: 'identityProvider', name: alias }] : [];
  return [...secretSources, ...provider];
}

/** For objects of other systems that trust their own cloud's Keycloak realm (its issuer): that realm's part. */
export function ownRealmPart(desired: DesiredObject): PartAddress {
  return { system: 'keycloak', cloud: desired.cloud };
}
