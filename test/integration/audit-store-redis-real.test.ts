// The AuditStore contract on the test bed's Redis (a stream and correlation lists under a prefix of
// this run, removed afterwards).
import { after, before } from 'node:test';
import { RedisAuditStore } from '../../src/adapters/redis/audit-store.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../src/adapters/redis/logout-store.ts';
import { auditStoreContract } from '../contract/audit-store.contract.ts';
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

auditStoreContract('redis', async () => {
  let now = Date.now();
  const prefix = `fedbroker:test-audit:${now}:${Math.random().toString(36).slice(2, 8)}`;
  prefixes.push(prefix);
  return { store: new RedisAuditStore(redis, { prefix, retentionDays: 30, now: () => now }), now: () => now, advance: (ms) => { now += ms; } };
});
