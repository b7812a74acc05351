// The test bed's Redis for a contract suite: one connection for the file, keys under prefixes of this
// run (a fresh one per world), all removed afterwards.
import { after, before } from 'node:test';
import { closeRedis, connectRedis, type RedisClient } from '../../src/adapters/redis/logout-store.ts';
import { loadTestbed } from './testbed.ts';

export interface TestRedis {
  /** The connection (after the file's `before` ran). */
  client(): RedisClient;
  /** A prefix no other world or run uses; its keys go at the end of the file. */
  freshPrefix(what: string): string;
}

export function testRedisKeys(): TestRedis {
  let redis: RedisClient | undefined;
  const prefixes: string[] = [];
  before(async () => { redis = await connectRedis(loadTestbed().redis.url); });
  after(async () => {
    if (!redis) return;
    for (const p of prefixes) {
      const keys = await redis.keys(`${p}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await closeRedis(redis);
  });
  return {
    client: () => { if (!redis) throw new Error('the test bed Redis is not connected yet'); return redis; },
    freshPrefix: (what) => {
      const prefix = `fedbroker:test-${what}:${Date.now()}:${Math.random().toString(36).slice(2, 8)}`;
      prefixes.push(prefix);
      return prefix;
    },
  };
}
