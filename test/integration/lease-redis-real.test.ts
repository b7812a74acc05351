// The lease contract on the Redis adapter against the test bed's Redis (real expiry, real waiting),
// and the key a sync lease lives under.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { RedisLeaseStore } from '../../src/adapters/redis/lease-store.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../src/adapters/redis/logout-store.ts';
import { leaseStoreContract } from '../contract/lease.contract.ts';
import { loadTestbed } from '../support/testbed.ts';

const testbed = loadTestbed();
let redis: RedisClient;
before(async () => { redis = await connectRedis(testbed.redis.url); });
after(async () => { await closeRedis(redis); });

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
leaseStoreContract('redis', async () => ({ store: new RedisLeaseStore(redis, `fedbroker:test:lease:${Date.now()}`), elapse: sleep }));

it('a sync lease is the key fedbroker:sync:lease:<cloud> holding the token, with the TTL as its expiry', async () => {
  const store = new RedisLeaseStore(redis);
  const cloud = `contract-${Date.now().toString(36)}`;
  assert.equal(store.key(cloud), `fedbroker:sync:lease:${cloud}`);
  assert.equal(await store.acquire(cloud, 'tok', 5000), true);
  assert.equal(await redis.get(`fedbroker:sync:lease:${cloud}`), 'tok');
  const pttl = await redis.pttl(`fedbroker:sync:lease:${cloud}`);
  assert.ok(pttl > 4000 && pttl <= 5000, `pttl ${pttl}`);
  assert.equal(await store.release(cloud, 'tok'), true);
  assert.equal(await redis.exists(`fedbroker:sync:lease:${cloud}`), 0);
});
