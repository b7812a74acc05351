// The TrustProposalStore contract on the test bed's Redis (a key of this run, removed afterwards).
import { after, before } from 'node:test';
import { closeRedis, connectRedis, type RedisClient } from '../../src/adapters/redis/logout-store.ts';
import { RedisTrustProposalStore } from '../../src/adapters/redis/trust-proposal-store.ts';
import { trustProposalStoreContract } from '../contract/trust-proposal-store.contract.ts';
import { loadTestbed } from '../support/testbed.ts';

let redis: RedisClient;
const keys: string[] = [];
before(async () => { redis = await connectRedis(loadTestbed().redis.url); });
after(async () => {
  if (keys.length > 0) await redis.del(...keys);
  await closeRedis(redis);
});

trustProposalStoreContract('redis', async () => {
  const key = `fedbroker:test-trust:${Date.now()}:${Math.random().toString(36).slice(2, 8)}`;
  keys.push(key);
  return new RedisTrustProposalStore(redis, key);
});
