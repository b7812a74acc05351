// The logout revocation of Keystone tokens over the one Keystone REST client (the admin adapter's):
// one admin login shared by warm-up and revocations, one renewal on 401, the client's renewal margin,
// and Keystone's answers translated to BrokerError codes (never a raw JSON or type error).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeystoneRevocation, REVOKING_MARKER } from '../../src/adapters/logout/keystone-revocation.ts';
import { KeystoneRest } from '../../src/adapters/keystone/rest.ts';
import { isBrokerError, type ErrorCode } from '../../src/core/errors.ts';

interface Call { method: string; path: string; token?: string; body?: unknown }
type Reply = { status: number; body?: string; headers?: Record<string, string> };

/** A scripted Keystone: logins answer 201 with token-<n> (1 h); other calls go to `reply`. */
function keystone(reply: (call: Call) => Reply) {
  const calls: Call[] = [];
  let logins = 0;
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const headers = new Headers(init.headers);
    const call: Call = { method: init.method ?? 'GET', path: `${url.pathname}${url.search}`, ...(headers.get('x-auth-token') && { token: headers.get('x-auth-token')! }),
      ...(typeof init.body === 'string' && { body: JSON.parse(init.body) }) };
    if (url.pathname === '/v3/auth/tokens' && call.method === 'POST') {
      logins += 1;
      return new Response(JSON.stringify({ token: { expires_at: new Date(clock.now + 3600_000).toISOString() } }), { status: 201, headers: { 'x-subject-token': `token-${logins}` } });
    }
    calls.push(call);
    const r = reply(call);
    return new Response(r.body ?? null, { status: r.status, headers: { 'content-type': 'application/json', ...r.headers } });
  };
  const clock = { now: Date.UTC(2026, 0, 1) };
  const rest = new KeystoneRest({ cloud: 'cloud-c', url: 'https://keystone.example/v3', fetch,
    credentials: { username: 'admin', password: 'pw', userDomain: 'Default', project: 'admin', projectDomain: 'Default' }, now: () => clock.now });
  return { calls, logins: () => logins, clock, port: new KeystoneRevocation({ rest, identityProvider: 'keycloak' }) };
}

const shadow = (user: Record<string, unknown>) => JSON.stringify({ users: [{ id: 'u1', enabled: true, ...user }] });
const ok = (call: Call): Reply => (call.method === 'GET' ? { status: 200, body: shadow({}) } : { status: 200, body: '{"user":{}}' });

async function failsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (e: unknown) => { assert.ok(isBrokerError(e, code), `expected ${code}, got ${String(e)}`); return true; });
}

describe('Keystone revocation over the Keystone REST client', () => {
  it('disables and re-enables the shadow user found by its federated identity, with the marker while disabled', async () => {
    const ks = keystone(ok);
    assert.equal(await ks.port.revokeFederatedUser('alice'), 1);
    assert.equal(ks.calls[0]?.path, '/v3/users?idp_id=keycloak&protocol_id=openid&unique_id=alice');
    assert.deepEqual(ks.calls.slice(1).map((c) => [c.method, c.path, (c.body as { user: Record<string, unknown> }).user.enabled]), [['PATCH', '/v3/users/u1', false], ['PATCH', '/v3/users/u1', true]]);
    assert.equal(typeof (ks.calls[1]?.body as { user: Record<string, unknown> }).user[REVOKING_MARKER], 'string');
    assert.equal((ks.calls[2]?.body as { user: Record<string, unknown> }).user[REVOKING_MARKER], null);
  });

  it('leaves a user someone else disabled alone, and re-enables one it left disabled itself', async () => {
    assert.equal(await keystone((c) => (c.method === 'GET' ? { status: 200, body: shadow({ enabled: false }) } : { status: 500 })).port.revokeFederatedUser('alice'), 0);
    const ours = keystone((c) => (c.method === 'GET' ? { status: 200, body: shadow({ enabled: false, [REVOKING_MARKER]: '2026-01-01T00:00:00Z' }) } : { status: 200 }));
    assert.equal(await ours.port.revokeFederatedUser('alice'), 1);
    assert.deepEqual(ours.calls.filter((c) => c.method === 'PATCH').map((c) => (c.body as { user: { enabled: boolean } }).user.enabled), [true]);
  });

  it('warm-up logs in once; revocations then use that token', async () => {
    const ks = keystone(ok);
    await ks.port.warmUp();
    assert.equal(ks.logins(), 1);
    await ks.port.revokeFederatedUser('alice');
    await ks.port.revokeFederatedUser('bob');
    assert.equal(ks.logins(), 1);
    assert.ok(ks.calls.every((c) => c.token === 'token-1'));
  });

  it('renews the token once on 401 and repeats the call', async () => {
    let refused = false;
    const ks = keystone((c) => {
      if (!refused) { refused = true; return { status: 401, body: '{"error":{"message":"The request you have made requires authentication."}}' }; }
      return ok(c);
    });
    assert.equal(await ks.port.revokeFederatedUser('alice'), 1);
    assert.equal(ks.logins(), 2);
    assert.deepEqual(ks.calls.slice(0, 2).map((c) => c.token), ['token-1', 'token-2']);
  });

  it('renews the token as the admin adapter does (a minute before expiry, at the latest half-way through its lifetime)', async () => {
    const ks = keystone(ok);
    await ks.port.warmUp();
    ks.clock.now += 29 * 60_000;
    await ks.port.revokeFederatedUser('alice');
    assert.equal(ks.logins(), 1, 'a 1 h token is kept for its first half');
    ks.clock.now += 90_000;
    await ks.port.revokeFederatedUser('alice');
    assert.equal(ks.logins(), 2, 'and renewed after it (the revocation\'s own 5-minute margin is gone)');
  });

  it('translates Keystone\'s answers: 403 and a second 401 are ERR_KEYSTONE_AUTH, 500 and a non-JSON body ERR_KEYSTONE_API', async () => {
    await failsWith(keystone(() => ({ status: 403, body: '{"error":{"message":"forbidden"}}' })).port.revokeFederatedUser('alice'), 'ERR_KEYSTONE_AUTH');
    await failsWith(keystone(() => ({ status: 401 })).port.revokeFederatedUser('alice'), 'ERR_KEYSTONE_AUTH');
    await failsWith(keystone(() => ({ status: 500, body: 'Internal Server Error', headers: { 'content-type': 'text/html' } })).port.revokeFederatedUser('alice'), 'ERR_KEYSTONE_API');
    await failsWith(keystone(() => ({ status: 200, body: '<html>proxy error</html>', headers: { 'content-type': 'text/html' } })).port.revokeFederatedUser('alice'), 'ERR_KEYSTONE_API');
  });

  it('a shadow user deleted between look-up and PATCH (404) is not an error', async () => {
    const ks = keystone((c) => (c.method === 'GET' ? { status: 200, body: shadow({}) } : { status: 404, body: '{"error":{"message":"Could not find user"}}' }));
    assert.equal(await ks.port.revokeFederatedUser('alice'), 1);
  });
});
