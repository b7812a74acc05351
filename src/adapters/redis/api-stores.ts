// The admin API's plans and sync runs in Redis, shared by every broker process (a plan made through
// one broker is applied through another):
//   <p>:plan:<id>   the stored plan as JSON, expiring with the plan (PX); claimed with GETDEL, so of
//                   any number of concurrent applies exactly one gets it
//   <p>:run:<id>    a sync run's record as JSON, replaced as it goes running → done/failed, kept 7 days
import { BrokerError } from '../../core/errors.ts';
import type { PlanStore, RunRecord, RunStore, StoredPlan } from '../../ports/api.ts';
import type { RedisClient } from './logout-store.ts';

export const RUN_RETENTION_SECONDS = 7 * 24 * 3600;

async function redisDo<T>(what: string, call: () => Promise<T>): Promise<T> {
  try { return await call(); } catch (cause) { throw new BrokerError('ERR_STORE_UNAVAILABLE', `Redis is not reachable (${what})`, { cause }); }
}

function parsed<T>(raw: string | null, what: string): T | undefined {
  if (raw === null) return undefined;
  try { return JSON.parse(raw) as T; } catch (cause) { throw new BrokerError('ERR_STORE_CORRUPT', `${what} in Redis is not readable JSON; it was left in place`, { cause }); }
}

export class RedisPlanStore implements PlanStore {
  constructor(private readonly redis: RedisClient, private readonly prefix = 'fedbroker:api') {}

  async save(plan: StoredPlan): Promise<void> {
    const ttlMs = Math.max(1, Math.ceil(plan.expiresAt - plan.createdAt));
    await redisDo('plans', () => this.redis.set(this.#key(plan.id), JSON.stringify(plan), 'PX', ttlMs));
  }

  async get(id: string, nowMs: number): Promise<StoredPlan | undefined> {
    const plan = parsed<StoredPlan>(await redisDo('plans', () => this.redis.get(this.#key(id))), `plan ${id}`);
    return plan && plan.expiresAt > nowMs ? plan : undefined;
  }

  async claim(id: string, nowMs: number): Promise<StoredPlan | undefined> {
    const plan = parsed<StoredPlan>(await redisDo('plans', () => this.redis.getdel(this.#key(id))), `plan ${id}`);
    return plan && plan.expiresAt > nowMs ? plan : undefined;
  }

  #key(id: string): string { return `${this.prefix}:plan:${id}`; }
}

export class RedisRunStore<T> implements RunStore<T> {
  constructor(private readonly redis: RedisClient, private readonly prefix = 'fedbroker:api') {}

  async put(run: RunRecord<T>): Promise<void> {
    await redisDo('sync runs', () => this.redis.set(this.#key(run.id), JSON.stringify(run), 'EX', RUN_RETENTION_SECONDS));
  }

  async get(id: string): Promise<RunRecord<T> | undefined> {
    return parsed<RunRecord<T>>(await redisDo('sync runs', () => this.redis.get(this.#key(id))), `sync run ${id}`);
  }

  #key(id: string): string { return `${this.prefix}:run:${id}`; }
}
