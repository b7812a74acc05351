// The README states defaults; the code has them. They must agree.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_REDIS_URL, redisUrl } from '../../src/cli/logout-compose.ts';

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
});
