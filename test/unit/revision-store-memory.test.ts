// The RevisionStore contract on the memory store.
import { MemoryRevisionStore } from '../../src/adapters/memory/revision-store.ts';
import { revisionStoreContract } from '../contract/revision-store.contract.ts';

revisionStoreContract('memory', async () => new MemoryRevisionStore());
