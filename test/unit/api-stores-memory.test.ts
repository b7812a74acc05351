// The PlanStore and RunStore contracts on the memory stores.
import { MemoryPlanStore, MemoryRunStore } from '../../src/adapters/memory/api-stores.ts';
import { apiStoresContract } from '../contract/api-stores.contract.ts';

apiStoresContract('memory', async () => ({ plans: new MemoryPlanStore(), runs: new MemoryRunStore<{ n: number }>() }));
