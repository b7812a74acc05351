// Bearer authentication of /api/v1 through the real express app and the real jose verifier over
// fake JWKS endpoints: no token, and every kind of token that must not verify, is 401
// ERR_UNAUTHENTICATED (with WWW-Authenticate, an error id, and an audit line); a good token is an actor.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { ADMIN_ISSUER, apiWorld, REALM, type ApiWorld } from '../support/api-world.ts';

describe('admin API authentication', () => {
  let w: ApiWorld;
  beforeEach(async () => { w = await apiWorld(); });
  const nowS = () => Math.floor(w.now.ms / 1000);

  it('no token: 401 ERR_UNAUTHENTICATED, WWW-Authenticate Bearer, problem+json, no-store, error id = audit correlation id', async () => {
    const res = await w.get('/api/v1/health');
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'ERR_UNAUTHENTICATED');
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="fedbroker"');
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    assert.equal(res.headers['cache-control'], 'no-store');
    const line = w.audit.find((a) => a.action === 'api.refused');
    assert.equal(line?.['reason'], 'missing');
    assert.equal(line?.correlationId, res.body.errorId);
  });

  it('a token of a realm with the admin role is an actor of that cloud', async () => {
    const res = await w.get('/api/v1/health', await w.cloudAdmin('cloud-b'));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.actor, { subject: 'sub-cloud-b', issuer: REALM('cloud-b'), username: 'admin-cloud-b', homeCloud: 'cloud-b', federationAdmin: false, cloudAdminOf: 'cloud-b' });
    const fed = await w.get('/api/v1/health', await w.federationAdmin());
    assert.equal(fed.body.actor.federationAdmin, true);
  });

  const refused: [string, string, (w: ApiWorld) => Promise<string>][] = [
    ['an issuer no cloud or configuration names', 'issuer', (x) => x.token('https://evil.example/realms/cloud-b')],
    ['a realm of the same Keycloak that is not configured', 'issuer', (x) => x.token(REALM('master'))],
    ['another audience', 'audience', (x) => x.token(REALM('cloud-b'), { aud: 'account' })],
    ['no audience', 'audience', (x) => x.token(REALM('cloud-b'), { aud: undefined })],
    ['an expired token (exp 10 minutes past)', 'expired', (x) => x.token(REALM('cloud-b'), { exp: Math.floor(x.now.ms / 1000) - 600 })],
    ['an exp 31 s past (beyond the 30 s skew)', 'expired', (x) => x.token(REALM('cloud-b'), { exp: Math.floor(x.now.ms / 1000) - 31 })],
    ['a token without exp', 'claims', (x) => x.token(REALM('cloud-b'), { exp: undefined })],
    ['a token without sub', 'claims', (x) => x.token(REALM('cloud-b'), { sub: undefined })],
    ['an nbf 10 minutes ahead', 'not-yet-valid', (x) => x.token(REALM('cloud-b'), { nbf: Math.floor(x.now.ms / 1000) + 600 })],
    ['a signature by another key', 'signature', (x) => x.token(REALM('cloud-b'), {}, x.foreignKey)],
    ['cloud-a\'s key for a token claiming cloud-b', 'signature', async (x) => {
      const good = await x.token(REALM('cloud-a'));
      const [h, , sig] = good.split('.');
      const payload = Buffer.from(JSON.stringify({ iss: REALM('cloud-b'), aud: 'fedbroker', sub: 's', exp: Math.floor(x.now.ms / 1000) + 60 })).toString('base64url');
      return `${h}.${payload}.${sig}`;
    }],
    ['an HS256 token (symmetric algorithms are refused)', 'signature', async (x) => new SignJWT({ iss: REALM('cloud-b'), aud: 'fedbroker', sub: 's', exp: Math.floor(x.now.ms / 1000) + 60 })
      .setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'))],
    ['garbage', 'malformed', async () => 'not-a-jwt'],
  ];
  for (const [name, reason, make] of refused) {
    it(`refuses ${name}: 401 ERR_UNAUTHENTICATED (${reason}), audited`, async () => {
      const res = await w.get('/api/v1/health', await make(w));
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.code, 'ERR_UNAUTHENTICATED');
      assert.match(res.body.errorId, /^r\d+$/);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="fedbroker", error="invalid_token"');
      assert.deepEqual(w.audit.filter((a) => a.action === 'api.refused').map((a) => a['reason']), [reason]);
    });
  }

  it('accepts exp within the 30 s skew, at the broker\'s clock (not the system\'s)', async () => {
    assert.equal((await w.get('/api/v1/health', await w.token(REALM('cloud-b'), { exp: nowS() - 10 }))).status, 200);
    w.now.ms = Date.UTC(2024, 0, 1);
    assert.equal((await w.get('/api/v1/health', await w.token(REALM('cloud-b')))).status, 200);
  });

  it('the federation-admin role from a cloud realm gives no federation admin', async () => {
    const res = await w.get('/api/v1/health', await w.token(REALM('cloud-a'), { realm_access: { roles: ['fedbroker-federation-admin'] } }));
    assert.equal(res.body.actor.federationAdmin, false);
    assert.equal((await w.get('/api/v1/health', await w.token(ADMIN_ISSUER, { realm_access: { roles: ['fedbroker-cloud-admin'] } }))).body.actor.cloudAdminOf, undefined);
  });

  it('every route needs a token (the OpenAPI document does not)', async () => {
    for (const [method, path] of [['get', '/api/v1/status'], ['post', '/api/v1/plan'], ['post', '/api/v1/apply'], ['post', '/api/v1/validate'], ['post', '/api/v1/explain'], ['post', '/api/v1/sync'], ['get', '/api/v1/sync/x'], ['post', '/api/v1/logout'], ['get', '/api/v1/logout/events/x']] as const) {
      const res = method === 'get' ? await w.get(path) : await w.post(path, {});
      assert.equal(res.status, 401, `${method} ${path}`);
    }
    assert.equal((await w.get('/api/v1/openapi.json')).status, 200);
  });
});
