// The PlanStore and RunStore contracts on the test bed's Redis (keys under a prefix of this run, removed afterwards).
import { RedisPlanStore, RedisRunStore } from '../../src/adapters/redis/api-stores.ts';
import { apiStoresContract } from '../contract/api-stores.contract.ts';
import { testRedisKeys } from '../support/redis-keys.ts';

const redis = testRedisKeys();
apiStoresContract('redis', async () => {
  const prefix = redis.freshPrefix('api');
  return { plans: new RedisPlanStore(redis.client(), prefix), runs: new RedisRunStore<{ n: number }>(redis.client(), prefix) };
});
