// Orphans (docs/sync.md): what the broker made for a home that is no longer federated with a partner
// (offboarded: its trust edge or the whole cloud left the spec). Keycloak removed the users' links with
// the identity provider, so they are recognised by the admin-only `home_cloud` attribute the broker's
// mappers and sync write; in Keystone by the unique id, which fits the naming template of that home.
// Each becomes a target of its former home, so the brake sees a whole home going at once. Pure.
import type { FederationSpec } from '../federation/schema.ts';
import { homeUsernameOf } from '../naming.ts';
import { withRealmRemovalEffects } from './effects.ts';
import type { ObservedGuestUser, ObservedKeystoneUser, SyncChange, SyncTarget } from './model.ts';

const ALIAS = /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** The home cloud a downstream name was made for, among any aliases (the spec may no longer name it). */
export function formerHomeOf(naming: FederationSpec['naming'], downstream: string): string | undefined {
  const [head = ''] = naming.username.toLowerCase().split('{homecloud}');
  if (!naming.username.includes('{homeCloud}') || !downstream.startsWith(head)) return undefined;
  // Try each prefix that is a valid alias and makes the rest fit the template.
  for (let end = head.length + 1; end <= Math.min(downstream.length, head.length + 32); end += 1) {
    const alias = downstream.slice(head.length, end);
    if (ALIAS.test(alias) && homeUsernameOf(naming, alias, downstream) !== undefined) return alias;
  }
  return undefined;
}

/** Partner-realm orphans of P, one target per former home. */
export function keycloakOrphanTargets(spec: FederationSpec, partner: string, currentHomes: ReadonlySet<string>, users: readonly ObservedGuestUser[]): SyncTarget[] {
  const orphans = users.filter((u) => !currentHomes.has(u.homeCloud) && u.homeCloud !== partner
    && homeUsernameOf(spec.naming, u.homeCloud, u.username) !== undefined);
  return byHome(orphans, (u) => u.homeCloud).map(([home, list]) => ({
    home, partner, system: 'keycloak', observedUsers: list.length, observedMemberships: 0,
    // Her sessions in P end before she goes (the clients are told), as for a user deleted at home.
    changes: withRealmRemovalEffects(list.map((u): SyncChange => ({ op: 'deleteUser', system: 'keycloak', username: u.username, userId: u.id, reason: orphanReason(spec, home, partner) }))),
  }));
}

/** Keystone orphans of P (federated users of P's identity provider), one target per former home. */
export function keystoneOrphanTargets(spec: FederationSpec, partner: string, currentHomes: ReadonlySet<string>, users: readonly ObservedKeystoneUser[]): SyncTarget[] {
  const orphans = users.flatMap((u) => {
    const home = formerHomeOf(spec.naming, u.uniqueId.toLowerCase());
    return home !== undefined && !currentHomes.has(home) && home !== partner ? [{ ...u, home }] : [];
  });
  return byHome(orphans, (u) => u.home).map(([home, list]) => ({
    home, partner, system: 'keystone', observedUsers: list.length, observedMemberships: 0,
    changes: list.map((u): SyncChange => ({ op: 'deleteFederatedUser', system: 'keystone', username: u.uniqueId, userId: u.id, reason: orphanReason(spec, home, partner) })),
  }));
}

function orphanReason(spec: FederationSpec, home: string, partner: string): string {
  return spec.clouds.some((c) => c.alias === home)
    ? `orphan: ${home} is no longer a home of ${partner} (no trust edge)`
    : `orphan: ${home} is no longer in the federation (offboarded)`;
}

function byHome<T>(items: readonly T[], home: (item: T) => string): [string, T[]][] {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(home(item), [...(out.get(home(item)) ?? []), item]);
  return [...out].sort(([a], [b]) => a.localeCompare(b));
}
