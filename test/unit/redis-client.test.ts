// One Redis client library: ioredis, which BullMQ needs, also carries the logout store. Without a
// Redis here: connecting fails fast with ERR_QUEUE_UNAVAILABLE, and so does every store operation
// while Redis is unreachable. (The store's behaviour is the LogoutStore contract, run on real Redis
// by test/integration/logout-ports-real.test.ts.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { closeRedis, connectRedis, RedisLogoutStore } from '../../src/adapters/redis/logout-store.ts';
import { isBrokerError } from '../../src/core/errors.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const unavailable = (e: unknown) => isBrokerError(e, 'ERR_QUEUE_UNAVAILABLE');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('Redis client', () => {
  it('is ioredis only: the redis package is neither a dependency nor imported', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    assert.ok(pkg.dependencies['ioredis']);
    assert.equal(pkg.dependencies['redis'] ?? pkg.devDependencies['redis'], undefined);
    const self = new URL(import.meta.url).pathname;
    for (const file of [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'test'))].filter((f) => f !== self)) {
      assert.doesNotMatch(readFileSync(file, 'utf8'), /from 'redis'|from '@redis\//, file);
    }
  });

  it('connecting to a Redis that is not there fails fast with ERR_QUEUE_UNAVAILABLE', async () => {
    const started = Date.now();
    await assert.rejects(connectRedis('redis://127.0.0.1:1'), unavailable);
    assert.ok(Date.now() - started < 5000);
  });

  it('every store operation fails fast with ERR_QUEUE_UNAVAILABLE while Redis is unreachable', async () => {
    const offline = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const store = new RedisLogoutStore(offline);
    try {
      await assert.rejects(store.ping(), unavailable);
      await assert.rejects(store.claimOnce('k', 10), unavailable);
      await assert.rejects(store.claimSession('s', 'e', 10), unavailable);
      await assert.rejects(store.addCoalesced('e', 'ref'), unavailable);
      await assert.rejects(store.event('e'), unavailable);
      await assert.rejects(store.deliveries('e'), unavailable);
    } finally {
      await closeRedis(offline);
    }
  });
});
