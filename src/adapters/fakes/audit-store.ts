// The audit trail in memory (AuditStore), for unit tests: the same contract as the Redis store.
import { AUDIT_QUERY_MAX, matchesAuditQuery, type AuditQuery, type AuditRecord, type NewAuditRecord } from '../../core/audit/record.ts';
import type { AuditStore } from '../../ports.ts';

export class MemoryAuditStore implements AuditStore {
  readonly #records: AuditRecord[] = [];
  readonly #retentionMs: number;
  readonly #now: () => number;
  #seq = 0;

  constructor(options: { retentionDays: number; now: () => number }) {
    this.#retentionMs = options.retentionDays * 24 * 3600 * 1000;
    this.#now = options.now;
  }

  async append(record: NewAuditRecord): Promise<void> {
    this.#records.push({ id: `${this.#now()}-${this.#seq++}`, ...structuredClone(record) });
  }

  async query(query: AuditQuery): Promise<AuditRecord[]> {
    const oldest = Math.max(query.sinceMs ?? 0, this.#now() - this.#retentionMs);
    const limit = Math.min(Math.max(1, query.limit), AUDIT_QUERY_MAX);
    return this.#records.filter((r) => matchesAuditQuery(r, { ...query, sinceMs: oldest })).slice(0, limit).map((r) => structuredClone(r));
  }

  async page(after: string | undefined, count: number): Promise<AuditRecord[]> {
    const oldest = this.#now() - this.#retentionMs;
    const start = after === undefined ? 0 : this.#records.findIndex((r) => r.id === after) + 1;
    return this.#records.slice(start).filter((r) => Date.parse(r.time) >= oldest).slice(0, count).map((r) => structuredClone(r));
  }

  async importAll(records: readonly NewAuditRecord[]): Promise<void> {
    for (const r of records) await this.append(r);
  }
}
