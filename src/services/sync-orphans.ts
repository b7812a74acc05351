// Orphans in a full sync run (docs/sync.md "Orphans"): in each partner, the users the broker made for
// a home that is no longer federated with it — its trust edge left the spec, or the whole cloud was
// offboarded. They are read per partner system (a system that cannot be read is reported and left as
// it is) and become targets of their former home, so the brake sees a whole home going at once.
import { trustEdges } from '../core/federation/trust.ts';
import type { CloudSpec, FederationSpec } from '../core/federation/schema.ts';
import type { SyncSystem, SyncTarget } from '../core/sync/model.ts';
import { keycloakOrphanTargets, keystoneOrphanTargets } from '../core/sync/orphans.ts';
import type { SyncDeps, SyncFailure } from './sync.ts';

export async function orphanTargets(spec: FederationSpec, deps: SyncDeps, partners: readonly string[], failures: SyncFailure[]): Promise<SyncTarget[]> {
  const edges = trustEdges(spec);
  const out: SyncTarget[] = [];
  for (const partner of spec.clouds.filter((c) => partners.includes(c.alias))) {
    const homes = new Set(edges.filter((e) => e.partner === partner.alias).map((e) => e.home));
    out.push(...await read(failures, partner.alias, 'keycloak', async () =>
      keycloakOrphanTargets(spec, partner.alias, homes, await deps.partnerRealm(partner.alias).guests(partner.keycloak.realm))));
    const keystone = keystoneOf(deps, partner);
    if (keystone) out.push(...await read(failures, partner.alias, 'keystone', async () => keystoneOrphanTargets(spec, partner.alias, homes, await keystone.federatedUsers())));
  }
  return out;
}

function keystoneOf(deps: SyncDeps, partner: CloudSpec): ReturnType<SyncDeps['keystone']> {
  return partner.keystone ? deps.keystone(partner.alias) : undefined;
}

async function read(failures: SyncFailure[], cloud: string, system: SyncSystem, targets: () => Promise<SyncTarget[]>): Promise<SyncTarget[]> {
  // A system whose reads already failed in this run is reported once and not asked again.
  if (failures.some((f) => f.cloud === cloud && f.system === system && f.part === 'partner')) return [];
  try {
    return await targets();
  } catch (error) {
    failures.push({ cloud, system, part: 'partner', error });
    return [];
  }
}
