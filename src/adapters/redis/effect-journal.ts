// The sync effect journal in Redis (SyncEffectJournal, docs/sync.md "Removal effects"): one hash per
// partner cloud, `<prefix>:<cloud>`, a field per user and system holding her pending effects as JSON.
// Redis with the AOF on keeps an entry across its own restart, as it keeps the leases and the logout queue.
import { BrokerError } from '../../core/errors.ts';
import { readPendingEffects } from '../../core/sync/journal.ts';
import type { PendingEffects } from '../../core/sync/model.ts';
import type { SyncEffectJournal } from '../../ports.ts';
import type { RedisClient } from './logout-store.ts';

export class RedisEffectJournal implements SyncEffectJournal {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix = 'fedbroker:sync:effects') {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** The Redis key of a cloud's journal (operators and tests look at it). */
  key(cloud: string): string {
    return `${this.#prefix}:${cloud}`;
  }

  async record(cloud: string, entry: PendingEffects): Promise<void> {
    await this.#do(() => this.#redis.hset(this.key(cloud), entry.key, JSON.stringify(entry)));
  }

  async clear(cloud: string, key: string): Promise<void> {
    await this.#do(() => this.#redis.hdel(this.key(cloud), key));
  }

  async pending(cloud: string): Promise<PendingEffects[]> {
    const stored = await this.#do(() => this.#redis.hgetall(this.key(cloud)));
    return Object.entries(stored).map(([key, value]) => readPendingEffects(cloud, key, value));
  }

  async #do<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (cause) {
      throw new BrokerError('ERR_QUEUE_UNAVAILABLE', 'Redis is not reachable (sync effect journal)', { cause });
    }
  }
}
