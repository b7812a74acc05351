// One handler per Keycloak kind the renderer emits.
import { BrokerError } from '../../../core/errors.ts';
import type { KeycloakKind } from '../../../core/render/keycloak/model.ts';
import { authenticationFlows } from './authentication-flows.ts';
import { clientTokenLifespans } from './client-token-lifespan.ts';
import { clientDefaultScopes } from './default-scopes.ts';
import { groups } from './groups.ts';
import { identityProviderMappers, identityProviders } from './identity-providers.ts';
import type { KindHandler } from './kind.ts';
import { clientScopes, clients } from './mapper-owners.ts';
import { realmEvents, userProfileAttributes } from './realm-settings.ts';

/** Organizations are not rendered yet: nothing to observe, and writing one is refused with a code. */
const organizations: KindHandler = {
  async observe(context) {
    if (context.desired.length > 0) throw unsupported(context.rest.cloud, context.realm);
    return [];
  },
  async create(rest, desired) { throw unsupported(rest.cloud, desired.scope); },
  async update(rest, desired) { throw unsupported(rest.cloud, desired.scope); },
  async remove(rest, observed) { throw unsupported(rest.cloud, observed.scope); },
};

function unsupported(cloud: string, realm: string): BrokerError {
  return new BrokerError('ERR_KEYCLOAK_UNSUPPORTED_KIND', `the Keycloak adapter does not manage organizations yet (realm "${realm}" of cloud ${cloud})`,
    { details: { cloud, realm, kind: 'organization' } });
}

export const KIND_HANDLERS: Readonly<Record<KeycloakKind, KindHandler>> = {
  realmEvents,
  userProfileAttribute: userProfileAttributes,
  group: groups,
  client: clients,
  clientScope: clientScopes,
  clientDefaultScope: clientDefaultScopes,
  clientTokenLifespan: clientTokenLifespans,
  authenticationFlow: authenticationFlows,
  identityProvider: identityProviders,
  identityProviderMapper: identityProviderMappers,
  organization: organizations,
};

export function isKeycloakKind(kind: string): kind is KeycloakKind {
  return Object.hasOwn(KIND_HANDLERS, kind);
}
