// What a Keycloak object's write needs from other objects (src/core/plan/dependencies.ts): a partner
// realm's identity provider reads its client secret from the home realm's fed-<partner> client; a
// mapper is written under its identity provider; a client's default scope links a client and a client
// scope. When those failed, were not attempted or cannot be read, they wait too.
import type { DesiredObject, ObjectAddress } from '../../plan/model.ts';
import { isSecretFromClient } from './client-secret.ts';

export function keycloakNeeds(desired: DesiredObject): ObjectAddress[] {
  const secretSources = Object.values(desired.writeOnly ?? {}).filter(isSecretFromClient).map(({ $secretFromClient: s }) => ({
    system: 'keycloak', cloud: s.cloud, scope: s.realm, kind: 'client', name: s.clientId }));
  const inRealm = (kind: string, name: unknown) => (typeof name === 'string' ? [{ system: 'keycloak', cloud: desired.cloud, scope: desired.scope, kind, name }] : []);
  if (desired.kind === 'identityProviderMapper') return [...secretSources, ...inRealm('identityProvider', desired.fields['identityProviderAlias'])];
  if (desired.kind === 'clientDefaultScope') return [...secretSources, ...inRealm('client', desired.fields['clientId']), ...inRealm('clientScope', desired.fields['clientScope'])];
  if (desired.kind === 'clientTokenLifespan') return inRealm('client', desired.fields['clientId']);
  return secretSources;
}

