// Metric labels come from fixed sets: the spec's clouds or `unknown`, known codes, sources and
// systems. A caller choosing the :cloud path segment cannot grow the registry (one series per value
// would exhaust memory).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import fc from 'fast-check';
import request from 'supertest';
import { createApp } from '../../src/http/app.ts';
import { BrokerMetrics } from '../../src/http/metrics.ts';
import { logoutWorld, silentLogger } from '../support/logout-fixtures.ts';

const METRIC = 'fedbroker_logout_tokens_total';

/** The series lines of one metric in the exposition text. */
function series(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`));
}

describe('metric labels are bounded', () => {
  it(`10,000 distinct random cloud names leave ${METRIC} at one series per spec cloud plus unknown`, async () => {
    const world = await logoutWorld();
    const metrics = new BrokerMetrics();
    // 10,000 requests from one address at one instant: the rate limits are raised out of the way here
    // (test/unit/rate-limit.test.ts covers them; the 429 metric's labels are bounded the same way).
    const unlimited = { burst: 1e9, perSecond: 1e9 };
    const server = createApp({ logout: world.deps, logger: silentLogger, metrics, ready: async () => {}, rateLimits: { perSource: unlimited, perCloud: unlimited } }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 100 });
    try {
      const send = (cloud: string) => request(server).post(`/api/v1/logout/backchannel/${encodeURIComponent(cloud)}`).agent(keepAlive).type('form').send({ logout_token: 'not.a.jwt' });
      const known = world.spec.clouds.map((c) => c.alias);
      for (const cloud of [...known, 'no-such-cloud']) assert.equal((await send(cloud)).body.code, 'ERR_LOGOUT_MALFORMED');
      const before = series((await request(server).get('/metrics')).text, METRIC);
      assert.equal(before.length, known.length + 1, before.join('\n'));

      const names = new Set(fc.sample(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }), { seed: 4242, numRuns: 20_000 })
        .map((s, i) => `${s}-${i}`).filter((s) => !known.includes(s)));
      const clouds = [...names].slice(0, 10_000);
      assert.equal(clouds.length, 10_000);
      for (let i = 0; i < clouds.length; i += 100) {
        const answers = await Promise.all(clouds.slice(i, i + 100).map(send));
        for (const a of answers) assert.equal(a.status, 400);
      }

      const after = series((await request(server).get('/metrics')).text, METRIC);
      assert.equal(after.length, before.length, after.slice(0, 10).join('\n'));
      assert.deepEqual(after.map((l) => l.replace(/ \d+$/, '')).sort(), before.map((l) => l.replace(/ \d+$/, '')).sort());
      const unknown = after.find((l) => l.includes('cloud="unknown"'));
      assert.match(unknown ?? '', / 10001$/, 'every request was counted under unknown');
      for (const cloud of known) assert.ok(after.some((l) => l.includes(`cloud="${cloud}"`)), cloud);
    } finally {
      keepAlive.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('the result label is a known code; sources and systems of audit entries are bounded too', async () => {
    const metrics = new BrokerMetrics();
    for (let i = 0; i < 50; i += 1) {
      metrics.observe({ action: 'logout.started', source: `evil-${i}` });
      metrics.observe({ action: 'logout.delivered', target: `sys-${i}/cloud-a` });
    }
    metrics.observe({ action: 'logout.started', source: 'backchannel' });
    metrics.observe({ action: 'logout.delivered', target: 'keystone/cloud-b' });
    const text = await metrics.registry.metrics();
    assert.deepEqual(series(text, 'fedbroker_logout_events_total').map((l) => l.replace(/ \d+$/, '')).sort(),
      ['fedbroker_logout_events_total{source="backchannel",kind="started"}', 'fedbroker_logout_events_total{source="unknown",kind="started"}']);
    assert.deepEqual(series(text, 'fedbroker_logout_deliveries_total').map((l) => l.replace(/ \d+$/, '')).sort(),
      ['fedbroker_logout_deliveries_total{system="keystone",result="delivered"}', 'fedbroker_logout_deliveries_total{system="unknown",result="delivered"}']);
  });
});
