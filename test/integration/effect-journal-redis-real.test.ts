// The effect journal contract on the Redis adapter against the test bed's Redis, and the key a
// cloud's journal lives under.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { RedisEffectJournal } from '../../src/adapters/redis/effect-journal.ts';
import { closeRedis, connectRedis, type RedisClient } from '../../src/adapters/redis/logout-store.ts';
import { effectJournalContract } from '../contract/effect-journal.contract.ts';
import { loadTestbed } from '../support/testbed.ts';

const testbed = loadTestbed();
let redis: RedisClient;
before(async () => { redis = await connectRedis(testbed.redis.url); });
after(async () => { await closeRedis(redis); });

effectJournalContract('redis', async () => {
  const journal = new RedisEffectJournal(redis, `fedbroker:test:effects:${Date.now()}`);
  return { journal, plant: async (cloud, key, text) => { await redis.hset(journal.key(cloud), key, text); } };
});

it('a cloud\'s journal is the hash fedbroker:sync:effects:<cloud>, one field per user and system', async () => {
  const journal = new RedisEffectJournal(redis);
  const cloud = `contract-${Date.now().toString(36)}`;
  const entry = { key: 'keycloak:u1', home: 'cloud-a', system: 'keycloak' as const,
    effects: [{ op: 'endSessions' as const, system: 'keycloak' as const, username: 'cloud-a.carol', userId: 'u1', reason: 'carol is disabled at home in cloud-a' }] };
  await journal.record(cloud, entry);
  assert.equal(journal.key(cloud), `fedbroker:sync:effects:${cloud}`);
  assert.deepEqual(JSON.parse((await redis.hget(journal.key(cloud), 'keycloak:u1'))!), entry);
  await journal.clear(cloud, 'keycloak:u1');
  assert.equal(await redis.exists(journal.key(cloud)), 0, 'an empty journal leaves no key behind');
});
