// Rate limits of the unauthenticated routes: the pure token buckets with an injected time, and the
// back-channel route over the fakes, called from several loopback addresses (127.0.0.1, .2, .3 are
// distinct sources). A refused request is answered before its body is read and changes nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, type Server } from 'node:http';
import request from 'supertest';
import { rateLimitsOf } from '../../src/cli/serve.ts';
import { sourceBlock } from '../../src/core/net-address.ts';
import { DEFAULT_RATE_LIMITS, parseBucketLimit, RequestRateLimiter, type RateLimits } from '../../src/core/rate-limit.ts';
import { createApp } from '../../src/http/app.ts';
import { BrokerMetrics } from '../../src/http/metrics.ts';
import { logoutWorld, silentLogger, type LogoutWorld } from '../support/logout-fixtures.ts';

const T0 = 1_000_000;

describe('RequestRateLimiter (pure, time passed in)', () => {
  const limits: RateLimits = { perSource: { burst: 3, perSecond: 2 }, perCloud: { burst: 5, perSecond: 1 } };

  it('admits a source\'s burst, refuses the next with the wait until its next token, and refills with time', () => {
    const limiter = new RequestRateLimiter(limits);
    for (let i = 0; i < 3; i += 1) assert.deepEqual(limiter.admit('10.0.0.1', 'cloud-a', T0), { allowed: true });
    assert.deepEqual(limiter.admit('10.0.0.1', 'cloud-a', T0), { allowed: false, limit: 'source', retryAfterMs: 500 });
    assert.deepEqual(limiter.admit('10.0.0.1', 'cloud-a', T0 + 499), { allowed: false, limit: 'source', retryAfterMs: 1 });
    assert.deepEqual(limiter.admit('10.0.0.1', 'cloud-a', T0 + 500), { allowed: true });
    assert.equal(limiter.admit('10.0.0.1', 'cloud-a', T0 + 500).allowed, false);
  });

  it('another source is unaffected until the cloud\'s limit; refused requests take no token of either bucket', () => {
    const limiter = new RequestRateLimiter(limits);
    for (let i = 0; i < 3; i += 1) assert.equal(limiter.admit('10.0.0.1', 'cloud-a', T0).allowed, true);
    for (let i = 0; i < 10; i += 1) assert.equal(limiter.admit('10.0.0.1', 'cloud-a', T0).allowed, false);
    assert.equal(limiter.admit('10.0.0.2', 'cloud-a', T0).allowed, true);
    assert.equal(limiter.admit('10.0.0.2', 'cloud-a', T0).allowed, true, 'the ten refusals above took nothing from cloud-a');
    assert.deepEqual(limiter.admit('10.0.0.3', 'cloud-a', T0), { allowed: false, limit: 'cloud', retryAfterMs: 1000 });
    assert.equal(limiter.admit('10.0.0.3', 'cloud-b', T0).allowed, true, 'another cloud has its own bucket');
    assert.deepEqual(limiter.admit('10.0.0.1', 'cloud-a', T0), { allowed: false, limit: 'source', retryAfterMs: 1000 }, 'both exhausted: the longer wait');
  });

  it('a clock stepping back refills nothing; a long pause refills to the burst only', () => {
    const limiter = new RequestRateLimiter(limits);
    for (let i = 0; i < 3; i += 1) limiter.admit('s', 'c', T0);
    assert.equal(limiter.admit('s', 'c', T0 - 60_000).allowed, false);
    const later = T0 + 3_600_000;
    for (let i = 0; i < 3; i += 1) assert.equal(limiter.admit('s', 'c', later).allowed, true);
    assert.equal(limiter.admit('s', 'c', later).allowed, false);
  });

  it('holds at most maxSources source buckets whatever addresses come', () => {
    const limiter = new RequestRateLimiter({ perSource: { burst: 1, perSecond: 1 }, perCloud: { burst: 1e9, perSecond: 1e9 } }, 100);
    for (let i = 0; i < 10_000; i += 1) assert.equal(limiter.admit(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 'c', T0).allowed, true);
    assert.equal(limiter.sourcesTracked, 100);
    assert.equal(limiter.admit('10.0.39.15', 'c', T0).allowed, false, 'the most recent sources are still limited');
  });

  it('counts IPv4-mapped addresses as IPv4 and IPv6 addresses by /64', () => {
    assert.equal(sourceBlock('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(sourceBlock('127.0.0.1'), '127.0.0.1');
    assert.equal(sourceBlock('2001:db8:1:2:aa::1'), sourceBlock('2001:DB8:1:2:bb:cc:dd:2'));
    assert.notEqual(sourceBlock('2001:db8:1:2::1'), sourceBlock('2001:db8:1:3::1'));
    assert.equal(sourceBlock('::1'), '0:0:0:0::/64');
  });

  it('limits are written <per second>:<burst>; serve reads flags, then the environment, then the defaults', () => {
    assert.deepEqual(parseBucketLimit('100:200'), { perSecond: 100, burst: 200 });
    assert.deepEqual(parseBucketLimit('0.5:1'), { perSecond: 0.5, burst: 1 });
    for (const bad of ['0:5', '5:0', '5', 'x:y', '-1:3', '']) assert.equal(parseBucketLimit(bad), undefined, bad);
    assert.deepEqual(rateLimitsOf({}, {}), DEFAULT_RATE_LIMITS);
    assert.deepEqual(rateLimitsOf({}, { FEDBROKER_RATE_LIMIT_SOURCE: '7:8', FEDBROKER_RATE_LIMIT_CLOUD: '9:10' }), { perSource: { perSecond: 7, burst: 8 }, perCloud: { perSecond: 9, burst: 10 } });
    assert.deepEqual(rateLimitsOf({ rateLimitSource: '1:2' }, { FEDBROKER_RATE_LIMIT_SOURCE: '7:8' }).perSource, { perSecond: 1, burst: 2 });
    assert.throws(() => rateLimitsOf({ rateLimitCloud: 'lots' }, {}), { code: 'ERR_CONFIG_INVALID' });
    assert.throws(() => new RequestRateLimiter({ perSource: { burst: 0, perSecond: 1 }, perCloud: { burst: 1, perSecond: 1 } }), { code: 'ERR_CONFIG_INVALID' });
  });

  it('the defaults admit one Keycloak sending 50 logout tokens per second for each of three realms for 10 s, and 300 at once for one realm', () => {
    const limiter = new RequestRateLimiter(DEFAULT_RATE_LIMITS);
    for (let ms = 0; ms < 10_000; ms += 20) {
      for (const realm of ['cloud-a', 'cloud-b', 'cloud-c']) assert.equal(limiter.admit('192.0.2.10', realm, T0 + ms).allowed, true, `${realm} at ${ms} ms`);
    }
    const fresh = new RequestRateLimiter(DEFAULT_RATE_LIMITS);
    for (let i = 0; i < 300; i += 1) assert.equal(fresh.admit('192.0.2.10', 'cloud-a', T0).allowed, true, `token ${i}`);
  });
});

describe('POST /api/v1/logout/backchannel/:cloud is rate-limited before the token is read', () => {
  const limits: RateLimits = { perSource: { burst: 3, perSecond: 1 }, perCloud: { burst: 5, perSecond: 1 } };
  const PATH = '/api/v1/logout/backchannel/cloud-a';

  async function serve(world: LogoutWorld, metrics: BrokerMetrics): Promise<Server> {
    const server = createApp({ logout: world.deps, logger: silentLogger, metrics, ready: async () => {}, rateLimits: limits }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return server;
  }
  const from = (address: string) => new Agent({ localAddress: address });
  const send = (server: Server, agent: Agent, token: string, path = PATH) => request(server).post(path).agent(agent).type('form').send({ logout_token: token });
  const series = async (metrics: BrokerMetrics) => (await metrics.registry.metrics()).split('\n').filter((l) => l.startsWith('fedbroker_http_rate_limited_total{'));

  /** Nothing changed: no event, no queued delivery, no session ended. */
  function assertUnchanged(world: LogoutWorld): void {
    assert.deepEqual(world.audit, []);
    assert.equal(world.queue.enqueued, 0);
    for (const k of world.keycloak.values()) assert.deepEqual(k.loggedOut, []);
  }

  it('a burst from one source gets 429 ERR_RATE_LIMITED with Retry-After; another source is served until the cloud\'s limit; another cloud is unaffected', async () => {
    const world = await logoutWorld();
    const metrics = new BrokerMetrics();
    const server = await serve(world, metrics);
    const [one, two, three] = ['127.0.0.1', '127.0.0.2', '127.0.0.3'].map(from) as [Agent, Agent, Agent];
    try {
      for (let i = 0; i < 3; i += 1) assert.equal((await send(server, one, 'not.a.jwt')).body.code, 'ERR_LOGOUT_MALFORMED');
      const refused = await send(server, one, 'not.a.jwt');
      assert.equal(refused.status, 429, refused.text);
      assert.equal(refused.body.code, 'ERR_RATE_LIMITED');
      assert.equal(refused.body.status, 429);
      assert.match(refused.body.errorId, /^[0-9a-f-]{36}$/);
      assert.equal(refused.headers['retry-after'], '1');
      assert.equal(refused.headers['cache-control'], 'no-store');
      assert.match(String(refused.headers['content-type']), /application\/problem\+json/);

      for (let i = 0; i < 2; i += 1) assert.equal((await send(server, two, 'not.a.jwt')).body.code, 'ERR_LOGOUT_MALFORMED', 'a second source is not held by the first one\'s limit');
      const cloudFull = await send(server, two, 'not.a.jwt');
      assert.deepEqual([cloudFull.status, cloudFull.body.code, cloudFull.headers['retry-after']], [429, 'ERR_RATE_LIMITED', '1']);
      assert.match(cloudFull.body.detail, /for cloud cloud-a/);
      assert.equal((await send(server, three, 'not.a.jwt', '/api/v1/logout/backchannel/cloud-b')).body.code, 'ERR_LOGOUT_MALFORMED', 'cloud-b has its own bucket');
      assertUnchanged(world);
      assert.deepEqual((await series(metrics)).sort(), [
        'fedbroker_http_rate_limited_total{route="backchannel",cloud="cloud-a",limit="cloud"} 1',
        'fedbroker_http_rate_limited_total{route="backchannel",cloud="cloud-a",limit="source"} 1',
      ]);
    } finally {
      for (const a of [one, two, three]) a.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a refused valid token changes nothing and is not consumed: accepted once the bucket refilled at the injected clock', async () => {
    const world = await logoutWorld();
    const server = await serve(world, new BrokerMetrics());
    const one = from('127.0.0.1');
    try {
      for (let i = 0; i < 3; i += 1) await send(server, one, 'not.a.jwt');
      const token = await world.token('cloud-a');
      const refused = await send(server, one, token);
      assert.deepEqual([refused.status, refused.body.code], [429, 'ERR_RATE_LIMITED']);
      assertUnchanged(world);
      world.now.ms += 999;
      assert.equal((await send(server, one, token)).status, 429, 'not refilled before the time Retry-After gave');
      world.now.ms += 1;
      const accepted = await send(server, one, token);
      assert.equal(accepted.status, 200, accepted.text);
      assert.equal(accepted.body.coalesced, false);
      await world.queue.idle();
      assert.ok(world.audit.some((a) => a.action === 'logout.completed'));
    } finally {
      one.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refusals are counted with fixed labels: caller-chosen cloud names all count as unknown', async () => {
    const world = await logoutWorld();
    const metrics = new BrokerMetrics();
    const server = await serve(world, metrics);
    const one = from('127.0.0.1');
    try {
      for (let i = 0; i < 200; i += 1) await send(server, one, 'not.a.jwt', `/api/v1/logout/backchannel/random-${i}`);
      assert.deepEqual(await series(metrics), ['fedbroker_http_rate_limited_total{route="backchannel",cloud="unknown",limit="source"} 197']);
      assertUnchanged(world);
    } finally {
      one.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses before reading the body: an oversized body over the limit is 429, not 413', async () => {
    const world = await logoutWorld();
    const server = await serve(world, new BrokerMetrics());
    const one = from('127.0.0.1');
    try {
      for (let i = 0; i < 3; i += 1) await send(server, one, 'not.a.jwt');
      const res = await send(server, one, 'x'.repeat(20_000));
      assert.deepEqual([res.status, res.body.code], [429, 'ERR_RATE_LIMITED']);
    } finally {
      one.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
