// The URL of a cloud's Keycloak realm, computed in one place: it is the `iss` of the realm's tokens,
// the remote id Keystone trusts, the issuer kube-apiserver checks and a SAML entity id, so every
// renderer, explain and the logout receiver must agree on it to the character.

/** `<keycloak url>/realms/<realm>`, from the spec's Keycloak base URL (a trailing "/" is dropped). */
export function realmUrl(keycloakUrl: string, realm: string): string {
  return `${keycloakUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm)}`;
}
