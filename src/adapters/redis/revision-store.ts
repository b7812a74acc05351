// The spec revisions of API mode in Redis (RevisionStore):
//   <p>:rev      a hash, revision number → the revision as JSON
//   <p>:latest   the latest revision's number
// Append, update and import are Lua scripts, one atomic step each: of two brokers appending the
// successor of the same revision, exactly one succeeds.
import { BrokerError } from '../../core/errors.ts';
import type { Revision, RevisionSummary } from '../../core/revisions/revision.ts';
import { summarize } from '../../core/revisions/revision.ts';
import type { RevisionStore } from '../../ports/api.ts';
import type { RedisClient } from './logout-store.ts';

const APPEND = `local latest = tonumber(redis.call('GET', KEYS[2]) or '0')
if latest + 1 ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[1])
return 1`;
const UPDATE = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;
const IMPORT = `if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[2], ARGV[#ARGV - 1])
return 1`;

export class RedisRevisionStore implements RevisionStore {
  readonly #redis: RedisClient;
  readonly #revisions: string;
  readonly #latest: string;

  constructor(redis: RedisClient, prefix = 'fedbroker:spec') {
    this.#redis = redis;
    this.#revisions = `${prefix}:rev`;
    this.#latest = `${prefix}:latest`;
  }

  async latest(): Promise<Revision | undefined> {
    const n = await this.#do(() => this.#redis.get(this.#latest));
    return n === null ? undefined : this.get(Number(n));
  }

  async get(number: number): Promise<Revision | undefined> {
    const raw = await this.#do(() => this.#redis.hget(this.#revisions, String(number)));
    return raw === null ? undefined : parse(raw, number);
  }

  async list(options: { readonly limit: number; readonly before?: number }): Promise<RevisionSummary[]> {
    const latest = Number((await this.#do(() => this.#redis.get(this.#latest))) ?? 0);
    const top = Math.min(latest, (options.before ?? latest + 1) - 1);
    const numbers = Array.from({ length: Math.max(0, Math.min(options.limit, top)) }, (_, i) => String(top - i));
    if (numbers.length === 0) return [];
    const raws = await this.#do(() => this.#redis.hmget(this.#revisions, ...numbers));
    return raws.flatMap((raw, i) => (raw === null ? [] : [summarize(parse(raw, Number(numbers[i])))]));
  }

  async append(revision: Revision): Promise<boolean> {
    return Number(await this.#do(() => this.#redis.eval(APPEND, 2, this.#revisions, this.#latest, String(revision.number), JSON.stringify(revision)))) === 1;
  }

  async update(revision: Revision): Promise<void> {
    const done = Number(await this.#do(() => this.#redis.eval(UPDATE, 1, this.#revisions, String(revision.number), JSON.stringify(revision))));
    if (done !== 1) throw new BrokerError('ERR_NOT_FOUND', `no spec revision ${revision.number}`, { details: { revision: revision.number } });
  }

  async all(): Promise<Revision[]> {
    const entries = await this.#do(() => this.#redis.hgetall(this.#revisions));
    return Object.entries(entries).map(([n, raw]) => parse(raw, Number(n))).sort((a, b) => a.number - b.number);
  }

  async importAll(revisions: readonly Revision[]): Promise<void> {
    if (revisions.length === 0) return;
    const args = revisions.flatMap((r) => [String(r.number), JSON.stringify(r)]);
    const done = Number(await this.#do(() => this.#redis.eval(IMPORT, 2, this.#revisions, this.#latest, ...args)));
    if (done !== 1) throw new BrokerError('ERR_CONFLICT', 'the store holds spec revisions already; import goes into an empty store only', { details: { store: this.#revisions } });
  }

  async #do<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (cause) {
      throw new BrokerError('ERR_STORE_UNAVAILABLE', 'Redis is not reachable (spec revisions)', { cause });
    }
  }
}

function parse(raw: string, number: number): Revision {
  try {
    return JSON.parse(raw) as Revision;
  } catch (cause) {
    throw new BrokerError('ERR_STORE_CORRUPT', `spec revision ${number} in Redis is not readable JSON; it was left in place`, { cause, details: { revision: number } });
  }
}
