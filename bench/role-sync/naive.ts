// The naive way to follow a home change, for comparison with role sync: a loop over every home user
// that reads that one user at home and in each partner (realm user, its groups, Keystone user, its
// groups) and writes what differs, through the same write adapters. No paging, no bulk reads.
import type { FederationSpec } from '../../src/core/federation/schema.ts';
import { downstreamUsername } from '../../src/core/naming.ts';
import { ruleMatches } from '../../src/core/policy/evaluate.ts';
import { domainScopedName } from '../../src/core/render/keystone/names.ts';
import { policyGroups } from '../../src/core/render/keystone/policy-groups.ts';
import { mirroredGroups } from '../../src/core/sync/partner-realm.ts';
import type { SyncDeps } from '../../src/services/sync.ts';
import { adminJson, findUser } from '../../test/support/keycloak-admin.ts';
import { keystoneAdminApi } from '../../test/support/keystone-testbed.ts';

export interface NaiveCase {
  readonly home: string;
  readonly partners: readonly string[];
  /** Home user name → id. */
  readonly users: ReadonlyMap<string, string>;
  /** Partner → ids of the broker's Keystone groups by name ("fed-<home>/<rule>"). */
  readonly keystoneGroupIds: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/** Follows the home for every user of `c`; returns the writes made. */
export async function naiveLoop(spec: FederationSpec, deps: SyncDeps, c: NaiveCase): Promise<number> {
  let writes = 0;
  const apis = new Map(await Promise.all(c.partners.map(async (p) => [p, await keystoneAdminApi(p)] as const)));
  for (const [username, homeId] of c.users) {
    const homeGroups = (await adminJson<{ path: string }[]>(`/admin/realms/${c.home}/users/${homeId}/groups`)).map((g) => g.path);
    const downstream = downstreamUsername(spec.naming, c.home, username).toLowerCase();
    for (const partner of c.partners) {
      const realmUser = await findUser(partner, downstream);
      if (realmUser) {
        const has = new Set((await adminJson<{ path: string; id: string }[]>(`/admin/realms/${partner}/users/${realmUser.id}/groups`)).map((g) => g.path));
        for (const m of mirroredGroups(spec, c.home, partner)) {
          const want = homeGroups.includes(m.homePath);
          if (want === has.has(m.path)) continue;
          const group = await adminJson<{ id: string }>(`/admin/realms/${partner}/group-by-path${m.path.split('/').map(encodeURIComponent).join('/')}`);
          if (want) await deps.partnerRealm(partner).addMembership(partner, realmUser.id, group.id);
          else await deps.partnerRealm(partner).removeMembership(partner, realmUser.id, group.id);
          writes += 1;
        }
      }
      const api = apis.get(partner)!;
      const ks = ((await api.get(`/v3/users?idp_id=keycloak&protocol_id=openid&unique_id=${encodeURIComponent(downstream)}`))['users'] as { id: string }[])[0];
      if (!ks) continue;
      const member = new Set(((await api.get(`/v3/users/${ks.id}/groups`))['groups'] as { id: string }[]).map((g) => g.id));
      const subject = { homeCloud: c.home, homeUsername: username, groups: homeGroups, attributes: {} };
      for (const pg of policyGroups(spec, c.home, spec.clouds.find((x) => x.alias === partner)!)) {
        const id = c.keystoneGroupIds.get(partner)?.get(domainScopedName(pg.group.domain, pg.group.name));
        const want = ruleMatches(pg.rule, subject);
        if (id === undefined || want === member.has(id)) continue;
        const keystone = deps.keystone(partner)!;
        if (want) await keystone.addMembership(ks.id, id);
        else await keystone.removeMembership(ks.id, id);
        writes += 1;
      }
    }
  }
  return writes;
}
