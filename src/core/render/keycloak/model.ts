// Keycloak objects the broker renders. Scope = realm. Adapters map each kind to its admin REST resource.
import type { DesiredObject } from '../../plan/model.ts';

export type KeycloakKind =
  | 'realmEvents'            // realm event settings (LOGIN/LOGOUT stored): shared, never deleted
  | 'userProfileAttribute'   // a user-profile attribute the broker declares (home_cloud, ...), admin-edit only
  | 'group'                  // a group (by full path) mirroring a home group in a partner realm
  | 'client'                 // the client for a partner's broker endpoint in a home realm (OIDC or SAML)
  | 'clientScope'            // the federation client scope in a partner realm, the home-client marker scope
  | 'clientDefaultScope'     // a broker scope attached as default scope to a client (partner's own clients, home clients)
  | 'clientTokenLifespan'    // the access token lifespan of a partner's own client (its clusters' bound): shared, never deleted
  | 'authenticationFlow'     // a top-level flow with its executions (the post-broker-login flow of partner realms)
  | 'identityProvider'       // the home cloud as identity provider in a partner realm
  | 'identityProviderMapper' // its mappers (name = "<idp alias>/<mapper name>")
  | 'organization';          // email-domain discovery: one organization per home cloud in a partner realm

/** Order of creation; deletion runs in reverse. */
export const KEYCLOAK_KIND_ORDER: readonly KeycloakKind[] = [
  'realmEvents', 'userProfileAttribute', 'group', 'client', 'clientScope', 'clientDefaultScope', 'clientTokenLifespan',
  'authenticationFlow', 'identityProvider', 'identityProviderMapper', 'organization',
];

export interface KeycloakObject extends DesiredObject {
  readonly system: 'keycloak';
  readonly kind: KeycloakKind;
}
