// Trust proposals in the process's memory (unit tests).
import type { TrustProposal } from '../../core/authz/trust-proposal.ts';
import type { TrustProposalStore } from '../../ports/api.ts';

export class MemoryTrustProposalStore implements TrustProposalStore {
  readonly #proposals = new Map<string, TrustProposal>();
  async put(proposal: TrustProposal): Promise<void> { this.#proposals.set(proposal.id, structuredClone(proposal)); }
  async get(id: string): Promise<TrustProposal | undefined> { const p = this.#proposals.get(id); return p && structuredClone(p); }
  async list(): Promise<TrustProposal[]> { return [...this.#proposals.values()].map((p) => structuredClone(p)).sort((a, b) => a.proposedAt.localeCompare(b.proposedAt)); }
}
