/**
 * The Keycloak half of the real test bed (scripts/testbed/keycloak.sh, realms/*.json): one Keycloak,
 * one realm per cloud, each with its own users, groups and `openstack`/`kubernetes` clients.
 *
 * - alice gets a token per realm via the `openstack` client: aud, groups (full path), iss, user claims;
 * - the `kubernetes` client puts its own id into `aud`;
 * - bob (no group) has no p1 group; a wrong password is refused with invalid_grant (401 on 26.5, 400 on 26.7);
 * - the admin API lists all realms, which have events and organizations enabled; the realm exports carry no
 *   identity providers (the broker creates those; any identity provider in a live realm is the broker's).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeJwt, type JWTPayload } from 'jose';
import {
  keycloakAdminFetch, loadTestbed, passwordGrantToken, TestbedHttpError, testbedFetch, userPassword,
} from '../support/testbed.ts';

const testbed = loadTestbed();
const CLOUDS = Object.keys(testbed.clouds);
const LETTER: Record<string, string> = { 'cloud-a': 'a', 'cloud-b': 'b', 'cloud-c': 'c' };

interface AccessClaims extends JWTPayload { groups?: string[]; preferred_username?: string; email?: string; azp?: string }

const audiences = (claims: JWTPayload): string[] => (Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : []);

async function accessClaims(cloud: string, user: string, clientId = 'openstack'): Promise<AccessClaims> {
  const token = await passwordGrantToken(cloud, user, userPassword(cloud, user), clientId);
  assert.equal(token.token_type.toLowerCase(), 'bearer');
  return decodeJwt(token.access_token) as AccessClaims;
}

async function adminJson<T>(path: string): Promise<T> {
  const res = await keycloakAdminFetch(path);
  assert.equal(res.status, 200, `GET ${path}: ${res.status}`);
  return (await res.json()) as T;
}

describe('test bed Keycloak', () => {
  it('lists every cloud with a realm issuer under the Keycloak URL', () => {
    assert.deepEqual(CLOUDS.sort(), ['cloud-a', 'cloud-b', 'cloud-c']);
    for (const cloud of CLOUDS) {
      assert.equal(testbed.clouds[cloud]?.issuer, `${testbed.keycloak.url}/realms/${cloud}`);
    }
  });

  it('lists the realms cloud-a, cloud-b and cloud-c in the admin API', async () => {
    const realms = await adminJson<{ realm: string }[]>('/admin/realms');
    const names = realms.map((r) => r.realm);
    for (const cloud of CLOUDS) assert.ok(names.includes(cloud), `realm ${cloud} in ${names.join(', ')}`);
  });

  it('trusts the test CA for its own outbound HTTPS (one realm reads another realm\'s discovery)', async () => {
    const [home, partner] = CLOUDS as [string, string];
    // import-config only fetches and parses the discovery document; it creates nothing.
    const res = await keycloakAdminFetch(`/admin/realms/${partner}/identity-provider/import-config`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ providerId: 'oidc', fromUrl: `${testbed.clouds[home]?.issuer}/.well-known/openid-configuration` }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal((JSON.parse(text) as { issuer?: string }).issuer, testbed.clouds[home]?.issuer);
  });
});

for (const cloud of CLOUDS) {
  const { issuer } = testbed.clouds[cloud] ?? assert.fail(`cloud ${cloud}`);

  describe(`realm ${cloud}`, () => {
    it('publishes a discovery document with its own issuer', async () => {
      const res = await testbedFetch(`${issuer}/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as { issuer: string; grant_types_supported: string[]; code_challenge_methods_supported: string[] };
      assert.equal(doc.issuer, issuer);
      assert.ok(doc.grant_types_supported.includes('urn:ietf:params:oauth:grant-type:device_code'));
      assert.ok(doc.code_challenge_methods_supported.includes('S256'));
    });

    it('gives alice an openstack token with aud, groups, iss and user claims', async () => {
      const claims = await accessClaims(cloud, 'alice');
      assert.equal(claims.iss, issuer);
      assert.ok(audiences(claims).includes('openstack'), `aud ${JSON.stringify(claims.aud)}`);
      assert.equal(claims.azp, 'openstack');
      assert.ok(claims.groups?.includes('/projects/p1/members'), `groups ${JSON.stringify(claims.groups)}`);
      assert.equal(claims.preferred_username, 'alice');
      assert.equal(claims.email, `alice@${LETTER[cloud]}.example`);
    });

    it('puts kubernetes into aud for the kubernetes client, and carol in the admins group', async () => {
      const claims = await accessClaims(cloud, 'carol', 'kubernetes');
      assert.ok(audiences(claims).includes('kubernetes'), `aud ${JSON.stringify(claims.aud)}`);
      assert.ok(!audiences(claims).includes('openstack'));
      assert.deepEqual(claims.groups, ['/projects/p1/admins']);
    });

    it('gives bob (no group) a token without any p1 group', async () => {
      const claims = await accessClaims(cloud, 'bob');
      assert.equal(claims.preferred_username, 'bob');
      assert.ok(!(claims.groups ?? []).some((g) => g.startsWith('/projects/p1')), `groups ${JSON.stringify(claims.groups)}`);
    });

    it('refuses a wrong password with invalid_grant', async () => {
      await assert.rejects(passwordGrantToken(cloud, 'alice', 'not-the-password'), (error: unknown) => {
        assert.ok(error instanceof TestbedHttpError);
        assert.ok([400, 401].includes(error.status), `a client error, got ${error.status}`);
        assert.equal((error.body as { error?: string }).error, 'invalid_grant');
        return true;
      });
    });

    it('refuses the password of the same user in another realm', async () => {
      const other = CLOUDS.find((c) => c !== cloud) ?? assert.fail('a second cloud');
      await assert.rejects(passwordGrantToken(cloud, 'alice', userPassword(other, 'alice')), (error: unknown) =>
        error instanceof TestbedHttpError && (error.body as { error?: string }).error === 'invalid_grant');
    });

    it('has events and organizations enabled; its identity providers are only the broker\'s', async () => {
      const realm = await adminJson<{ eventsEnabled: boolean; adminEventsEnabled: boolean; enabledEventTypes: string[]; organizationsEnabled: boolean }>(
        `/admin/realms/${cloud}`);
      assert.equal(realm.eventsEnabled, true);
      assert.equal(realm.adminEventsEnabled, true);
      for (const type of ['LOGIN', 'LOGOUT']) assert.ok(realm.enabledEventTypes.includes(type), `event type ${type}`);
      assert.equal(realm.organizationsEnabled, true);
      const exported = JSON.parse(readFileSync(new URL(`../../realms/${cloud}.json`, import.meta.url), 'utf8')) as { identityProviders?: unknown[] };
      assert.deepEqual(exported.identityProviders ?? [], [], 'the realm export has no identity providers');
      const live = await adminJson<{ alias: string; config?: Record<string, string> }[]>(`/admin/realms/${cloud}/identity-provider/instances`);
      assert.deepEqual(live.filter((i) => i.config?.['fedbroker.scs.community/managed-by'] !== 'scs-federation-broker').map((i) => i.alias), []);
    });
  });
}
