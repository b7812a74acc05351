// The TrustProposalStore contract (src/ports/api.ts), on memory (unit) and Redis (integration):
// put, get, update in place, list the oldest first, unknown ids.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TrustProposal } from '../../src/core/authz/trust-proposal.ts';
import type { TrustProposalStore } from '../../src/ports/api.ts';

const proposal = (id: string, at: string): TrustProposal => ({ id, home: 'cloud-c', partner: 'cloud-b', status: 'pending', proposedBy: 'admin-b (https://kc/realms/cloud-b)', proposedAt: at });

export function trustProposalStoreContract(name: string, make: () => Promise<TrustProposalStore>): void {
  describe(`TrustProposalStore contract (${name})`, () => {
    it('keeps proposals, updates one in place, lists the oldest first, knows no other', async () => {
      const store = await make();
      await store.put(proposal('t2', '2026-12-01T10:00:02.000Z'));
      await store.put(proposal('t1', '2026-12-01T10:00:01.000Z'));
      const accepted: TrustProposal = { ...proposal('t1', '2026-12-01T10:00:01.000Z'), status: 'accepted', decidedBy: 'admin-c', decidedAt: '2026-12-01T10:05:00.000Z', revision: 4 };
      await store.put(accepted);
      assert.deepEqual(await store.get('t1'), accepted);
      assert.deepEqual((await store.list()).map((p) => [p.id, p.status]), [['t1', 'accepted'], ['t2', 'pending']]);
      assert.equal(await store.get('t3'), undefined);
    });
  });
}
