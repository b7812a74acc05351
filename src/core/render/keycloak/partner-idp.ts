// In partner realm P: home cloud H as identity provider, and the mappers that stamp who the user is:
// username per naming.username ("<H>.<username>" by default), a hard-coded home_cloud (never taken from a claim), the home subject,
// email, the raw home groups, membership of the mirrored groups policy refers to, and the home's
// `upstream_home_cloud` (set only for guests of the home realm; the post-broker-login flow refuses them).
// Every mapper syncs in FORCE mode, so each login re-applies them (an absent claim removes the attribute).
import { managedMarkers } from '../../managed.ts';
import { downstreamUsername } from '../../naming.ts';
import type { CloudSpec, FederationSpec } from '../../federation/schema.ts';
import type { HomeMetadata } from './metadata.ts';
import { realmUrl } from '../../federation/realm-url.ts';
import type { KeycloakObject } from './model.ts';
import {
  FIRST_BROKER_FLOW, HOME_CLOUD_ATTRIBUTE, HOME_GROUPS_ATTRIBUTE, HOME_SUBJECT_ATTRIBUTE, homeClientId, mirroredGroupPath, POST_BROKER_FLOW, UPSTREAM_HOME_CLOUD_ATTRIBUTE,
} from './names.ts';

export function renderPartnerIdentityProvider(spec: FederationSpec, home: CloudSpec, partner: CloudSpec, metadata: HomeMetadata): KeycloakObject {
  const common = { system: 'keycloak', cloud: partner.alias, scope: partner.keycloak.realm, kind: 'identityProvider', name: home.alias } as const;
  const base = {
    alias: home.alias, displayName: home.displayName, enabled: true, trustEmail: false, storeToken: false,
    linkOnly: false, hideOnLogin: false, firstBrokerLoginFlowAlias: FIRST_BROKER_FLOW, postBrokerLoginFlowAlias: POST_BROKER_FLOW,
  };
  const markers = managedMarkers(spec.metadata.name);
  if (metadata.protocol === 'saml') {
    return { ...common, fields: { ...base, providerId: 'saml', config: {
      ...markers, syncMode: 'FORCE',
      entityId: realmUrl(partner.keycloak.url, partner.keycloak.realm),
      idpEntityId: metadata.entityId,
      singleSignOnServiceUrl: metadata.singleSignOnServiceUrl,
      ...(metadata.singleLogoutServiceUrl && { singleLogoutServiceUrl: metadata.singleLogoutServiceUrl }),
      nameIDPolicyFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', principalType: 'SUBJECT',
      postBindingResponse: 'true', postBindingAuthnRequest: 'true', postBindingLogout: 'true',
      validateSignature: 'true', wantAssertionsSigned: 'true', signingCertificate: metadata.signingCertificates.join(','),
      backchannelSupported: 'true',
    } } };
  }
  return {
    ...common,
    fields: { ...base, providerId: 'oidc', config: {
      ...markers, syncMode: 'FORCE',
      issuer: metadata.issuer, authorizationUrl: metadata.authorizationEndpoint, tokenUrl: metadata.tokenEndpoint,
      jwksUrl: metadata.jwksUri, useJwksUrl: 'true', validateSignature: 'true',
      ...(metadata.userinfoEndpoint && { userInfoUrl: metadata.userinfoEndpoint }),
      ...(metadata.endSessionEndpoint && { logoutUrl: metadata.endSessionEndpoint }),
      clientId: homeClientId(partner.alias), clientAuthMethod: 'client_secret_post',
      pkceEnabled: 'true', pkceMethod: 'S256', defaultScope: 'openid profile email',
      backchannelSupported: 'true', sendIdTokenOnLogout: 'true', disableUserInfo: 'false',
    } },
    writeOnly: { 'config.clientSecret': { $secretFromClient: { cloud: home.alias, realm: home.keycloak.realm, clientId: homeClientId(partner.alias) } } },
  };
}

export function renderPartnerMappers(spec: FederationSpec, home: CloudSpec, partner: CloudSpec, protocol: HomeMetadata['protocol'], groups: readonly string[]): KeycloakObject[] {
  const markers = managedMarkers(spec.metadata.name);
  const saml = protocol === 'saml';
  const mapper = (name: string, type: string, config: Record<string, string>): KeycloakObject => ({
    system: 'keycloak', cloud: partner.alias, scope: partner.keycloak.realm, kind: 'identityProviderMapper', name: `${home.alias}/${name}`,
    fields: { name, identityProviderAlias: home.alias, identityProviderMapper: type, config: { ...markers, syncMode: 'FORCE', ...config } },
  });
  const fromClaim = (name: string, claim: string, attribute: string) => saml
    ? mapper(name, 'saml-user-attribute-idp-mapper', { 'attribute.name': claim, 'user.attribute': attribute })
    : mapper(name, 'oidc-user-attribute-idp-mapper', { claim, 'user.attribute': attribute });
  // Keycloak fills in the home user name from the assertion or the token when the user logs in.
  const usernameTemplate = downstreamUsername(spec.naming, home.alias, saml ? '${ATTRIBUTE.username}' : '${CLAIM.preferred_username}');
  return [
    saml
      ? mapper('username', 'saml-username-idp-mapper', { template: usernameTemplate, target: 'LOCAL' })
      : mapper('username', 'oidc-username-idp-mapper', { template: usernameTemplate, target: 'LOCAL' }),
    mapper('home-cloud', 'hardcoded-attribute-idp-mapper', { attribute: HOME_CLOUD_ATTRIBUTE, 'attribute.value': home.alias }),
    fromClaim('home-subject', 'sub', HOME_SUBJECT_ATTRIBUTE),
    fromClaim('email', 'email', 'email'),
    fromClaim('first-name', saml ? 'firstName' : 'given_name', 'firstName'),
    fromClaim('last-name', saml ? 'lastName' : 'family_name', 'lastName'),
    fromClaim('home-groups', 'groups', HOME_GROUPS_ATTRIBUTE),
    fromClaim('upstream-home-cloud', UPSTREAM_HOME_CLOUD_ATTRIBUTE, UPSTREAM_HOME_CLOUD_ATTRIBUTE),
    ...groups.map((path) => saml
      ? mapper(`group ${path}`, 'saml-advanced-group-idp-mapper', {
        attributes: JSON.stringify([{ key: 'groups', value: path }]), 'are.attribute.values.regex': 'false', group: mirroredGroupPath(home.alias, path) })
      : mapper(`group ${path}`, 'oidc-advanced-group-idp-mapper', {
        claims: JSON.stringify([{ key: 'groups', value: path }]), 'are.claim.values.regex': 'false', group: mirroredGroupPath(home.alias, path) })),
  ];
}
