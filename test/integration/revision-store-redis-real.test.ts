// The RevisionStore contract on the test bed's Redis (keys under a prefix of this run, removed afterwards).
import { after, before } from 'node:test';
import { RedisRevisionStore } from '../../src/adapters/redis/revision-store.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../src/adapters/redis/logout-store.ts';
import { revisionStoreContract } from '../contract/revision-store.contract.ts';
import { loadTestbed } from '../support/testbed.ts';

let redis: RedisClient;
const prefixes: string[] = [];
before(async () => { redis = await connectRedis(loadTestbed().redis.url); });
after(async () => {
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await closeRedis(redis);
});

revisionStoreContract('redis', async () => {
  const prefix = `fedbroker:test-spec:${Date.now()}:${Math.random().toString(36).slice(2, 8)}`;
  prefixes.push(prefix);
  return new RedisRevisionStore(redis, prefix);
});
