// One Redis URL for every client of the broker's Redis: a single server or Redis Sentinel, with the
// credentials and TLS carried to ioredis; a malformed URL is ERR_CONFIG_INVALID naming the fix, and its
// password never appears in the message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redactedRedisUrl, redisTarget } from '../../src/adapters/redis/connection.ts';
import { isBrokerError } from '../../src/core/errors.ts';

describe('Redis URL', () => {
  it('one server: host, default port, database, credentials, TLS', () => {
    assert.deepEqual(redisTarget('redis://127.0.0.1').options, { host: '127.0.0.1', port: 6379 });
    assert.deepEqual(redisTarget('rediss://broker:p%40ss@redis.example.org:6380/2').options,
      { host: 'redis.example.org', port: 6380, username: 'broker', password: 'p@ss', db: 2, tls: {} });
    assert.deepEqual(redisTarget('redis://:secret@[::1]:7000').options, { host: '::1', port: 7000, password: 'secret' });
    assert.equal(redisTarget('redis://:secret@redis:6379').display, 'redis:6379');
  });

  it('Sentinel: the sentinels, the master name, credentials for both, TLS for both', () => {
    const t = redisTarget('redis+sentinel://:pw@s1.example.org,s2.example.org:26380/fedbroker/1');
    assert.deepEqual(t.options, {
      sentinels: [{ host: 's1.example.org', port: 26379 }, { host: 's2.example.org', port: 26380 }], name: 'fedbroker',
      password: 'pw', sentinelPassword: 'pw', db: 1,
    });
    assert.equal(t.display, 'master fedbroker via sentinels s1.example.org:26379,s2.example.org:26380');
    const tls = redisTarget('rediss+sentinel://s1:26379/m').options;
    assert.deepEqual([tls.tls, tls.sentinelTLS, tls.enableTLSForSentinelMode], [{}, {}, true]);
  });

  it('refuses what it cannot use with ERR_CONFIG_INVALID, naming the fix, without the password', () => {
    const cases: [string, RegExp][] = [
      ['http://redis:6379', /not a Redis URL; use redis:\/\//],
      ['redis://a:6379,b:6379', /several hosts need Sentinel/],
      ['redis+sentinel://s1:26379', /master's name as the path/],
      ['redis+sentinel://s1:26379/m/x', /database "x" is not a number/],
      ['redis://:hunter2@redis:99999', /"redis:99999" is not host or host:port/],
      ['redis://redis/0/1', /database number only/],
    ];
    for (const [url, why] of cases) {
      assert.throws(() => redisTarget(url), (e: unknown) => {
        assert.ok(isBrokerError(e, 'ERR_CONFIG_INVALID'), url);
        assert.match((e as Error).message, why, url);
        assert.doesNotMatch((e as Error).message, /hunter2/);
        return true;
      });
    }
    assert.equal(redactedRedisUrl('rediss://broker:hunter2@redis:6379'), 'rediss://broker:***@redis:6379');
  });
});
