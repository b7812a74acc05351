// Spec revisions in the process's memory: for unit tests and a single broker without Redis.
import { BrokerError } from '../../core/errors.ts';
import { summarize, type Revision, type RevisionSummary } from '../../core/revisions/revision.ts';
import type { RevisionStore } from '../../ports/api.ts';

export class MemoryRevisionStore implements RevisionStore {
  readonly #revisions: Revision[] = [];

  async latest(): Promise<Revision | undefined> { return this.#revisions.at(-1); }

  async get(number: number): Promise<Revision | undefined> { return this.#revisions[number - 1]; }

  async list(options: { readonly limit: number; readonly before?: number }): Promise<RevisionSummary[]> {
    const below = this.#revisions.filter((r) => options.before === undefined || r.number < options.before);
    return below.reverse().slice(0, options.limit).map(summarize);
  }

  async append(revision: Revision): Promise<boolean> {
    if (revision.number !== this.#revisions.length + 1) return false;
    this.#revisions.push(structuredClone(revision));
    return true;
  }

  async update(revision: Revision): Promise<void> {
    if (!this.#revisions[revision.number - 1]) throw new BrokerError('ERR_NOT_FOUND', `no spec revision ${revision.number}`, { details: { revision: revision.number } });
    this.#revisions[revision.number - 1] = structuredClone(revision);
  }

  async all(): Promise<Revision[]> { return this.#revisions.map((r) => structuredClone(r)); }

  async importAll(revisions: readonly Revision[]): Promise<void> {
    if (this.#revisions.length > 0) throw new BrokerError('ERR_CONFLICT', 'the store holds spec revisions already; import goes into an empty store only', { details: { store: 'memory' } });
    this.#revisions.push(...revisions.map((r) => structuredClone(r)));
  }
}
