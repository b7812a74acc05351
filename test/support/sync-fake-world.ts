// The demo federation as role-sync fakes (after apply: mirrored groups and Keystone groups exist), with
// four home users, the in-memory leases, and a count of the writes: shared by the sync unit tests.
import { FakeHomeDirectory } from '../../src/adapters/fakes/home.ts';
import { MemoryLeaseStore } from '../../src/adapters/fakes/lease.ts';
import { MemoryEffectJournal } from '../../src/adapters/fakes/effect-journal.ts';
import { FakeKeystoneSync, FakePartnerRealmSync } from '../../src/adapters/fakes/sync.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { trustEdges } from '../../src/core/federation/trust.ts';
import { managedMarkers } from '../../src/core/managed.ts';
import { domainScopedName } from '../../src/core/render/keystone/names.ts';
import { policyGroups } from '../../src/core/render/keystone/policy-groups.ts';
import { mirroredGroups } from '../../src/core/sync/partner-realm.ts';
import type { SyncDeps } from '../../src/services/sync.ts';
import type { SyncLeaseDeps } from '../../src/services/sync-lease.ts';
import { exampleSpec } from './example-federation.ts';

/** In-memory sync leases and effect journal (30 s TTL, the system clock, counted tokens). */
export function memoryLeases(): SyncLeaseDeps & { store: MemoryLeaseStore; journal: MemoryEffectJournal } {
  let id = 0;
  return { store: new MemoryLeaseStore(), clock: { now: () => new Date() }, ids: { newId: () => `t${(id += 1)}` }, ttlMs: 30_000, journal: new MemoryEffectJournal() };
}

export const P1 = '/projects/p1/members';
export const ADMINS = '/projects/p1/admins';

export interface World {
  spec: FederationSpec;
  homes: Map<string, FakeHomeDirectory>;
  realms: Map<string, FakePartnerRealmSync>;
  keystones: Map<string, FakeKeystoneSync>;
  leases: MemoryLeaseStore;
  deps: SyncDeps;
  writes(): number;
}

/** The demo federation as fakes after apply: mirrored groups and Keystone groups exist, no user is synced yet. */
export function world(spec: FederationSpec = exampleSpec()): World {
  const markers = Object.fromEntries(Object.entries(managedMarkers(spec.metadata.name)).map(([k, v]) => [k, [v]]));
  const homes = new Map(spec.clouds.map((c) => [c.alias, new FakeHomeDirectory(c.alias)]));
  const realms = new Map(spec.clouds.map((c) => [c.alias, new FakePartnerRealmSync(c.alias)]));
  const keystones = new Map(spec.clouds.map((c) => [c.alias, new FakeKeystoneSync(c.alias)]));
  for (const { home, partner } of trustEdges(spec)) {
    for (const m of mirroredGroups(spec, home, partner)) realms.get(partner)!.addGroup(m.path, markers);
    const cloud = spec.clouds.find((c) => c.alias === partner)!;
    for (const pg of policyGroups(spec, home, cloud)) keystones.get(partner)!.addGroup(domainScopedName(pg.group.domain, pg.group.name), spec.metadata.name);
  }
  homes.get('cloud-a')!.addUser('alice', [P1]);
  homes.get('cloud-a')!.addUser('bob');
  homes.get('cloud-a')!.addUser('carol', [P1, ADMINS]);
  homes.get('cloud-c')!.addUser('carol', [ADMINS]);
  const leases = memoryLeases();
  const deps: SyncDeps = { homeDirectory: (c) => homes.get(c)!, partnerRealm: (c) => realms.get(c)!, keystone: (c) => keystones.get(c), leases };
  const writes = () => [...realms.values(), ...keystones.values()].reduce((n, f) => n + f.writes, 0);
  return { spec, homes, realms, keystones, leases: leases.store, deps, writes };
}

