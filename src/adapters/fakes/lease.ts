// In-memory LeaseStore with the semantics of the Redis adapter (the contract suite checks both): a
// lease expires `ttlMs` after it was taken or last renewed, by the clock given (tests move it).
// `down` makes every call fail, like Redis unreachable.
import { BrokerError } from '../../core/errors.ts';
import type { Clock, LeaseStore } from '../../ports.ts';

export class MemoryLeaseStore implements LeaseStore {
  down = false;
  readonly #leases = new Map<string, { token: string; expiresAt: number }>();
  readonly #clock: Clock;

  constructor(clock: Clock = { now: () => new Date() }) {
    this.#clock = clock;
  }

  async acquire(name: string, token: string, ttlMs: number): Promise<boolean> {
    if (this.#held(name)) return false;
    this.#leases.set(name, { token, expiresAt: this.#now() + ttlMs });
    return true;
  }

  async renew(name: string, token: string, ttlMs: number): Promise<boolean> {
    if (this.#held(name)?.token !== token) return false;
    this.#leases.set(name, { token, expiresAt: this.#now() + ttlMs });
    return true;
  }

  async holds(name: string, token: string): Promise<boolean> {
    return this.#held(name)?.token === token;
  }

  async release(name: string, token: string): Promise<boolean> {
    if (this.#held(name)?.token !== token) return false;
    this.#leases.delete(name);
    return true;
  }

  /** The token holding `name` now, for tests. */
  holder(name: string): string | undefined {
    return this.#held(name)?.token;
  }

  #held(name: string): { token: string; expiresAt: number } | undefined {
    if (this.down) throw new BrokerError('ERR_QUEUE_UNAVAILABLE', 'Redis is not reachable (fake)');
    const lease = this.#leases.get(name);
    if (lease && lease.expiresAt <= this.#now()) { this.#leases.delete(name); return undefined; }
    return lease;
  }

  #now(): number {
    return this.#clock.now().getTime();
  }
}
