// The admin API's plans and sync runs in the broker process's memory, bounded: lost on restart
// (documented in docs/api.md; a durable store comes with spec revisions).
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

  async delete(id: string): Promise<void> { this.#plans.delete(id); }
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
