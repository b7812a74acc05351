// The AuditStore contract on the in-memory store.
import { MemoryAuditStore } from '../../src/adapters/fakes/audit-store.ts';
import { auditStoreContract } from '../contract/audit-store.contract.ts';

auditStoreContract('memory', async () => {
  let now = Date.parse('2026-12-01T10:00:00Z');
  return { store: new MemoryAuditStore({ retentionDays: 30, now: () => now }), now: () => now, advance: (ms) => { now += ms; } };
});
