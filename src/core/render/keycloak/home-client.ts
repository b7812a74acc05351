// In home realm H: the client that partner P's realm uses to broker H's users (docs/design.md §3).
// OIDC: confidential, standard flow with PKCE S256 only, back-channel logout to the broker.
// SAML: a SAML client for P's service provider, signed assertions, the same attributes.
// Both send the user's own `home_cloud` upstream (set only for brokered guests of H), so that P refuses
// chained logins (decision 0006).
import { managedMarkers } from '../../managed.ts';
import type { CloudSpec, FederationSpec } from '../../federation/schema.ts';
import { realmUrl } from '../../federation/realm-url.ts';
import { brokerEndpoint } from './metadata.ts';
import type { KeycloakObject } from './model.ts';
import { HOME_CLOUD_ATTRIBUTE, homeClientId, UPSTREAM_HOME_CLOUD_ATTRIBUTE } from './names.ts';

export function backchannelLogoutUrl(spec: FederationSpec, home: string): string {
  return `${spec.broker.url.replace(/\/+$/, '')}/api/v1/logout/backchannel/${encodeURIComponent(home)}`;
}

export function renderHomeClient(spec: FederationSpec, home: CloudSpec, partner: CloudSpec): KeycloakObject {
  const endpoint = brokerEndpoint(partner.keycloak.url, partner.keycloak.realm, home.alias);
  const common = { system: 'keycloak', cloud: home.alias, scope: home.keycloak.realm, kind: 'client', pointsAt: [{ system: 'keycloak', cloud: partner.alias }] } as const;
  const markers = managedMarkers(spec.metadata.name);
  if (home.homeProtocol === 'saml') {
    const clientId = realmUrl(partner.keycloak.url, partner.keycloak.realm); // P's SP entity id
    return { ...common, name: clientId, fields: {
      clientId, name: `Federation: ${partner.displayName}`, protocol: 'saml', enabled: true,
      redirectUris: [endpoint], frontchannelLogout: false,
      attributes: {
        ...markers,
        'saml.assertion.signature': 'true', 'saml.server.signature': 'true', 'saml.client.signature': 'false',
        'saml_name_id_format': 'username', 'saml_force_name_id_format': 'true',
        'saml_assertion_consumer_url_post': endpoint, 'saml_single_logout_service_url_post': endpoint,
      },
      protocolMappers: [
        samlMapper('username', 'saml-user-property-mapper', { 'user.attribute': 'username', 'attribute.name': 'username' }),
        samlMapper('email', 'saml-user-property-mapper', { 'user.attribute': 'email', 'attribute.name': 'email' }),
        samlMapper('first-name', 'saml-user-property-mapper', { 'user.attribute': 'firstName', 'attribute.name': 'firstName' }),
        samlMapper('last-name', 'saml-user-property-mapper', { 'user.attribute': 'lastName', 'attribute.name': 'lastName' }),
        samlMapper('subject', 'saml-user-property-mapper', { 'user.attribute': 'id', 'attribute.name': 'sub' }),
        samlMapper('groups', 'saml-group-membership-mapper', { 'attribute.name': 'groups', 'full.path': 'true', single: 'false' }),
        samlMapper('upstream-home-cloud', 'saml-user-attribute-mapper', { 'user.attribute': HOME_CLOUD_ATTRIBUTE, 'attribute.name': UPSTREAM_HOME_CLOUD_ATTRIBUTE }),
      ],
    } };
  }
  const clientId = homeClientId(partner.alias);
  return { ...common, name: clientId, fields: {
    clientId, name: `Federation: ${partner.displayName}`, protocol: 'openid-connect', enabled: true,
    publicClient: false, clientAuthenticatorType: 'client-secret', bearerOnly: false,
    standardFlowEnabled: true, implicitFlowEnabled: false, directAccessGrantsEnabled: false, serviceAccountsEnabled: false,
    redirectUris: [endpoint], webOrigins: [], frontchannelLogout: false,
    attributes: {
      ...markers,
      'pkce.code.challenge.method': 'S256',
      'backchannel.logout.url': backchannelLogoutUrl(spec, home.alias),
      'backchannel.logout.session.required': 'true',
      'backchannel.logout.revoke.offline.tokens': 'true',
      'post.logout.redirect.uris': `${endpoint}/logout_response`,
    },
    protocolMappers: [
      // Keycloak writes multivalued=true into a group mapper the first time it issues a token with it: say it upfront.
      oidcMapper('groups', 'oidc-group-membership-mapper', { 'claim.name': 'groups', 'full.path': 'true', multivalued: 'true' }),
      oidcMapper('username', 'oidc-usermodel-attribute-mapper', { 'user.attribute': 'username', 'claim.name': 'preferred_username', 'jsonType.label': 'String' }),
      oidcMapper('email', 'oidc-usermodel-attribute-mapper', { 'user.attribute': 'email', 'claim.name': 'email', 'jsonType.label': 'String' }),
      oidcMapper('given-name', 'oidc-usermodel-attribute-mapper', { 'user.attribute': 'firstName', 'claim.name': 'given_name', 'jsonType.label': 'String' }),
      oidcMapper('family-name', 'oidc-usermodel-attribute-mapper', { 'user.attribute': 'lastName', 'claim.name': 'family_name', 'jsonType.label': 'String' }),
      oidcMapper('upstream-home-cloud', 'oidc-usermodel-attribute-mapper', { 'user.attribute': HOME_CLOUD_ATTRIBUTE, 'claim.name': UPSTREAM_HOME_CLOUD_ATTRIBUTE, 'jsonType.label': 'String' }),
    ],
  } };
}

function oidcMapper(name: string, protocolMapper: string, config: Record<string, string>) {
  return { name, protocol: 'openid-connect', protocolMapper, config: {
    ...config, 'id.token.claim': 'true', 'access.token.claim': 'true', 'userinfo.token.claim': 'true',
  } };
}

function samlMapper(name: string, protocolMapper: string, config: Record<string, string>) {
  return { name, protocol: 'saml', protocolMapper, config: { ...config, 'attribute.nameformat': 'Basic' } };
}
