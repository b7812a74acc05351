// The AuditStore contract on the test bed's Redis (a stream and correlation lists under a prefix of
// this run, removed afterwards).
import { RedisAuditStore } from '../../src/adapters/redis/audit-store.ts';
import { auditStoreContract } from '../contract/audit-store.contract.ts';
import { testRedisKeys } from '../support/redis-keys.ts';

const redis = testRedisKeys();
auditStoreContract('redis', async () => {
  let now = Date.now();
  return { store: new RedisAuditStore(redis.client(), { prefix: redis.freshPrefix('audit'), retentionDays: 30, now: () => now }), now: () => now, advance: (ms) => { now += ms; } };
});
