// Home metadata for the demo spec as the test bed's Keycloak publishes it (fixed, for pure tests).
import { realmUrl } from '../../src/core/federation/realm-url.ts';
import type { HomeMetadataByCloud } from '../../src/core/render/keycloak/index.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';

export function demoHomeMetadata(spec: FederationSpec): HomeMetadataByCloud {
  return Object.fromEntries(spec.clouds.map((c) => {
    const realm = realmUrl(c.keycloak.url, c.keycloak.realm);
    return [c.alias, c.homeProtocol === 'saml'
      ? { protocol: 'saml', entityId: realm, singleSignOnServiceUrl: `${realm}/protocol/saml`, singleLogoutServiceUrl: `${realm}/protocol/saml`, signingCertificates: ['MIIBfakeCERT'] }
      : { protocol: 'oidc', issuer: realm, authorizationEndpoint: `${realm}/protocol/openid-connect/auth`, tokenEndpoint: `${realm}/protocol/openid-connect/token`,
        jwksUri: `${realm}/protocol/openid-connect/certs`, userinfoEndpoint: `${realm}/protocol/openid-connect/userinfo`, endSessionEndpoint: `${realm}/protocol/openid-connect/logout` }];
  }));
}
