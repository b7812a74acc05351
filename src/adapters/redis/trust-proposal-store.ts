// Trust proposals in Redis (TrustProposalStore): one hash `<prefix>`, proposal id → the proposal as JSON.
import { BrokerError } from '../../core/errors.ts';
import type { TrustProposal } from '../../core/authz/trust-proposal.ts';
import type { TrustProposalStore } from '../../ports/api.ts';
import type { RedisClient } from './logout-store.ts';

export class RedisTrustProposalStore implements TrustProposalStore {
  constructor(private readonly redis: RedisClient, private readonly key = 'fedbroker:trust:proposals') {}

  async put(proposal: TrustProposal): Promise<void> {
    await this.#do(() => this.redis.hset(this.key, proposal.id, JSON.stringify(proposal)));
  }

  async get(id: string): Promise<TrustProposal | undefined> {
    const raw = await this.#do(() => this.redis.hget(this.key, id));
    return raw === null ? undefined : parse(raw, id);
  }

  async list(): Promise<TrustProposal[]> {
    const all = await this.#do(() => this.redis.hgetall(this.key));
    return Object.entries(all).map(([id, raw]) => parse(raw, id)).sort((a, b) => a.proposedAt.localeCompare(b.proposedAt));
  }

  async #do<T>(call: () => Promise<T>): Promise<T> {
    try { return await call(); } catch (cause) { throw new BrokerError('ERR_STORE_UNAVAILABLE', 'Redis is not reachable (trust proposals)', { cause }); }
  }
}

function parse(raw: string, id: string): TrustProposal {
  try { return JSON.parse(raw) as TrustProposal; } catch (cause) {
    throw new BrokerError('ERR_STORE_CORRUPT', `trust proposal ${id} in Redis is not readable JSON; it was left in place`, { cause, details: { proposal: id } });
  }
}
