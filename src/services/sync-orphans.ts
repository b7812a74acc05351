// Orphans in a full sync run (docs/sync.md "Orphans"): in each partner, the users the broker made for
// a home that is no longer federated with it — its trust edge left the spec, or the whole cloud was
// offboarded. They are read per partner system through the run's reads (./sync-reads.ts: a system
// that cannot be read is reported and left as it is; a Keystone's users are those the run read
// already), partners at the same time, and become targets of their former home, so the brake sees a
// whole home going at once.
import { trustEdges } from '../core/federation/trust.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import type { SyncTarget } from '../core/sync/model.ts';
import { keycloakOrphanTargets, keystoneOrphanTargets } from '../core/sync/orphans.ts';
import type { SyncDeps } from './sync.ts';
import type { PartnerReads } from './sync-reads.ts';

export async function orphanTargets(spec: FederationSpec, deps: SyncDeps, partners: readonly string[], reads: PartnerReads): Promise<SyncTarget[]> {
  const edges = trustEdges(spec);
  const perPartner = await Promise.all(spec.clouds.filter((c) => partners.includes(c.alias)).map(async (partner) => {
    const homes = new Set(edges.filter((e) => e.partner === partner.alias).map((e) => e.home));
    const out: SyncTarget[] = [...await reads.readPartner(partner.alias, 'keycloak', undefined, async () =>
      keycloakOrphanTargets(spec, partner.alias, homes, await deps.partnerRealm(partner.alias).guests(partner.keycloak.realm))) ?? []];
    const keystone = partner.keystone ? deps.keystone(partner.alias) : undefined;
    if (keystone) {
      out.push(...await reads.readPartner(partner.alias, 'keystone', undefined, async () =>
        keystoneOrphanTargets(spec, partner.alias, homes, await reads.keystoneUsers(partner.alias, keystone))) ?? []);
    }
    return out;
  }));
  return perPartner.flat();
}
