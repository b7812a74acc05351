// The demo federation as role-sync fakes after apply: mirrored groups in every partner realm and the
// broker's groups in every partner Keystone exist; home users alice (p1 members), bob (no policy
// group) and carol (members and admins) in cloud-a, carol (admins) in cloud-c. No user is synced yet.
import { FakeHomeDirectory } from '../../src/adapters/fakes/home.ts';
import { FakeKeystoneSync, FakePartnerRealmSync } from '../../src/adapters/fakes/sync.ts';
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { trustEdges } from '../../src/core/federation/trust.ts';
import { managedMarkers } from '../../src/core/managed.ts';
import { domainScopedName } from '../../src/core/render/keystone/names.ts';
import { policyGroups } from '../../src/core/render/keystone/policy-groups.ts';
import { mirroredGroups } from '../../src/core/sync/partner-realm.ts';
import type { SyncDeps, SyncReport } from '../../src/services/sync.ts';
import { exampleSpec } from './example-federation.ts';

export const P1 = '/projects/p1/members';
export const ADMINS = '/projects/p1/admins';

export interface SyncWorld {
  spec: FederationSpec;
  homes: Map<string, FakeHomeDirectory>;
  realms: Map<string, FakePartnerRealmSync>;
  keystones: Map<string, FakeKeystoneSync>;
  deps: SyncDeps;
  writes(): number;
}

export function syncWorld(spec: FederationSpec = exampleSpec()): SyncWorld {
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
  const deps: SyncDeps = { homeDirectory: (c) => homes.get(c)!, partnerRealm: (c) => realms.get(c)!, keystone: (c) => keystones.get(c) };
  const writes = () => [...realms.values(), ...keystones.values()].reduce((n, f) => n + f.writes, 0);
  return { spec, homes, realms, keystones, deps, writes };
}

/** "op name [group]" of every change of a run in one partner system. */
export const changesOf = (report: SyncReport, partner: string, system: string): string[] =>
  report.targets.filter((t) => t.partner === partner && t.system === system).flatMap((t) => t.changes.map((c) => `${c.op} ${'username' in c ? c.username : c.op === 'createUser' ? c.user.username : c.uniqueId}${'group' in c ? ` ${c.group}` : ''}`));
