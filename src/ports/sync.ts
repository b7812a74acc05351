// Ports of role sync (docs/sync.md): a partner cloud's realm and Keystone as sync sees them, a home
// realm's admin events for the event path, and the leases that keep one sync per cloud at a time.
// Re-exported by src/ports.ts, where the ports shared with other use cases live.
import type { HomeAdminEvent } from '../core/sync/admin-events.ts';
import type { NewPartnerUser, ObservedGuestUser, ObservedKeystone, ObservedKeystoneGroup, ObservedKeystoneUser, ObservedPartnerRealm, ObservedPartnerRealmUsers, PartnerUsersWanted, PendingEffects } from '../core/sync/model.ts';
import type { LogoutStore } from '../ports.ts';

/** A home realm's admin events (Keycloak admin API), for the event path of role sync. */
export interface HomeAdminEventsPort {
  readonly cloud: string;
  /** Admin events of the types sync acts on (USER, GROUP_MEMBERSHIP) from `sinceMs` (inclusive), oldest first, one page. */
  adminEvents(realm: string, sinceMs: number, first: number, max: number): Promise<HomeAdminEvent[]>;
  /** The user id the broker's own admin writes carry (its admin token's subject), to tell them apart. */
  ownAdminUserId(): Promise<string | undefined>;
}

/** Checkpoints and the per-home lock of the event path (Redis; the logout store's shape, another prefix). */
export type SyncEventStore = Pick<LogoutStore, 'checkpoint' | 'saveCheckpoint' | 'claimOnce' | 'release'>;

/**
 * Role sync in one cloud's partner realms (docs/sync.md). Every call names its realm. Only users with
 * a federated-identity link to the home's identity provider and groups carrying the broker's markers
 * are observed, so hand-made ones are never written.
 */
export interface PartnerRealmSyncPort {
  readonly cloud: string;
  /** The brokered users of `home` and the broker's mirrored groups among `groupPaths` with their members. */
  observe(realm: string, federation: string, home: string, groupPaths: readonly string[]): Promise<ObservedPartnerRealm>;
  /**
   * observe, for the event path: only the brokered users of `home` that `wanted` names (by home_sub or by
   * name), the groups whole, and the number of brokered users of `home` (for the brake's share).
   */
  observeUsers(realm: string, federation: string, home: string, groupPaths: readonly string[], wanted: PartnerUsersWanted): Promise<ObservedPartnerRealmUsers>;
  /** Creates the user with its link and attributes; returns its id. */
  createUser(realm: string, user: NewPartnerUser): Promise<string>;
  addMembership(realm: string, userId: string, groupId: string): Promise<void>;
  removeMembership(realm: string, userId: string, groupId: string): Promise<void>;
  setEnabled(realm: string, userId: string, enabled: boolean): Promise<void>;
  deleteUser(realm: string, userId: string): Promise<void>;
  /** Links an existing user to an identity provider (federated identity `userId` / `userName` there). */
  linkUser(realm: string, userId: string, link: { readonly identityProvider: string; readonly userId: string; readonly userName: string }): Promise<void>;
  /** Every user of the realm with a `home_cloud` attribute (paged); orphans of offboarded homes are found among them. */
  guests(realm: string): Promise<ObservedGuestUser[]>;
  /** Ends every session of the user in the realm (Keycloak notifies the clients); an absent user is no error. */
  endSessions(realm: string, userId: string): Promise<void>;
}

/** Role sync in one cloud's Keystone: federated users of its identity provider and the broker's group memberships. */
export interface KeystoneSyncPort {
  readonly cloud: string;
  /** Federated users of the cloud's identity provider and the members of the broker-owned groups named ("<domain>/<name>"). */
  observe(federation: string, groups: readonly string[]): Promise<ObservedKeystone>;
  /** The broker-owned groups among those named, with their members (observe without the users). */
  observeGroups(federation: string, groups: readonly string[]): Promise<ObservedKeystoneGroup[]>;
  /** Creates the federated user a first login with this unique id lands on; returns its id. */
  createFederatedUser(uniqueId: string): Promise<string>;
  addMembership(userId: string, groupId: string): Promise<void>;
  removeMembership(userId: string, groupId: string): Promise<void>;
  /** Every federated user of the cloud's identity provider, of any home. */
  federatedUsers(): Promise<ObservedKeystoneUser[]>;
  /** Deletes the user (Keystone drops its memberships, application credentials and tokens with it); a missing user is no error. */
  deleteUser(userId: string): Promise<void>;
  /** Makes Keystone refuse every token of the user issued so far (the user, its id and its memberships stay); an absent user is no error. */
  revokeTokens(userId: string): Promise<void>;
  /** Deletes every application credential of the user; answers how many there were. */
  deleteApplicationCredentials(userId: string): Promise<number>;
}

/**
 * The removal effects a run has undertaken (docs/sync.md, "Removal effects"), per partner cloud: an
 * entry is recorded before the first write about a user whose changes carry effects, and cleared once
 * all of them are done. A run killed in between leaves the entry, and the next run of that cloud (the
 * lease holder) does its effects first. Throws (ERR_QUEUE_UNAVAILABLE) when the store is unreachable.
 */
export interface SyncEffectJournal {
  record(cloud: string, entry: PendingEffects): Promise<void>;
  clear(cloud: string, key: string): Promise<void>;
  /** Every entry left for `cloud`; an entry that cannot be read back is reported (ERR_SYNC_JOURNAL_INVALID). */
  pending(cloud: string): Promise<PendingEffects[]>;
}

/**
 * Leases across broker processes (Redis): at most one holder per name at a time, identified by a random
 * token, for a time-to-live (ms) after which a holder that died loses it on its own. Every change is
 * compare-and-set on the token, so a holder whose lease expired and was taken by another can never
 * extend or release the new holder's lease. Throws (ERR_QUEUE_UNAVAILABLE) when the store is unreachable.
 */
export interface LeaseStore {
  /** Takes `name` for `token` when nobody holds it; false when someone (any other token) does. */
  acquire(name: string, token: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease to `ttlMs` from now when `token` still holds it; false when it is lost. */
  renew(name: string, token: string, ttlMs: number): Promise<boolean>;
  /** Whether `token` holds `name` now. */
  holds(name: string, token: string): Promise<boolean>;
  /** Gives the lease up when `token` holds it (compare-and-delete); false when it did not. */
  release(name: string, token: string): Promise<boolean>;
}
