// The README states defaults; the code has them. They must agree.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_REDIS_URL, redisUrl } from '../../src/cli/logout-compose.ts';
import { rateLimitsOf } from '../../src/cli/serve.ts';
import { DEFAULT_RATE_LIMITS } from '../../src/core/rate-limit.ts';
import { SYNC_INTERVAL_BOUNDS } from '../../src/core/federation/schema.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README defaults', () => {
  it('states the Redis default the code uses', () => {
    const stated = /`FEDBROKER_REDIS_URL`, default `([^`]+)`/.exec(readme)?.[1];
    assert.ok(stated, 'the README names the FEDBROKER_REDIS_URL default');
    assert.equal(stated, DEFAULT_REDIS_URL);
    const saved = process.env['FEDBROKER_REDIS_URL'];
    delete process.env['FEDBROKER_REDIS_URL'];
    try {
      assert.equal(redisUrl(), stated);
    } finally {
      if (saved !== undefined) process.env['FEDBROKER_REDIS_URL'] = saved;
    }
  });

  it('states the rate-limit defaults serve uses', () => {
    const stated = (variable: string) => new RegExp(`\`${variable}\`, default \`([^\`]+)\``).exec(readme)?.[1];
    const source = stated('FEDBROKER_RATE_LIMIT_SOURCE');
    const cloud = stated('FEDBROKER_RATE_LIMIT_CLOUD');
    assert.ok(source && cloud, 'the README names both rate-limit defaults');
    assert.deepEqual(rateLimitsOf({ rateLimitSource: source, rateLimitCloud: cloud }, {}), DEFAULT_RATE_LIMITS);
    assert.deepEqual(rateLimitsOf({}, {}), DEFAULT_RATE_LIMITS);
  });

  it('states the sync job\'s default interval the spec schema uses', () => {
    const stated = /every `sync\.intervalSeconds`, default (\d+)/.exec(readme)?.[1];
    assert.equal(Number(stated), SYNC_INTERVAL_BOUNDS.default);
  });
});
