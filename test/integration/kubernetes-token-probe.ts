// A real Keycloak token of realm cloud-b that looks like a brokered user's (home_cloud, "<home>.<user>",
// mirrored groups), for testing the rendered authentication config before the Keycloak federation
// exists: a throw-away client with hard-coded claims (audience kubernetes), removed afterwards.
import { keycloakAdminFetch, passwordGrantToken, userPassword } from '../support/testbed.ts';

export interface ProbeClaims { homeCloud?: string; preferredUsername: string; groups: readonly string[] }

const hardcoded = (name: string, claim: string, value: string, jsonType = 'String') => ({
  name, protocol: 'openid-connect', protocolMapper: 'oidc-hardcoded-claim-mapper',
  config: { 'claim.name': claim, 'claim.value': value, 'jsonType.label': jsonType, 'access.token.claim': 'true', 'id.token.claim': 'false', 'userinfo.token.claim': 'false' },
});

/** An access token of realm `realm` (password grant of user bob) carrying exactly these claims. */
export async function probeToken(realm: string, claims: ProbeClaims): Promise<string> {
  const clientId = `fedbroker-probe-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const representation = {
    clientId, publicClient: true, directAccessGrantsEnabled: true, standardFlowEnabled: false, fullScopeAllowed: false,
    defaultClientScopes: ['basic'], optionalClientScopes: [],
    protocolMappers: [
      { name: 'audience', protocol: 'openid-connect', protocolMapper: 'oidc-audience-mapper', config: { 'included.custom.audience': 'kubernetes', 'access.token.claim': 'true', 'id.token.claim': 'false' } },
      hardcoded('preferred_username', 'preferred_username', claims.preferredUsername),
      hardcoded('groups', 'groups', JSON.stringify(claims.groups), 'JSON'),
      ...(claims.homeCloud === undefined ? [] : [hardcoded('home_cloud', 'home_cloud', claims.homeCloud)]),
    ],
  };
  const created = await keycloakAdminFetch(`/admin/realms/${realm}/clients`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(representation) });
  if (created.status !== 201) throw new Error(`creating probe client in ${realm}: ${created.status} ${await created.text()}`);
  const id = created.headers.get('location')?.split('/').pop();
  try {
    return (await passwordGrantToken(realm, 'bob', userPassword(realm, 'bob'), clientId)).access_token;
  } finally {
    if (id) await keycloakAdminFetch(`/admin/realms/${realm}/clients/${id}`, { method: 'DELETE' });
  }
}
