// Role sync into a partner realm P for users of home H (docs/sync.md): the brokered user
// `<H>.<user>` with its federated-identity link, and its memberships in the mirrored groups
// `/<H>:/path` policy refers to. Pure: diff(desired from the home, observed in P) → named changes.
import type { CloudSpec, FederationSpec } from '../federation/schema.ts';
import { downstreamUsername } from '../naming.ts';
import { groupsReferenced } from '../render/keycloak/index.ts';
import { HOME_CLOUD_ATTRIBUTE, HOME_GROUPS_ATTRIBUTE, HOME_SUBJECT_ATTRIBUTE, mirroredGroupPath } from '../render/keycloak/names.ts';
import type { HomeUser, NewPartnerUser, ObservedPartnerRealm, ObservedPartnerUser, SyncChange } from './model.ts';

/** The mirrored group paths `/<H>:/path` P holds for H, with the home path each mirrors. */
export function mirroredGroups(spec: FederationSpec, home: string, partner: string): { path: string; homePath: string }[] {
  return groupsReferenced(spec.policy, home, partner).map((homePath) => ({ path: mirroredGroupPath(home, homePath), homePath }));
}

/** The partner-realm user the first login of `user` would create (same name, link and attributes as the mappers). */
export function newPartnerUser(spec: FederationSpec, home: CloudSpec, user: HomeUser, groups: readonly string[]): NewPartnerUser {
  return {
    username: downstreamUsername(spec.naming, home.alias, user.homeUsername).toLowerCase(),
    enabled: true,
    identityProvider: home.alias,
    // A SAML home's client sends the user name as NameID; an OIDC home's link is the subject.
    linkUserId: home.homeProtocol === 'saml' ? user.homeUsername : user.homeSub,
    linkUserName: user.homeUsername,
    attributes: { [HOME_CLOUD_ATTRIBUTE]: [home.alias], [HOME_SUBJECT_ATTRIBUTE]: [user.homeSub], [HOME_GROUPS_ATTRIBUTE]: [...groups] },
    ...(user.email !== undefined && { email: user.email }),
    ...(user.firstName !== undefined && { firstName: user.firstName }),
    ...(user.lastName !== undefined && { lastName: user.lastName }),
  };
}

/** The changes that make P's users of H match H's users (only broker-owned users and groups are in `observed`). */
export function diffPartnerRealm(spec: FederationSpec, home: CloudSpec, partner: CloudSpec, homeUsers: readonly HomeUser[], observed: ObservedPartnerRealm): SyncChange[] {
  const mirrored = mirroredGroups(spec, home.alias, partner.alias);
  const groupsByPath = new Map(observed.groups.map((g) => [g.path, g]));
  const observedByName = new Map(observed.users.map((u) => [u.username, u]));
  const matched = new Set<string>();
  const changes: SyncChange[] = [];
  for (const user of homeUsers) {
    const username = downstreamUsername(spec.naming, home.alias, user.homeUsername).toLowerCase();
    let found: ObservedPartnerUser | undefined = observedByName.get(username);
    if (found) matched.add(found.id);
    if (found?.homeSub !== undefined && found.homeSub !== user.homeSub) {
      changes.push({ op: 'deleteUser', system: 'keycloak', username, userId: found.id, reason: `home user ${user.homeUsername} of ${home.alias} was deleted and made again (another id)` });
      found = undefined;
    }
    if (found?.unlinked) {
      const link = newPartnerUser(spec, home, user, []);
      changes.push({ op: 'linkUser', system: 'keycloak', username, userId: found.id, identityProvider: link.identityProvider, linkUserId: link.linkUserId, linkUserName: link.linkUserName,
        reason: `${username} lost its link when ${home.alias}'s identity provider was deleted (offboarding); it is linked to the provider made since` });
    }
    const wanted = user.enabled ? mirrored.filter((m) => user.groups.includes(m.homePath)) : [];
    if (!found) {
      if (wanted.length === 0) continue;
      changes.push({ op: 'createUser', system: 'keycloak', user: newPartnerUser(spec, home, user, wanted.map((w) => w.homePath)),
        reason: `pre-provisioning: ${user.homeUsername} is in home group(s) ${wanted.map((w) => w.homePath).join(', ')} of ${home.alias}` });
    } else if (found.enabled !== user.enabled) {
      changes.push({ op: user.enabled ? 'enableUser' : 'disableUser', system: 'keycloak', username, userId: found.id,
        reason: `${user.homeUsername} is ${user.enabled ? 'enabled' : 'disabled'} at home in ${home.alias}` });
    }
    for (const m of mirrored) {
      const group = groupsByPath.get(m.path);
      if (!group) continue;
      const isMember = found !== undefined && group.memberIds.includes(found.id);
      const want = wanted.some((w) => w.path === m.path);
      if (want && !isMember) {
        changes.push({ op: 'addMembership', system: 'keycloak', username, ...(found && { userId: found.id }), group: m.path, groupId: group.id,
          reason: `${user.homeUsername} is in home group ${m.homePath} of ${home.alias}` });
      } else if (!want && isMember && found) {
        changes.push({ op: 'removeMembership', system: 'keycloak', username, userId: found.id, group: m.path, groupId: group.id,
          reason: user.enabled ? `${user.homeUsername} is no longer in home group ${m.homePath} of ${home.alias}` : `${user.homeUsername} is disabled at home in ${home.alias}` });
      }
    }
  }
  for (const orphan of observed.users.filter((u) => !matched.has(u.id))) {
    changes.push({ op: 'deleteUser', system: 'keycloak', username: orphan.username, userId: orphan.id, reason: `no such user at home in ${home.alias} (deleted there)` });
  }
  return changes;
}

/** The broker's memberships P holds for H (both ends owned), for the brake's share. */
export function observedMembershipCount(observed: ObservedPartnerRealm): number {
  const users = new Set(observed.users.map((u) => u.id));
  return observed.groups.reduce((n, g) => n + g.memberIds.filter((id) => users.has(id)).length, 0);
}
