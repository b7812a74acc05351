// The lease contract on the in-memory fake, its clock moved by the test.
import { MemoryLeaseStore } from '../../src/adapters/fakes/lease.ts';
import { leaseStoreContract } from '../contract/lease.contract.ts';

leaseStoreContract('memory fake', async () => {
  let now = 1_000_000;
  const store = new MemoryLeaseStore({ now: () => new Date(now) });
  return { store, elapse: async (ms) => { now += ms; } };
});
