// Role sync into a partner Keystone P for users of home H (docs/sync.md): the federated user
// `<H>.<user>` (created before the first login) and its memberships in the broker-owned groups of
// fed-<H>, one per policy rule with Keystone grants in P (src/core/render/keystone). Pure.
import type { CloudSpec, FederationSpec } from '../federation/schema.ts';
import { downstreamUsername, homeUsernameOf } from '../naming.ts';
import { ruleMatches } from '../policy/evaluate.ts';
import { domainScopedName } from '../render/keystone/names.ts';
import { policyGroups } from '../render/keystone/policy-groups.ts';
import type { HomeUser, ObservedKeystone, SyncChange } from './model.ts';

export function diffKeystone(spec: FederationSpec, home: CloudSpec, partner: CloudSpec, homeUsers: readonly HomeUser[], observed: ObservedKeystone): SyncChange[] {
  const groups = policyGroups(spec, home.alias, partner).map((pg) => ({ pg, name: domainScopedName(pg.group.domain, pg.group.name) }));
  const observedGroups = new Map(observed.groups.map((g) => [g.name, g]));
  const usersByUniqueId = new Map(observed.users.map((u) => [u.uniqueId.toLowerCase(), u]));
  const seen = new Set<string>();
  const changes: SyncChange[] = [];
  for (const user of homeUsers) {
    const uniqueId = downstreamUsername(spec.naming, home.alias, user.homeUsername).toLowerCase();
    seen.add(uniqueId);
    const found = usersByUniqueId.get(uniqueId);
    const subject = { homeCloud: home.alias, homeUsername: user.homeUsername, groups: user.groups, attributes: user.attributes };
    const wanted = user.enabled ? groups.filter((g) => ruleMatches(g.pg.rule, subject)) : [];
    if (!found && wanted.length > 0) {
      changes.push({ op: 'createFederatedUser', system: 'keystone', uniqueId,
        reason: `pre-provisioning: policy rule(s) ${wanted.map((w) => w.pg.rule.name).join(', ')} grant ${user.homeUsername} of ${home.alias} roles in ${partner.alias}` });
    }
    for (const g of groups) {
      const group = observedGroups.get(g.name);
      if (!group) continue;
      const isMember = found !== undefined && group.memberIds.includes(found.id);
      const want = wanted.includes(g);
      if (want && !isMember) {
        changes.push({ op: 'addMembership', system: 'keystone', username: uniqueId, ...(found && { userId: found.id }), group: g.name, groupId: group.id,
          reason: `policy rule ${g.pg.rule.name} matches ${user.homeUsername} of ${home.alias}` });
      } else if (!want && isMember && found) {
        changes.push({ op: 'removeMembership', system: 'keystone', username: uniqueId, userId: found.id, group: g.name, groupId: group.id,
          reason: user.enabled ? `policy rule ${g.pg.rule.name} no longer matches ${user.homeUsername} of ${home.alias}` : `${user.homeUsername} is disabled at home in ${home.alias}` });
      }
    }
  }
  // A federated user of H that H no longer has is deleted with what Keystone keeps for it (memberships,
  // application credentials, tokens): a user made again at home under the same name must not inherit it.
  for (const user of observed.users) {
    const uniqueId = user.uniqueId.toLowerCase();
    if (seen.has(uniqueId) || homeUsernameOf(spec.naming, home.alias, uniqueId) === undefined) continue;
    changes.push({ op: 'deleteFederatedUser', system: 'keystone', username: uniqueId, userId: user.id, reason: `no such user at home in ${home.alias} (deleted there)` });
  }
  return changes;
}

/** The broker's memberships in P's Keystone for H: members of the broker's groups that are federated users of H. */
export function observedKeystoneMemberships(spec: FederationSpec, home: string, observed: ObservedKeystone): { users: number; memberships: number } {
  const ours = new Set(observed.users.filter((u) => homeUsernameOf(spec.naming, home, u.uniqueId.toLowerCase()) !== undefined).map((u) => u.id));
  return { users: ours.size, memberships: observed.groups.reduce((n, g) => n + g.memberIds.filter((id) => ours.has(id)).length, 0) };
}
