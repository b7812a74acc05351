// The TrustProposalStore contract on the test bed's Redis (a key of this run, removed afterwards).
import { RedisTrustProposalStore } from '../../src/adapters/redis/trust-proposal-store.ts';
import { trustProposalStoreContract } from '../contract/trust-proposal-store.contract.ts';
import { testRedisKeys } from '../support/redis-keys.ts';

const redis = testRedisKeys();
trustProposalStoreContract('redis', async () => new RedisTrustProposalStore(redis.client(), redis.freshPrefix('trust')));
