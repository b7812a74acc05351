// The RevisionStore contract on the test bed's Redis (keys under a prefix of this run, removed afterwards).
import { RedisRevisionStore } from '../../src/adapters/redis/revision-store.ts';
import { revisionStoreContract } from '../contract/revision-store.contract.ts';
import { testRedisKeys } from '../support/redis-keys.ts';

const redis = testRedisKeys();
revisionStoreContract('redis', async () => new RedisRevisionStore(redis.client(), redis.freshPrefix('spec')));
