/**
 * The Redis of the real test bed (scripts/testbed/redis.sh): a SET/GET/DEL round trip with a unique key.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadTestbed } from '../support/testbed.ts';

const testbed = loadTestbed();

describe(`test bed Redis (${testbed.redis.url})`, () => {
  const client = new Redis(testbed.redis.url, { lazyConnect: true, connectTimeout: 5_000, retryStrategy: () => null });
  before(async () => { await client.connect(); });
  after(async () => { if (client.status === 'ready') await client.quit(); });

  it('answers PING', async () => {
    assert.equal(await client.ping(), 'PONG');
  });

  it('stores, reads and deletes a key', async () => {
    const key = `fedbroker:test:${randomUUID()}`;
    const value = `value-${randomUUID()}`;
    try {
      assert.equal(await client.set(key, value, 'EX', 60), 'OK');
      assert.equal(await client.get(key), value);
      assert.ok((await client.ttl(key)) > 0, 'the key expires');
      assert.equal(await client.del(key), 1);
      assert.equal(await client.get(key), null);
    } finally {
      await client.del(key);
    }
  });
});
