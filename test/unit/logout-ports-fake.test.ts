// The logout port contracts on the fakes.
import { FakeKeystoneRevocation, MemoryDeliveryQueue, MemoryLogoutStore } from '../../src/adapters/fakes/logout.ts';
import { deliveryQueueContract, keystoneRevocationContract, logoutStoreContract } from '../contract/logout-ports.contract.ts';

logoutStoreContract('memory', async () => new MemoryLogoutStore());
deliveryQueueContract('memory', async () => new MemoryDeliveryQueue({ firstDelayMs: 20, maxDelayMs: 50, maxAttempts: 10 }));
keystoneRevocationContract('fake', async () => {
  const port = new FakeKeystoneRevocation('cloud-b');
  return { port, login: async (again?: string) => {
    const uniqueId = again ?? `cloud-a.user-${Math.random().toString(36).slice(2)}`;
    const token = port.issueToken(uniqueId);
    return { uniqueId, tokenValid: async () => token.valid() };
  } };
});
