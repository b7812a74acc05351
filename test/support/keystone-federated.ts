// Federated Keystone tokens of brokered users, as their tools get them: the partner realm's
// `openstack` access token exchanged at Keystone's OS-FEDERATION auth endpoint behind Apache
// (mod_auth_openidc validates the bearer token, the `keycloak` identity provider's mapping applies).
import { testbedCloud, testbedFetch } from './testbed.ts';

/** A federated (unscoped) Keystone token of cloud's Keystone for a partner-realm access token. */
export async function keystoneFederatedToken(cloud: string, accessToken: string, idp = 'keycloak'): Promise<string> {
  const res = await testbedFetch(`${testbedCloud(cloud).keystone.url}/v3/OS-FEDERATION/identity_providers/${idp}/protocols/openid/auth`,
    { method: 'POST', headers: { Authorization: `Bearer ${accessToken}` } });
  const body = await res.text();
  const token = res.headers.get('x-subject-token');
  if (res.status !== 201 || !token) throw new Error(`federated Keystone login in ${cloud}: ${res.status} ${body.slice(0, 300)}`);
  return token;
}

/**
 * The status Keystone answers when the token is used: GET /v3/auth/projects with X-Auth-Token
 * (200 while valid, 401 once revoked). Validation (GET /v3/auth/tokens) would answer 404 instead.
 */
export async function keystoneTokenUse(cloud: string, token: string): Promise<number> {
  const res = await testbedFetch(`${testbedCloud(cloud).keystone.url}/v3/auth/projects`, { headers: { 'X-Auth-Token': token } });
  await res.text();
  return res.status;
}
