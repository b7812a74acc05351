// The admin API's plans and sync runs in the process's memory, bounded: for unit tests (serve keeps
// them in Redis: ../redis/api-stores.ts).
import type { PlanStore, RunRecord, RunStore, StoredPlan } from '../../ports/api.ts';

export class MemoryPlanStore implements PlanStore {
  readonly #plans = new Map<string, StoredPlan>();
  constructor(private readonly maxPlans = 100) {}

  async save(plan: StoredPlan): Promise<void> {
    this.#plans.set(plan.id, plan);
    while (this.#plans.size > this.maxPlans) this.#plans.delete(this.#plans.keys().next().value as string);
  }

  async get(id: string, nowMs: number): Promise<StoredPlan | undefined> {
    const plan = this.#plans.get(id);
    if (plan && plan.expiresAt <= nowMs) { this.#plans.delete(id); return undefined; }
    return plan;
  }

  async claim(id: string, nowMs: number): Promise<StoredPlan | undefined> {
    // No await between reading and deleting: one claim takes it.
    const plan = this.#plans.get(id);
    this.#plans.delete(id);
    return plan && plan.expiresAt > nowMs ? plan : undefined;
  }
}

export class MemoryRunStore<T> implements RunStore<T> {
  readonly #runs = new Map<string, RunRecord<T>>();
  constructor(private readonly maxRuns = 100) {}

  async put(run: RunRecord<T>): Promise<void> {
    this.#runs.delete(run.id);
    this.#runs.set(run.id, run);
    while (this.#runs.size > this.maxRuns) this.#runs.delete(this.#runs.keys().next().value as string);
  }

  async get(id: string): Promise<RunRecord<T> | undefined> { return this.#runs.get(id); }
}
