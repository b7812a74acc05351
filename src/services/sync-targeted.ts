// The event path's run of role sync (docs/sync.md, "The event path"): only the home users an admin-
// event batch names, through the same observation, diff, effects, brake and leases as a full run
// (./sync.ts).
import { trustEdges } from '../core/federation/trust.ts';
import type { FederationSpec } from '../core/federation/schema.ts';
import { downstreamUsername } from '../core/naming.ts';
import type { HomeUser } from '../core/sync/model.ts';
import { computeTargets, homeGroupPaths, leasedRun, type SyncDeps, type SyncOptions, type SyncReport, type UserScope } from './sync.ts';

/**
 * The event path's run: only the home users `ids` of `home` (docs/sync.md, "The event path"). They are
 * read by id (an absent one is deleted at home); each partner system is observed as in a full run, so
 * ownership and the brake's share are the same, but the diff sees only the partner users of these
 * home users (by home_sub or name; a deleted user's Keystone name is taken from her partner-realm user).
 * It takes the same per-cloud leases as a full run: a partner another run holds is reported busy.
 */
export async function runTargetedSync(spec: FederationSpec, deps: SyncDeps, home: string, ids: readonly string[], options: SyncOptions = {}): Promise<SyncReport> {
  const partners = [...new Set(trustEdges(spec).filter((e) => e.home === home && (!options.clouds || options.clouds.includes(e.partner))).map((e) => e.partner))];
  return leasedRun(spec, deps, options, partners, async (held, reads) => {
    const edges = trustEdges(spec).filter((e) => e.home === home && held.has(e.partner));
    let users: HomeUser[];
    try {
      users = await deps.homeDirectory(home).usersByIds(homeGroupPaths(spec, home), ids);
    } catch (error) {
      reads.failures.push({ cloud: home, system: 'keycloak', part: 'home', error });
      return [];
    }
    const scope: UserScope = { homeSubs: new Set(ids), names: new Set(users.map((u) => downstreamUsername(spec.naming, home, u.homeUsername).toLowerCase())) };
    return computeTargets(spec, deps, edges, new Map([[home, users]]), reads, scope);
  });
}
