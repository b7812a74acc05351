// The event path's view of a partner system (docs/sync.md, "The event path"): what was observed,
// cut down to the partner users of the home users an event batch names, so that the same diff
// (src/core/sync/{partner-realm,keystone}.ts) changes those users only. Groups stay whole (the diff
// reads memberships from them); the brake's share is taken from the whole observation. Pure.
import type { ObservedKeystone, ObservedPartnerRealm } from './model.ts';

/** The brokered users of a partner realm whose home_sub is one of `homeSubs` or whose name is one of `names`. */
export function partnerRealmOfUsers(observed: ObservedPartnerRealm, homeSubs: ReadonlySet<string>, names: ReadonlySet<string>): ObservedPartnerRealm {
  return { ...observed, users: observed.users.filter((u) => (u.homeSub !== undefined && homeSubs.has(u.homeSub)) || names.has(u.username)) };
}

/** The federated users of a partner Keystone whose unique id is one of `names` (lower case). */
export function keystoneOfUsers(observed: ObservedKeystone, names: ReadonlySet<string>): ObservedKeystone {
  return { ...observed, users: observed.users.filter((u) => names.has(u.uniqueId.toLowerCase())) };
}
