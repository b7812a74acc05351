// The admin API of a real `fedbroker serve --api-config` with real tokens of the test-bed realms
// (password grant, client `openstack`, so the API's audience is `openstack` here): a cloud-b admin
// (carol of cloud-b with a realm role the test creates), a federation admin (alice of cloud-a with
// the federation-admin role, cloud-a's realm named as the federation-admin issuer) and a plain user
// (bob of cloud-b). Part of the matrix: read-only calls and refusals only (nothing is written into
// the shared test bed's systems). The roles are removed again afterwards.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type request from 'supertest';
import { startBroker, waitFor, type BrokerProcess } from '../support/broker-process.ts';
import { EXAMPLE_SPEC_PATH, exampleDoc } from '../support/example-federation.ts';
import { grantRealmRole } from '../support/keycloak-admin.ts';
import { assertConforms } from '../support/openapi-conformance.ts';
import { keycloakAdminFetch, passwordGrantToken, testbedCloud, testbedFetch, userPassword } from '../support/testbed.ts';

const CLOUD_ADMIN_ROLE = 'fedbroker-test-cloud-admin';
const FEDERATION_ADMIN_ROLE = 'fedbroker-test-federation-admin';

async function tokenOf(cloud: string, user: string): Promise<string> {
  return (await passwordGrantToken(cloud, user, userPassword(cloud, user))).access_token;
}

describe('admin API with real test-bed tokens', { timeout: 180_000 }, () => {
  let broker: BrokerProcess;
  let adminB: string;
  let fed: string;
  let plain: string;
  const call = async (method: 'get' | 'post', path: string, token?: string, body?: unknown) => {
    const res = await testbedFetch(`${broker.url}${path}`, {
      method: method.toUpperCase(),
      headers: { ...(token && { Authorization: `Bearer ${token}` }), ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const shaped = { status: res.status, headers: Object.fromEntries(res.headers), body: text ? JSON.parse(text) : undefined, text } as unknown as request.Response;
    assertConforms(shaped, method, path);
    return shaped;
  };

  before(async () => {
    await grantRealmRole('cloud-b', CLOUD_ADMIN_ROLE, 'carol');
    await grantRealmRole('cloud-a', FEDERATION_ADMIN_ROLE, 'alice');
    const dir = mkdtempSync(join(tmpdir(), 'fedbroker-api-real-'));
    const config = join(dir, 'api.yaml');
    writeFileSync(config, JSON.stringify({
      audience: 'openstack', cloudAdminRole: CLOUD_ADMIN_ROLE,
      federationAdmin: { role: FEDERATION_ADMIN_ROLE, issuers: [testbedCloud('cloud-a').issuer] },
    }));
    broker = await startBroker(EXAMPLE_SPEC_PATH, ['--api-config', config]);
    [adminB, fed, plain] = [await tokenOf('cloud-b', 'carol'), await tokenOf('cloud-a', 'alice'), await tokenOf('cloud-b', 'bob')];
  });

  after(async () => {
    await broker?.stop();
    for (const [realm, role] of [['cloud-b', CLOUD_ADMIN_ROLE], ['cloud-a', FEDERATION_ADMIN_ROLE]]) {
      await keycloakAdminFetch(`/admin/realms/${realm}/roles/${role}`, { method: 'DELETE' });
    }
  });

  it('the real tokens are read as the three kinds of caller (signatures verified with the realms\' real keys)', async () => {
    const b = await call('get', '/api/v1/health', adminB);
    assert.equal(b.status, 200, b.text);
    assert.equal(b.body.actor.cloudAdminOf, 'cloud-b');
    assert.equal(b.body.actor.username, 'carol');
    const f = await call('get', '/api/v1/health', fed);
    assert.equal(f.body.actor.federationAdmin, true);
    const p = await call('get', '/api/v1/health', plain);
    assert.equal(p.body.actor.federationAdmin, false);
    assert.equal(p.body.actor.cloudAdminOf, undefined);
  });

  it('no token, a token for another audience (client kubernetes), a tampered token: 401 ERR_UNAUTHENTICATED', async () => {
    assert.equal((await call('get', '/api/v1/health')).body.code, 'ERR_UNAUTHENTICATED');
    const kube = (await passwordGrantToken('cloud-b', 'carol', userPassword('cloud-b', 'carol'), 'kubernetes')).access_token;
    const other = await call('get', '/api/v1/health', kube);
    assert.equal(other.status, 401);
    const [h, payload, sig] = adminB.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    claims.realm_access = { roles: [FEDERATION_ADMIN_ROLE] };
    const tampered = await call('get', '/api/v1/health', `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`);
    assert.equal(tampered.status, 401);
    // The broker's log reaches the pipe asynchronously.
    const lines = await waitFor('three refusals in the audit', async () => { const l = broker.audit().filter((a) => a.action === 'api.refused').map((a) => a['reason']); return l.length >= 3 && l; }, 5000);
    assert.deepEqual(lines, ['missing', 'audience', 'signature']);
  });

  it('the cloud-b admin reads cloud-b\'s live status only, and is refused cloud-a\'s', async () => {
    const own = await call('get', '/api/v1/status', adminB);
    assert.equal(own.status, 200, own.text);
    assert.deepEqual([...new Set(own.body.conditions.map((c: { cloud: string }) => c.cloud))], ['cloud-b']);
    // Read live from cloud-b's Keycloak (whatever other tests left applied there).
    assert.ok(own.body.conditions.some((c: { type: string; status: string }) => c.type === 'DiscoveryReachable' && c.status === 'True'), JSON.stringify(own.body.conditions));
    const other = await call('get', '/api/v1/status?cloud=cloud-a', adminB);
    assert.equal(other.status, 403);
    assert.equal(other.body.code, 'ERR_FORBIDDEN_CLOUD');
  });

  it('the cloud-b admin is refused a cloud-a rule, cloud-a\'s entry and a privileged grant; a plain user everything', async () => {
    const cloudA = exampleDoc();
    cloudA.policy[0].grant.push({ clouds: ['cloud-a'], keystone: [{ project: 'p2', roles: ['reader'] }] });
    assert.equal((await call('post', '/api/v1/plan', adminB, { spec: cloudA })).body.code, 'ERR_FORBIDDEN_CLOUD');
    const entry = exampleDoc();
    entry.clouds[0].displayName = 'Cloud A, renamed by B';
    assert.equal((await call('post', '/api/v1/plan', adminB, { spec: entry })).body.code, 'ERR_FORBIDDEN_CLOUD');
    const privileged = exampleDoc();
    privileged.policy[1].grant.push({ clouds: ['cloud-b'], keystone: [{ project: 'p1', roles: ['admin'] }] });
    const refused = await call('post', '/api/v1/plan', adminB, { spec: privileged });
    assert.equal(refused.status, 422);
    assert.ok(refused.body.problems.some((p: { code: string }) => p.code === 'ERR_SPEC_PRIVILEGED_GRANT'));
    assert.equal((await call('get', '/api/v1/status', plain)).body.code, 'ERR_FORBIDDEN_CLOUD');
    assert.equal((await call('post', '/api/v1/logout', plain, { subject: 'cloud-b:bob' })).body.code, 'ERR_FORBIDDEN_CLOUD');
  });

  it('the federation admin validates and plans the demo spec, every part of the test bed reachable', async () => {
    const valid = await call('post', '/api/v1/validate', fed, { spec: exampleDoc() });
    assert.equal(valid.status, 200, valid.text);
    const plan = await call('post', '/api/v1/plan', fed, {});
    assert.equal(plan.status, 200, plan.text);
    assert.deepEqual(plan.body.unreachable, []);
    assert.match(plan.body.planId, /^plan-/);
  });
});
