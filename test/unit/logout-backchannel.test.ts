// The back-channel logout receiver (OIDC Back-Channel Logout 1.0 §2.6) through the real express app,
// the real jose verifier and the fakes: every rejection has its own code and changes nothing.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp } from '../../src/http/app.ts';
import { BrokerMetrics } from '../../src/http/metrics.ts';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/core/logout/token-rules.ts';
import { logoutWorld, silentLogger, type LogoutWorld } from '../support/logout-fixtures.ts';

const PATH = '/api/v1/logout/backchannel/cloud-a';
const nowS = (w: LogoutWorld) => Math.floor(w.now.ms / 1000);

function appOf(world: LogoutWorld, admin = false) {
  return createApp({ logout: world.deps, logger: silentLogger, metrics: new BrokerMetrics(), ready: async () => {}, insecureUnauthenticatedAdminApi: admin });
}

function post(world: LogoutWorld, token: string, path = PATH) {
  return request(appOf(world)).post(path).type('form').send({ logout_token: token });
}

/** Nothing changed: no event, no session claim, no queued delivery, no session ended. */
async function assertUnchanged(world: LogoutWorld) {
  assert.deepEqual(world.audit, []);
  assert.equal(world.queue.enqueued, 0);
  for (const k of world.keycloak.values()) assert.deepEqual(k.loggedOut, []);
}

describe('POST /api/v1/logout/backchannel/:cloud', () => {
  let world: LogoutWorld;
  beforeEach(async () => { world = await logoutWorld(); });

  it('accepts a valid token with 200, no-store, and fans out to every realm and Keystone', async () => {
    const res = await post(world, await world.token('cloud-a'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.body.eventId, /^bcl-cloud-a-jti-/);
    await world.queue.idle();
    assert.deepEqual(world.keycloak.get('cloud-a')?.loggedOut, ['a1a1a1a1-0000-4000-8000-00000000a11c']);
    assert.deepEqual(world.keycloak.get('cloud-b')?.loggedOut, ['cloud-b-alice-id']);
    assert.deepEqual(world.keycloak.get('cloud-c')?.loggedOut, ['cloud-c-alice-id']);
    assert.deepEqual(world.keystone.get('cloud-b')?.revoked, ['cloud-a.alice']);
    assert.ok(world.audit.some((a) => a.action === 'logout.completed'));
  });

  it('fetches each realm\'s keys with that cloud\'s own outbound client only', async () => {
    for (const cloud of ['cloud-b', 'cloud-a']) {
      const aud = cloud === 'cloud-a' ? 'fed-cloud-b' : 'fed-cloud-a';
      const res = await post(world, await world.token(cloud, { aud }), `/api/v1/logout/backchannel/${cloud}`);
      assert.equal(res.status, 200, `${cloud}: ${res.text}`);
    }
    assert.deepEqual(world.jwksFetches.byCloud, ['cloud-b', 'cloud-a']);
  });

  const cases: [string, string, (w: LogoutWorld) => Promise<string>, number?][] = [
    ['forged signature', 'ERR_LOGOUT_SIGNATURE', (w) => w.token('cloud-a', {}, {}, w.foreignKey)],
    ['token of another realm sent for cloud-a (unknown issuer)', 'ERR_LOGOUT_ISSUER', (w) => w.token('cloud-b', { aud: 'fed-cloud-a' })],
    ['issuer that is no realm of the federation', 'ERR_LOGOUT_ISSUER', (w) => w.token('cloud-a', { iss: 'https://evil.example/realms/cloud-a' })],
    ['wrong audience', 'ERR_LOGOUT_AUDIENCE', (w) => w.token('cloud-a', { aud: 'openstack' })],
    ['audience of another realm\'s broker client only', 'ERR_LOGOUT_AUDIENCE', (w) => w.token('cloud-a', { aud: ['fed-cloud-a', 'account'] })],
    ['iat too old', 'ERR_LOGOUT_IAT_EXPIRED', (w) => w.token('cloud-a', { iat: Math.floor(w.now.ms / 1000) - 600 })],
    ['iat in the future', 'ERR_LOGOUT_IAT_FUTURE', (w) => w.token('cloud-a', { iat: Math.floor(w.now.ms / 1000) + 600 })],
    ['missing jti', 'ERR_LOGOUT_JTI', (w) => w.token('cloud-a', { jti: undefined })],
    ['missing events', 'ERR_LOGOUT_EVENTS', (w) => w.token('cloud-a', { events: undefined })],
    ['events without the back-channel logout member', 'ERR_LOGOUT_EVENTS', (w) => w.token('cloud-a', { events: { 'urn:other': {} } })],
    ['events member that is not an object', 'ERR_LOGOUT_EVENTS', (w) => w.token('cloud-a', { events: { [BACKCHANNEL_LOGOUT_EVENT]: 'yes' } })],
    ['nonce present', 'ERR_LOGOUT_NONCE', (w) => w.token('cloud-a', { nonce: 'n-1' })],
    ['neither sub nor sid', 'ERR_LOGOUT_SUBJECT', (w) => w.token('cloud-a', { sub: undefined, sid: undefined })],
    ['wrong typ (JWT) where the cloud wants logout+jwt', 'ERR_LOGOUT_TYP', (w) => w.token('cloud-a', {}, { typ: 'JWT' })],
    ['an access token typ', 'ERR_LOGOUT_TYP', (w) => w.token('cloud-a', {}, { typ: 'at+jwt' })],
    ['garbage instead of a JWT', 'ERR_LOGOUT_MALFORMED', async () => 'not.a.jwt'],
    ['an exp 10 minutes past', 'ERR_LOGOUT_EXPIRED', (w) => w.token('cloud-a', { exp: nowS(w) - 600 })],
    ['an exp 31 s past (beyond the 30 s skew)', 'ERR_LOGOUT_EXPIRED', (w) => w.token('cloud-a', { exp: nowS(w) - 31 })],
    ['an nbf 10 minutes ahead', 'ERR_LOGOUT_NOT_YET_VALID', (w) => w.token('cloud-a', { nbf: nowS(w) + 600 })],
    ['an nbf one hour ahead (the skew is seconds, not an hour)', 'ERR_LOGOUT_NOT_YET_VALID', (w) => w.token('cloud-a', { nbf: nowS(w) + 3600 })],
    ['an iat that is a string', 'ERR_LOGOUT_CLAIM_INVALID', (w) => w.token('cloud-a', { iat: String(nowS(w)) })],
    ['no iat', 'ERR_LOGOUT_CLAIM_INVALID', (w) => w.token('cloud-a', { iat: undefined })],
    ['an exp that is a string', 'ERR_LOGOUT_CLAIM_INVALID', (w) => w.token('cloud-a', { exp: 'tomorrow' })],
    ['an nbf that is null', 'ERR_LOGOUT_CLAIM_INVALID', (w) => w.token('cloud-a', { nbf: null })],
    ['a sub that is not a string (even with a sid)', 'ERR_LOGOUT_SUBJECT', (w) => w.token('cloud-a', { sub: 42 })],
    ['a typ that is not a string', 'ERR_LOGOUT_TYP', (w) => w.token('cloud-a', {}, { typ: 7 })],
  ];
  for (const [name, code, make] of cases) {
    it(`rejects ${name} with 400 ${code} and changes nothing`, async () => {
      const res = await post(world, await make(world));
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.code, code);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.match(res.body.errorId, /^[0-9a-f-]{36}$/);
      await assertUnchanged(world);
    });
  }

  it('accepts exp and nbf within the 30 s clock tolerance (nbf 10 s ahead, exp 10 s past), at the broker\'s clock', async () => {
    assert.equal((await post(world, await world.token('cloud-a', { nbf: nowS(world) + 10 }))).status, 200);
    assert.equal((await post(world, await world.token('cloud-a', { exp: nowS(world) - 10, sid: 'sid-a-2' }))).status, 200);
    // The world's clock, not the system's: a token valid a year ago is valid when the broker says it is then.
    world.now.ms = Date.UTC(2025, 0, 1);
    const res = await post(world, await world.token('cloud-a', { exp: nowS(world) + 60, sid: 'sid-a-2' }));
    assert.equal(res.status, 200, res.text);
    await world.queue.idle();
  });

  it('rejects a replayed jti with ERR_LOGOUT_REPLAY; the first delivery is unaffected', async () => {
    const token = await world.token('cloud-a');
    assert.equal((await post(world, token)).status, 200);
    await world.queue.idle();
    const before = world.audit.length;
    const res = await post(world, token);
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'ERR_LOGOUT_REPLAY');
    assert.equal(world.audit.length, before);
  });

  it('rejects an oversized body with 413 ERR_REQUEST_BODY_TOO_LARGE', async () => {
    const res = await request(appOf(world)).post(PATH).type('form').send({ logout_token: 'x'.repeat(20_000) });
    assert.equal(res.status, 413);
    assert.equal(res.body.code, 'ERR_REQUEST_BODY_TOO_LARGE');
    await assertUnchanged(world);
  });

  it('rejects a request without logout_token, and a JSON body', async () => {
    const empty = await request(appOf(world)).post(PATH).type('form').send({ other: '1' });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.code, 'ERR_LOGOUT_MALFORMED');
    const json = await request(appOf(world)).post(PATH).send({ logout_token: await world.token('cloud-a') });
    assert.equal(json.status, 415);
    assert.equal(json.body.code, 'ERR_REQUEST_CONTENT_TYPE');
    await assertUnchanged(world);
  });

  it('gives body-parser failures codes of their own: too many parameters, a foreign charset, a body without a type, a broken encoding', async () => {
    const app = appOf(world);
    const many = await request(app).post(PATH).type('form').send(Array.from({ length: 20 }, (_, i) => `p${i}=1`).join('&'));
    assert.deepEqual([many.status, many.body.code], [413, 'ERR_REQUEST_BODY_TOO_LARGE']);
    const charset = await request(app).post(PATH).set('content-type', 'application/x-www-form-urlencoded; charset=koi8-r').send('logout_token=x');
    assert.deepEqual([charset.status, charset.body.code], [415, 'ERR_REQUEST_CONTENT_TYPE']);
    const encoding = await request(app).post(PATH).set('content-type', 'application/x-www-form-urlencoded').set('content-encoding', 'x-unknown').send('logout_token=x');
    assert.deepEqual([encoding.status, encoding.body.code], [415, 'ERR_REQUEST_CONTENT_TYPE']);
    const text = await request(app).post(PATH).set('content-type', 'text/plain').send('logout_token=x');
    assert.deepEqual([text.status, text.body.code], [415, 'ERR_REQUEST_CONTENT_TYPE']);
    const broken = await request(app).post(PATH).set('content-type', 'application/x-www-form-urlencoded').set('content-encoding', 'gzip').send('not gzip at all');
    assert.deepEqual([broken.status, broken.body.code], [400, 'ERR_REQUEST_MALFORMED']);
    for (const res of [many, charset, encoding, text, broken]) assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    await assertUnchanged(world);
  });

  it('rejects an unknown cloud in the path, and a SAML home (no OIDC logout tokens)', async () => {
    for (const cloud of ['cloud-x', 'cloud-c']) {
      const res = await post(world, await world.token('cloud-a'), `/api/v1/logout/backchannel/${cloud}`);
      assert.equal(res.body.code, 'ERR_LOGOUT_ISSUER', cloud);
    }
    await assertUnchanged(world);
  });

  it('accepts typ JWT only for a cloud with insecureAcceptUntypedLogoutTokens', async () => {
    const relaxed = await logoutWorld((doc) => { (doc as { clouds: { keycloak: Record<string, unknown> }[] }).clouds[0]!.keycloak['insecureAcceptUntypedLogoutTokens'] = true; });
    assert.equal((await post(relaxed, await relaxed.token('cloud-a', {}, { typ: 'JWT' }))).status, 200);
    assert.equal((await post(world, await world.token('cloud-a', {}, { typ: 'JWT' }))).body.code, 'ERR_LOGOUT_TYP');
  });

  it('accepts any broker client of the home realm as audience (fed-<partner>)', async () => {
    assert.equal((await post(world, await world.token('cloud-a', { aud: 'fed-cloud-c' }))).status, 200);
  });

  it('a second token for the same session joins the first event (coalesced), no second fan-out', async () => {
    const first = await post(world, await world.token('cloud-a', { sid: 'sid-a-1' }));
    const second = await post(world, await world.token('cloud-a', { sid: 'sid-a-1' }));
    assert.equal(second.status, 200);
    assert.equal(second.body.coalesced, true);
    assert.equal(second.body.eventId, first.body.eventId);
  });

  it('another session of the same subject joins an event that has delivered nothing yet, and starts a new fan-out once one target is done', async () => {
    // Every target fails for now; cloud-a still answers who the user is.
    const home = world.keycloak.get('cloud-a') as NonNullable<ReturnType<typeof world.keycloak.get>>;
    const sessions = home.sessions.bind(home);
    home.sessions = async () => { throw new Error('cloud-a sessions unavailable'); };
    const others = [...world.keycloak.values(), ...world.keystone.values()].filter((p) => p !== home);
    for (const port of others) port.down = true;
    const first = await post(world, await world.token('cloud-a', { sid: 'sid-a-1' }));
    const joined = await post(world, await world.token('cloud-a', { sid: 'sid-a-2' }));
    assert.deepEqual([joined.body.eventId, joined.body.coalesced], [first.body.eventId, true]);
    home.sessions = sessions;
    for (const port of others) port.down = false;
    await world.queue.idle();
    const later = await post(world, await world.token('cloud-a', { sid: 'sid-a-3' }));
    assert.equal(later.body.coalesced, false, 'a session started after the first fan-out could have been missed by it');
    assert.notEqual(later.body.eventId, first.body.eventId);
    await world.queue.idle();
  });

  it('the report route is not mounted by default, and is with the insecure flag', async () => {
    const res = await post(world, await world.token('cloud-a'));
    await world.queue.idle();
    assert.equal((await request(appOf(world)).get(`/api/v1/logout/events/${res.body.eventId}`)).status, 404);
    const report = await request(appOf(world, true)).get(`/api/v1/logout/events/${res.body.eventId}`);
    assert.equal(report.status, 200);
    assert.equal(report.body.outcome, 'delivered');
    assert.equal(report.body.deliveries.length, 6);
    assert.equal((await request(appOf(world, true)).get('/api/v1/logout/events/nope')).body.code, 'ERR_LOGOUT_EVENT_NOT_FOUND');
  });

  it('healthz, readyz and metrics answer', async () => {
    const app = appOf(world);
    assert.equal((await request(app).get('/healthz')).status, 200);
    assert.equal((await request(app).get('/readyz')).status, 200);
    const metrics = await request(app).get('/metrics');
    assert.match(metrics.text, /fedbroker_logout_tokens_total/);
  });
});
