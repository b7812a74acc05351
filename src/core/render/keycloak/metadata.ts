// What the renderer needs to know about each home cloud's identity provider, read from its
// OIDC discovery document or SAML descriptor by an adapter before rendering.
import { realmUrl } from '../../federation/realm-url.ts';

export interface OidcHomeMetadata {
  readonly protocol: 'oidc';
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  readonly userinfoEndpoint?: string;
  readonly endSessionEndpoint?: string;
}

export interface SamlHomeMetadata {
  readonly protocol: 'saml';
  readonly entityId: string;
  readonly singleSignOnServiceUrl: string;
  readonly singleLogoutServiceUrl?: string;
  /** Base64 DER certificates the home IdP signs with. */
  readonly signingCertificates: readonly string[];
}

export type HomeMetadata = OidcHomeMetadata | SamlHomeMetadata;

/** Where partner P's realm receives the answer of home H (Keycloak's broker endpoint). */
export function brokerEndpoint(partnerKeycloakUrl: string, partnerRealm: string, homeAlias: string): string {
  return `${realmUrl(partnerKeycloakUrl, partnerRealm)}/broker/${encodeURIComponent(homeAlias)}/endpoint`;
}
