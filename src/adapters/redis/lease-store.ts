// Leases in Redis (LeaseStore, docs/sync.md "The lease"): one key per lease, `<prefix>:<name>`, whose
// value is the holder's random token and whose expiry is the lease's time-to-live. Acquire is
// SET NX PX; renew and release are compare-and-set Lua scripts (one atomic step each in Redis), so a
// holder whose lease expired and was taken over can neither extend nor delete the new holder's key.
import { BrokerError } from '../../core/errors.ts';
import type { LeaseStore } from '../../ports.ts';
import type { RedisClient } from './logout-store.ts';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisLeaseStore implements LeaseStore {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix = 'fedbroker:sync:lease') {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** The Redis key of a lease (operators and tests look at it). */
  key(name: string): string {
    return `${this.#prefix}:${name}`;
  }

  async acquire(name: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.#do(() => this.#redis.set(this.key(name), token, 'PX', wholeMs(ttlMs), 'NX'))) === 'OK';
  }

  async renew(name: string, token: string, ttlMs: number): Promise<boolean> {
    return Number(await this.#do(() => this.#redis.eval(RENEW, 1, this.key(name), token, String(wholeMs(ttlMs))))) === 1;
  }

  async holds(name: string, token: string): Promise<boolean> {
    return (await this.#do(() => this.#redis.get(this.key(name)))) === token;
  }

  async release(name: string, token: string): Promise<boolean> {
    return Number(await this.#do(() => this.#redis.eval(RELEASE, 1, this.key(name), token))) === 1;
  }

  async #do<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (cause) {
      throw new BrokerError('ERR_QUEUE_UNAVAILABLE', 'Redis is not reachable (sync lease)', { cause });
    }
  }
}

function wholeMs(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs < 1) throw new BrokerError('ERR_INTERNAL', `a lease needs a positive time-to-live, not ${ttlMs} ms`);
  return Math.ceil(ttlMs);
}
