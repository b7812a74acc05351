// The TrustProposalStore contract on the memory store.
import { MemoryTrustProposalStore } from '../../src/adapters/memory/trust-proposal-store.ts';
import { trustProposalStoreContract } from '../contract/trust-proposal-store.contract.ts';

trustProposalStoreContract('memory', async () => new MemoryTrustProposalStore());
