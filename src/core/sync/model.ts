// The model of role sync (docs/sync.md, docs/design.md §5): what a home realm says about its users,
// what the broker wants and finds downstream, and the named changes between the two.

/** A local user of a home realm (guests with `home_cloud` are not listed), with the policy groups they are in. */
export interface HomeUser {
  readonly homeSub: string;
  readonly homeUsername: string;
  readonly enabled: boolean;
  /** Full home group paths, only among those policy names. */
  readonly groups: readonly string[];
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
}

/** A broker-owned user of a partner realm: it carries a federated-identity link to the home's identity provider. */
export interface ObservedPartnerUser {
  readonly id: string;
  readonly username: string;
  readonly enabled: boolean;
  /** The `home_sub` attribute (set by the identity provider's mappers and by sync). */
  readonly homeSub?: string;
  /**
   * The user carries the home's `home_cloud` attribute and a `home_sub`, but no link to the home's
   * identity provider: the provider was deleted (the home offboarded) and made again since.
   */
  readonly unlinked?: boolean;
}

/** A mirrored group `/<home>:/path` the broker owns in a partner realm. */
export interface ObservedPartnerGroup {
  readonly id: string;
  readonly path: string;
  /** Ids of the group's direct members. */
  readonly memberIds: readonly string[];
}

/** What a partner realm holds of one home: its brokered users and the broker's mirrored groups. */
export interface ObservedPartnerRealm {
  readonly users: readonly ObservedPartnerUser[];
  readonly groups: readonly ObservedPartnerGroup[];
}

/** What a partner realm holds of some users of one home (the event path), and how many brokered users of that home it has in all. */
export interface ObservedPartnerRealmUsers extends ObservedPartnerRealm {
  readonly userCount: number;
}

/** Partner users a targeted read asks for: by their home_sub attribute, or by name. */
export interface PartnerUsersWanted {
  readonly homeSubs: readonly string[];
  readonly names: readonly string[];
}

/** A federated user of a partner Keystone (shadow user or created by sync), by its unique id. */
export interface ObservedKeystoneUser {
  readonly id: string;
  readonly uniqueId: string;
}

/** A broker-owned Keystone group ("<domain>/<name>") and the ids of its members. */
export interface ObservedKeystoneGroup {
  readonly id: string;
  readonly name: string;
  readonly memberIds: readonly string[];
}

export interface ObservedKeystone {
  readonly users: readonly ObservedKeystoneUser[];
  readonly groups: readonly ObservedKeystoneGroup[];
}

/** The user as the partner's identity-provider mappers would create it at the first login. */
export interface NewPartnerUser {
  readonly username: string;
  readonly enabled: boolean;
  readonly identityProvider: string;
  /** The link's user id: the home `sub` (OIDC) or the SAML NameID (the home user name). */
  readonly linkUserId: string;
  readonly linkUserName: string;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
}

export type SyncSystem = 'keycloak' | 'keystone';

/** One named change of a sync run, with the reason (which home change or which policy rule). */
export type SyncChange =
  | { readonly op: 'createUser'; readonly system: 'keycloak'; readonly user: NewPartnerUser; readonly reason: string }
  | { readonly op: 'createFederatedUser'; readonly system: 'keystone'; readonly uniqueId: string; readonly reason: string }
  | { readonly op: 'addMembership' | 'removeMembership'; readonly system: SyncSystem; readonly username: string;
      /** Id of the user when it exists already; undefined when the same run creates it. */
      readonly userId?: string; readonly group: string; readonly groupId: string; readonly reason: string }
  | { readonly op: 'enableUser' | 'disableUser' | 'deleteUser'; readonly system: 'keycloak'; readonly username: string; readonly userId: string; readonly reason: string }
  /** The link of a user the broker made before, to the home's identity provider made again. */
  | { readonly op: 'linkUser'; readonly system: 'keycloak'; readonly username: string; readonly userId: string; readonly identityProvider: string;
      readonly linkUserId: string; readonly linkUserName: string; readonly reason: string }
  /** An orphan: the federated user of a home that is no longer federated with the partner (its tokens and application credentials go with it). */
  | { readonly op: 'deleteFederatedUser'; readonly system: 'keystone'; readonly username: string; readonly userId: string; readonly reason: string }
  | RemovalEffect;

/**
 * What a removal brings with it besides the removal itself (src/core/sync/effects.ts): in a partner
 * Keystone, revoking the user's live tokens and deleting her application credentials after a
 * membership of hers is removed; in a partner realm, ending her sessions when she is disabled or
 * deleted at home. Effects are not removals: the brake does not count them.
 */
export type RemovalEffect =
  | { readonly op: 'revokeTokens' | 'deleteApplicationCredentials'; readonly system: 'keystone'; readonly username: string; readonly userId: string; readonly reason: string }
  | { readonly op: 'endSessions'; readonly system: 'keycloak'; readonly username: string; readonly userId: string; readonly reason: string };

/** A user's removal effects a run has undertaken in one partner system (SyncEffectJournal); `key` is `<system>:<userId>`. */
export interface PendingEffects {
  readonly key: string;
  readonly home: string;
  readonly system: SyncSystem;
  readonly effects: readonly RemovalEffect[];
}

/** The changes of one home in one partner system, and what was observed there (for the brake). */
export interface SyncTarget {
  readonly home: string;
  readonly partner: string;
  readonly system: SyncSystem;
  readonly changes: readonly SyncChange[];
  readonly observedUsers: number;
  readonly observedMemberships: number;
}

export function isRemoval(change: SyncChange): boolean {
  return change.op === 'removeMembership' || isUserRemoval(change);
}

export function isEffect(change: SyncChange): change is RemovalEffect {
  return change.op === 'revokeTokens' || change.op === 'deleteApplicationCredentials' || change.op === 'endSessions';
}

export function isUserRemoval(change: SyncChange): boolean {
  return change.op === 'deleteUser' || change.op === 'disableUser' || change.op === 'deleteFederatedUser';
}

/** A partner-realm user carrying the admin-only `home_cloud` attribute: a brokered user of some home, current or former. */
export interface ObservedGuestUser {
  readonly id: string;
  readonly username: string;
  readonly homeCloud: string;
}
